import Foundation
import Testing

@testable import HVXBinary
@testable import HVXFormats
@testable import HVXInventory

#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite struct VMConfigXMLTests {
    static let fixture = "xml/B90AC31B-C6F8-479F-9B91-07B894A6A3F6.xml"

    static func utf16LE(_ text: String, bom: Bool = true) -> [UInt8] {
        (bom ? [0xFF, 0xFE] : []) + UTF16Text.encode(text, .little)
    }

    @Test(.requires(.sharedFixtures))
    func realUTF16Configuration() throws {
        let tree = try VMConfigXML.read(path: Fixtures.path(Self.fixture))
        #expect(tree.format == .xml)
        #expect(tree.warnings.isEmpty, "\(tree.warnings)")
        #expect(tree.string(at: "configuration/properties/name") == "Default Generation 1")
        #expect(tree.string(at: "configuration/properties/global_id") == "B90AC31B-C6F8-479F-9B91-07B894A6A3F6")
        #expect(tree.integer(at: "configuration/properties/version") == 1280)
        #expect(tree.integer(at: "configuration/properties/subtype") == 0)
        #expect(tree.integer(at: "configuration/properties/last_powered_off_time") == 133_211_067_586_606_556)
        #expect(tree.bool(at: "configuration/properties/highly_available") == false)
        #expect(
            tree.string(at: "configuration/_83f8638b-8dca-4152-9eda-2ca8b33039b4_/controller0/drive0/pathname")
                == #"C:\Disks\Default Generation 1.vhdx"#)
        let data = tree.node(
            at:
                "configuration/_b5996220-9ab5-4a2d-a79d-cbe9c4bc06d6_/Connection/Feature_C885BFD1-ABB7-418F-8163-9F379C9F7166/Setting_50D7CB38-1C3E-4B1B-86D5-831734003B01/Data"
        )
        // Independent check: Foundation's base64 decoder.
        let expected = [UInt8](try #require(Data(base64Encoded: "AAIAAGQAAAAAAAAAAQAAAAAAAAA=")))
        #expect(data?.value == .bytes(expected))
        // Repeated sibling names are all kept.
        #expect(tree.node(at: "configuration/global_settings/metrics")?.children(named: "devicetype").count ?? 0 > 1)
    }

    @Test(.requires(.sharedFixtures))
    func matchesAnIndependentXMLParser() throws {
        // Foundation's XMLParser (tests may use it) must see the same leaves as our parser.
        let url = URL(fileURLWithPath: Fixtures.path(Self.fixture))
        let data = try Data(contentsOf: url)
        final class Collector: NSObject, XMLParserDelegate {
            var stack: [String] = [], text = "", leaves: [String: String] = [:], typed = false
            func parser(
                _ p: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]
            ) {
                stack.append(name); text = ""; typed = attributes["type"] != nil
            }
            func parser(_ p: XMLParser, foundCharacters string: String) { text += string }
            func parser(_ p: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
                if typed, leaves[stack.joined(separator: "/")] == nil { leaves[stack.joined(separator: "/")] = text }
                typed = false; text = ""; stack.removeLast()
            }
        }
        let collector = Collector()
        let parser = XMLParser(data: data)
        parser.delegate = collector
        #expect(parser.parse())
        let tree = try VMConfigXML.read(path: url.path)
        var ours: [String: String] = [:]
        // swift-format-ignore: ReplaceForEachWithForLoop
        // (ConfigNode.forEach walks the tree with each node's path; it is no Sequence.)
        tree.root.forEach { path, node in
            guard !node.isNode, ours[path] == nil else { return }
            switch node.value {
            case .string(let s): ours[path] = s
            case .integer(let n): ours[path] = String(n)
            case .bool(let b): ours[path] = b ? "True" : "False"
            case .bytes: ours[path] = collector.leaves[path]
            default: break
            }
        }
        #expect(ours.count == collector.leaves.count)
        for (path, value) in collector.leaves where ours[path] != value {
            Issue.record("\(path): ours \(ours[path] ?? "nil"), XMLParser \(value)")
        }
    }

    @Test func encodingsAndSyntax() throws {
        let body =
            #"<configuration><properties><name type="string">a&lt;b&#x263A;&#65;<![CDATA[<x>]]></name><!-- c --><?pi x?><n type="integer">-5</n><b type="bool">True</b></properties></configuration>"#
        let decl = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\r\n"
        let variants: [[UInt8]] = [
            Self.utf16LE(decl + body),
            [0xFE, 0xFF] + UTF16Text.encode(decl + body, .big),
            Self.utf16LE(decl + body, bom: false),
            Array(("<?xml version='1.0' encoding='utf-8'?>" + body).utf8),
            [0xEF, 0xBB, 0xBF] + Array(body.utf8),
        ]
        for bytes in variants {
            let tree = try VMConfigXML.parse(bytes)
            #expect(tree.string(at: "configuration/properties/name") == "a<b☺A<x>")
            #expect(tree.integer(at: "configuration/properties/n") == -5)
            #expect(tree.bool(at: "configuration/properties/b") == true)
        }
    }

    enum Bad: String, CaseIterable, CustomTestStringConvertible {
        case truncated, wrongEncodingDeclared, utf16WithoutBOMDeclaredUTF8, invalidUTF8, doctype, mismatchedTag,
            undefinedEntity, twoRoots, attributeWithoutQuotes, doubleDashComment, oddUTF16, deepNesting
        var testDescription: String { rawValue }
    }

    static func input(_ bad: Bad) -> (bytes: [UInt8], message: String, line: Int?) {
        switch bad {
        case .truncated:
            return (
                Array("<configuration>\n<properties>\n<name type=\"string\">x</na".utf8), "unexpected end of document",
                3
            )
        case .wrongEncodingDeclared:
            return (Array("<?xml version=\"1.0\" encoding=\"UTF-16\"?><configuration/>".utf8), "bytes are UTF-8", 1)
        case .utf16WithoutBOMDeclaredUTF8:
            return (
                utf16LE("<?xml version=\"1.0\" encoding=\"UTF-8\"?><configuration/>", bom: false), "bytes are UTF-16LE",
                1
            )
        case .invalidUTF8:
            return ([0x3C, 0x61, 0x3E, 0xC3, 0x28, 0x3C, 0x2F, 0x61, 0x3E], "invalid UTF-8", 1)
        case .doctype:
            return (
                Array("<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY a \"b\">]>\n<configuration/>".utf8),
                "DOCTYPE is not allowed", 2
            )
        case .mismatchedTag:
            return (Array("<configuration>\n  <a></b>\n</configuration>".utf8), "does not match <a>", 2)
        case .undefinedEntity:
            return (Array("<configuration>&nbsp;</configuration>".utf8), "undefined entity", 1)
        case .twoRoots:
            return (Array("<configuration/><configuration/>".utf8), "content after the root element", 1)
        case .attributeWithoutQuotes:
            return (Array("<configuration a=b/>".utf8), "must be quoted", 1)
        case .doubleDashComment:
            return (Array("<configuration><!-- a -- b --></configuration>".utf8), "'--' is not allowed", 1)
        case .oddUTF16:
            return ([0xFF, 0xFE, 0x3C, 0x00, 0x61], "odd number of bytes", nil)
        case .deepNesting:
            return (
                Array((String(repeating: "<a>", count: 300) + String(repeating: "</a>", count: 300)).utf8),
                "nest deeper", 1
            )
        }
    }

    @Test(arguments: Bad.allCases)
    func malformedInputIsRefusedWithPosition(_ bad: Bad) {
        let (bytes, message, line) = Self.input(bad)
        #expect {
            _ = try VMConfigXML.parse(bytes)
        } throws: { error in
            guard let error = error as? XMLParseError else { return false }
            return error.message.contains(message) && (line == nil || error.line == line)
        }
    }

    @Test func decoyApplicationConfigIsNotAVM() throws {
        let appConfig = """
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <startup><supportedRuntime version="v4.0" sku=".NETFramework,Version=v4.8"/></startup>
              <appSettings><add key="DataPath" value="C:\\Data\\app.vhdx"/></appSettings>
            </configuration>
            """
        #expect(
            throws: VMConfigXMLError.foreignAttribute(
                element: "supportedRuntime", line: 3, column: 12, attribute: "version")
        ) {
            _ = try VMConfigXML.parse(Array(appConfig.utf8))
        }
        // Hyper-V-shaped but with no VM identity: the tree reads, the VM model refuses.
        let shaped = try VMConfigXML.parse(
            Array("<configuration><settings><a type=\"string\">C:\\x</a></settings></configuration>".utf8))
        #expect(throws: VMConfigXMLError.noGlobalID) {
            _ = try VMConfiguration(tree: shaped)
        }
        let other = try XMLDocumentParser.parse(Array("<root><a/></root>".utf8))
        #expect(throws: VMConfigXMLError.rootElement(name: "root", line: 1)) { _ = try VMConfigXML.map(other) }
    }

    @Test func base64() {
        #expect(Base64Decoder.decode("") == [])
        #expect(Base64Decoder.decode("TWFu") == Array("Man".utf8))
        #expect(Base64Decoder.decode("TWE=\r\n") == Array("Ma".utf8))
        #expect(Base64Decoder.decode("TQ==") == Array("M".utf8))
        #expect(Base64Decoder.decode("TQ=") == nil)
        #expect(Base64Decoder.decode("TQ==TQ==") == nil)
        #expect(Base64Decoder.decode("T*==") == nil)
        let sample: [UInt8] = (0..<255).map { UInt8($0) }
        #expect(Base64Decoder.decode(Data(sample).base64EncodedString(options: .lineLength64Characters)) == sample)
    }

    @Test(.requires(.sharedFixtures))
    func everyTruncationIsAnErrorWithPosition() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.path(Self.fixture))))
        for length in stride(from: 0, to: bytes.count - 1, by: 331) {
            #expect(throws: XMLParseError.self) { _ = try VMConfigXML.parse(Array(bytes[0..<length])) }
        }
    }

    @Test(.requires(.sharedFixtures))
    func readsOnlyTheFileAndFast() throws {
        let file = try FileReader(path: Fixtures.path(Self.fixture))
        let clock = ContinuousClock()
        let elapsed = try clock.measure { _ = try VMConfigXML.read(file: file) }
        #expect(file.bytesRead == file.size)
        #expect(elapsed < .seconds(2))
    }
}
