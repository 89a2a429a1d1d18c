import Foundation
import Testing

@testable import HVXBinary
@testable import HVXFormats
@testable import HVXInventory

#if canImport(FoundationXML)
import FoundationXML
#endif

/// One key as an independent tool lists it: path from the root (names cut at NUL) and its values.
struct ListedKey: Equatable, CustomStringConvertible {
    var path: [String]
    var values: [ListedValue]
    var description: String { path.joined(separator: "\\") + " " + values.description }
}

/// One value as hivexml shows it: name (cut at NUL), hivexml's type word and its data text.
struct ListedValue: Equatable, CustomStringConvertible {
    var name: String
    var type: String
    var data: String
    var description: String { "\(name)=\(type):\(data)" }
}

/// Parses `hivexml` output into keys in document order.
final class HivexmlListing: NSObject, XMLParserDelegate {
    var keys: [ListedKey] = []
    private var stack: [Int] = []
    private var path: [String] = []
    private var pendingValue: ListedValue?
    private var listItems: [String] = []
    private var text = ""

    static func list(_ file: String) throws -> [ListedKey] {
        let result = try runProcess("hivexml", [file])
        let parser = XMLParser(data: Data(result.stdout.utf8))
        let listing = HivexmlListing()
        parser.delegate = listing
        guard parser.parse() else { throw HiveTestError.script("hivexml output did not parse: \(result.stderr)") }
        return listing.keys
    }

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        switch name {
        case "node":
            path.append(attributes["name"] ?? "")
            keys.append(ListedKey(path: Array(path.dropFirst()), values: []))
            stack.append(keys.count - 1)
        case "value":
            let type = attributes["type"] ?? "?"
            var data = attributes["value"] ?? ""
            // hivexml wraps base64 at 76 columns; the XML parser turns those line breaks into spaces.
            if attributes["encoding"] == "base64" { data.removeAll { $0.isWhitespace } }
            pendingValue = ListedValue(name: attributes["key"] ?? "", type: type, data: data)
            listItems = []
        case "string":
            text = ""
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        switch name {
        case "node":
            path.removeLast()
            stack.removeLast()
        case "string":
            listItems.append(text)
        case "value":
            if var value = pendingValue, let index = stack.last {
                if value.type == "string-list" { value.data = listItems.joined(separator: "|") }
                keys[index].values.append(value)
            }
            pendingValue = nil
        default: break
        }
    }
}

/// Our reader's listing in hivexml's terms (names cut at NUL, as hivexml prints them).
func ourListing(_ hive: RegistryHive) throws -> [ListedKey] {
    var keys: [ListedKey] = []
    try hive.walk { path, key in
        let values = try hive.values(of: key).map { value -> ListedValue in
            let (type, data) = hivexmlForm(value)
            return ListedValue(name: cutAtNUL(value.name), type: type, data: data)
        }
        keys.append(ListedKey(path: path.map(cutAtNUL), values: values))
    }
    return keys
}

func cutAtNUL(_ text: String) -> String { String(text.prefix { $0 != "\0" }) }

/// How hivexml shows a value: type word and data text (decimal numbers, strings, base64 for the rest).
func hivexmlForm(_ value: RegistryValue) -> (String, String) {
    let base64 = Data(value.raw).base64EncodedString()
    switch (value.type.rawValue, value.data) {
    case (1, .string(let text)): return ("string", text)
    case (2, .expandString(let text)): return ("expand", text)
    case (7, .multiString(let items)): return ("string-list", items.joined(separator: "|"))
    case (4, .dword(let number)), (5, .dword(let number)): return ("int32", String(Int32(bitPattern: number)))
    case (11, .qword(let number)): return ("int64", String(Int64(bitPattern: number)))
    case (3, _): return ("binary", base64)
    case (0, _): return ("none", value.raw.isEmpty ? "" : base64)
    default: return ("unknown", base64)
    }
}

@Suite("RegistryHive")
struct RegistryHiveTests {
    // MARK: Real fixtures against hivexml and regfexport

    @Test(
        "every key and value equals hivexml's listing", .requires(.sharedFixtures, .tool("hivexml")),
        arguments: ["regf/Syscache.hve", "regf/minimal.hive", "regf/special.hive"])
    func matchesHivexml(fixture: String) throws {
        let file = Fixtures.path(fixture)
        let hive = try RegistryHive(path: file)
        let ours = try ourListing(hive)
        let theirs = try HivexmlListing.list(file)
        #expect(ours.count == theirs.count)
        for (mine, other) in zip(ours, theirs) where mine != other {
            Issue.record("differs: ours \(mine) vs hivexml \(other)")
            break
        }
        #expect(hive.warnings.isEmpty, "\(hive.warnings)")
    }

    @Test(
        "key paths, value names and data sizes equal regfexport's", .requires(.sharedFixtures, .tool("regfexport")),
        arguments: ["regf/Syscache.hve", "regf/minimal.hive", "regf/special.hive"])
    func matchesRegfexport(fixture: String) throws {
        let file = Fixtures.path(fixture)
        let hive = try RegistryHive(path: file)
        let root = try hive.rootKey()
        var ours: [String] = []
        try hive.walk { path, key in
            ours.append("Key path: " + ([root.name] + path).map(cutAtNUL).joined(separator: "\\"))
            for (index, value) in try hive.values(of: key).enumerated() {
                ours.append("Value: \(index) \(cutAtNUL(value.name))")
                ours.append("Data size: \(value.raw.count)")
            }
        }
        let output = try runProcess("regfexport", [file]).stdout
        let theirs = output.split(separator: "\n").map(String.init).filter {
            $0.hasPrefix("Key path: ") || $0.hasPrefix("Value: ") || $0.hasPrefix("Data size: ")
        }
        // regfexport walks subkeys in stored order too, so the listings line up one to one.
        #expect(ours == theirs)
    }

    @Test("special.hive keeps names with an embedded NUL whole", .requires(.sharedFixtures))
    func embeddedNUL() throws {
        let hive = try RegistryHive(path: Fixtures.path("regf/special.hive"))
        let names = try hive.subkeys(of: hive.rootKey()).map(\.name)
        #expect(names == ["abcd_äöüß", "weird™", "zero\0key"])
        let zero = try #require(try hive.key("zero\0key"))
        #expect(try hive.values(of: zero).map(\.name) == ["zero\0val"])
        #expect(try hive.key("zero") == nil)
        // Latin-1 compressed name versus UTF-16 name.
        #expect(try hive.key("abcd_äöüß")?.hasCompressedName == true)
        #expect(try hive.key("weird™")?.hasCompressedName == false)
    }

    @Test("lookups are case-insensitive, also for non-ASCII", .requires(.sharedFixtures))
    func caseInsensitive() throws {
        let hive = try RegistryHive(path: Fixtures.path("regf/special.hive"))
        #expect(try hive.key("ABCD_ÄÖÜß")?.name == "abcd_äöüß")
        #expect(try hive.key("\\WEIRD™\\")?.name == "weird™")
        let weird = try #require(try hive.key("weird™"))
        #expect(try hive.value("SYMBOLS $£₤₧€", of: weird)?.integerValue == 0)
        // ß has no single-character upper case: Windows keeps it, so "SS" must not match.
        #expect(try hive.key("ABCD_ÄÖÜSS") == nil)
        #expect(RegistryName.uppercased("straße") == "STRAßE")
    }

    @Test("Syscache.hve lookups walk only the path", .requires(.sharedFixtures))
    func syscacheLookup() throws {
        let hive = try RegistryHive(path: Fixtures.path("regf/Syscache.hve"))
        let value = try #require(
            try hive.value(
                "_IndexName_", at: "defaultobjectstore\\INDEXTABLE\\FileIdIndex-{AB885EF3-0E40-497C-ADF1-DD1834EC28B7}")
        )
        #expect(value.type == .string)
        #expect(value.stringValue == "FileIdIndex-{ab885ef3-0e40-497c-adf1-dd1834ec28b7}")
        #expect(try hive.value("_CurrentObjectId_", at: "DefaultObjectStore")?.data == .qword(401))
        #expect(hive.baseBlock.minorVersion == 3)
        #expect(hive.baseBlock.checksumValid)
    }

    // MARK: Generated hives

    @Test("generated hives read back every key and value hivexsh wrote", .requires(Requirement.makeHives))
    func generatedHives() throws {
        let (folder, manifest) = try makeStandardHives()
        #expect(manifest.count == 11)
        for (file, tree) in manifest {
            let hive = try RegistryHive(path: folder.url.appendingPathComponent(file).path)
            #expect(hive.warnings.isEmpty, "\(file): \(hive.warnings)")
            for (keyPath, values) in tree {
                let key = try #require(try hive.key(keyPath), "\(file): \(keyPath)")
                let stored = try hive.values(of: key)
                #expect(stored.count == values.count, "\(file): \(keyPath)")
                for (name, expected) in values {
                    let value = try #require(try hive.value(name, of: key), "\(file): \(keyPath)\\\(name)")
                    #expect(value.name == name)
                    #expect(Int(value.type.rawValue) == expected["type"] as? Int, "\(file): \(keyPath)\\\(name)")
                    let hex = value.raw.map { String(format: "%02x", $0) }.joined()
                    #expect(hex == expected["hex"] as? String, "\(file): \(keyPath)\\\(name)")
                }
            }
            // And the same hive as hivexml lists it.
            let ours = try ourListing(hive)
            let theirs = try HivexmlListing.list(hive.path)
            #expect(ours.count == theirs.count, "\(file)")
            for (mine, other) in zip(ours, theirs) where mine != other {
                Issue.record("\(file) differs: ours \(mine) vs hivexml \(other)")
                break
            }
        }
    }

    // MARK: Crafted structures hivexsh cannot write

    @Test("li, nested ri and big data (db) read like regfexport reads them", .requires(.tool("regfexport")))
    func craftedValid() throws {
        var builder = RegistryHiveTestBuilder()
        builder.rootOffset = builder.nextOffset
        let rootSize = RegistryHiveTestBuilder.nk("ROOT", flags: 0x2C, subkeys: 3, subkeyList: 0).count
        // Reserve the root cell first so it sits at the root offset; patch its lists afterwards.
        let root = builder.cell([UInt8](repeating: 0, count: rootSize))
        let a = builder.cell(RegistryHiveTestBuilder.nk("Alpha"))
        let b = builder.cell(RegistryHiveTestBuilder.nk("Beta"))
        let payload = (0..<20000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let segment1 = builder.cell(Array(payload[0..<16344]))
        let segment2 = builder.cell(Array(payload[16344...]))
        let segments = builder.cell(le32(segment1) + le32(segment2))
        let db = builder.cell(Array("db".utf8) + le16(2) + le32(segments))
        let vk = builder.cell(RegistryHiveTestBuilder.vk("Big", type: 3, length: 20000, dataOffset: db))
        let small = builder.cell(
            RegistryHiveTestBuilder.vk("Small", type: 4, length: 0x8000_0004, dataOffset: 0x1234_5678))
        let valueList = builder.cell(le32(vk) + le32(small))
        let c = builder.cell(RegistryHiveTestBuilder.nk("Gamma", values: 2, valueList: valueList))
        let li = builder.cell(RegistryHiveTestBuilder.list("li", [a]))
        let lh = builder.cell(RegistryHiveTestBuilder.list("lh", [b], hashes: true))
        let innerRI = builder.cell(RegistryHiveTestBuilder.list("ri", [li, lh]))
        let lf = builder.cell(RegistryHiveTestBuilder.list("lf", [c], hashes: true))
        let outerRI = builder.cell(RegistryHiveTestBuilder.list("ri", [innerRI, lf]))
        var bytes = builder.bytes()
        let rootRecord = RegistryHiveTestBuilder.nk("ROOT", flags: 0x2C, subkeys: 3, subkeyList: outerRI)
        bytes.replaceSubrange(4096 + Int(root) + 4..<4096 + Int(root) + 4 + rootRecord.count, with: rootRecord)
        bytes.replaceSubrange(508..<512, with: le32(RegistryBaseBlock.checksum(Array(bytes[0..<508]))))

        let folder = try TemporaryDirectory()
        let file = try folder.write("crafted.hive", bytes)
        let hive = try RegistryHive(path: file)
        #expect(try hive.subkeys(of: hive.rootKey()).map(\.name) == ["Alpha", "Beta", "Gamma"])
        #expect(try hive.key("beta")?.name == "Beta")
        let big = try #require(try hive.value("big", at: "GAMMA"))
        #expect(big.raw == payload)
        #expect(try hive.value("Small", at: "Gamma")?.data == .dword(0x1234_5678))
        #expect(hive.warnings.isEmpty, "\(hive.warnings)")
        // regfexport agrees on keys, values and sizes.
        let listing = try runProcess("regfexport", [file]).stdout
        #expect(listing.contains("Key path: ROOT\\Alpha"))
        #expect(listing.contains("Key path: ROOT\\Beta"))
        #expect(listing.contains("Value: 0 Big"))
        #expect(listing.contains("Data size: 20000"))
    }

    // MARK: Damaged hives

    enum Damage: String, CaseIterable, Sendable {
        case truncatedBaseBlock, badSignature, hbinSizeZero, cellPastBin, riPointsToItself, dbSegmentPastEOF
        case nameLengthPastCell, valueNameLengthPastCell, majorVersion2, valueListCountPastCell
    }

    static func damaged(_ damage: Damage) -> [UInt8] {
        var builder = RegistryHiveTestBuilder()
        switch damage {
        case .riPointsToItself:
            let ri = builder.nextOffset + 0x58  // after the root cell below
            builder.cell(RegistryHiveTestBuilder.nk("ROOT", flags: 0x2C, subkeys: 1, subkeyList: ri))
            builder.cell(RegistryHiveTestBuilder.list("ri", [ri]))
        case .dbSegmentPastEOF:
            let rootSize = RegistryHiveTestBuilder.nk("ROOT", flags: 0x2C).count + 4
            let base = builder.nextOffset + UInt32((rootSize + 7) / 8 * 8)
            // Layout after the root: value list, vk, db, segment list, segment 1.
            let valueList = base
            let vk = base + 8
            let db = vk + 32
            let list = db + 16
            let segment1 = list + 16
            builder.cell(RegistryHiveTestBuilder.nk("ROOT", flags: 0x2C, values: 1, valueList: valueList))
            builder.cell(le32(vk))
            builder.cell(RegistryHiveTestBuilder.vk("Big", type: 3, length: 20000, dataOffset: db))
            builder.cell(Array("db".utf8) + le16(2) + le32(list))
            builder.cell(le32(segment1) + le32(0x0100_0000))
            builder.cell([UInt8](repeating: 0x41, count: 16344))
        case .nameLengthPastCell:
            builder.cell(RegistryHiveTestBuilder.nk("ROOT", flags: 0x2C, nameLength: 500))
        case .valueNameLengthPastCell:
            let rootSize = RegistryHiveTestBuilder.nk("ROOT", flags: 0x2C).count + 4
            let valueList = builder.nextOffset + UInt32((rootSize + 7) / 8 * 8)
            builder.cell(RegistryHiveTestBuilder.nk("ROOT", flags: 0x2C, values: 1, valueList: valueList))
            builder.cell(le32(valueList + 8))
            var record = RegistryHiveTestBuilder.vk("V", type: 4, length: 0x8000_0004, dataOffset: 1)
            record.replaceSubrange(2..<4, with: le16(300))
            builder.cell(record)
        case .valueListCountPastCell:
            let rootSize = RegistryHiveTestBuilder.nk("ROOT", flags: 0x2C).count + 4
            let valueList = builder.nextOffset + UInt32((rootSize + 7) / 8 * 8)
            builder.cell(RegistryHiveTestBuilder.nk("ROOT", flags: 0x2C, values: 1000, valueList: valueList))
            builder.cell(le32(0))
        default:
            builder.cell(RegistryHiveTestBuilder.nk("ROOT", flags: 0x2C))
        }
        var bytes = builder.bytes()
        switch damage {
        case .truncatedBaseBlock: bytes = Array(bytes.prefix(1000))
        case .badSignature: bytes[0] = UInt8(ascii: "X")
        case .hbinSizeZero: bytes.replaceSubrange(4096 + 8..<4096 + 12, with: le32(0))
        case .cellPastBin: bytes.replaceSubrange(4096 + 0x20..<4096 + 0x24, with: le32(UInt32(bitPattern: -0x2000)))
        case .majorVersion2: bytes.replaceSubrange(20..<24, with: le32(2))
        default: break
        }
        return bytes
    }

    @Test("damaged hives give specific errors or warnings, never a crash", arguments: Damage.allCases)
    func damagedHive(_ damage: Damage) throws {
        let bytes = Self.damaged(damage)
        func readAll() throws -> RegistryHive {
            let hive = try RegistryHive(bytes: bytes, name: "SOFTWARE")
            _ = try ourListing(hive)
            return hive
        }
        // Damage read past (as dissect.regf reads it): the hive reads, with one warning naming it.
        let readPast: [Damage: (DiagnosticCode, DiagnosticLocation?)] = [
            .hbinSizeZero: (.regfBinHeaderDamaged, .offset(0x1000)),
            .riPointsToItself: (.regfSubkeyListEntryUnreadable, nil),
            .nameLengthPastCell: (.regfKeyNameCut, nil),
        ]
        if let (code, location) = readPast[damage] {
            let hive = try readAll()
            #expect(hive.warnings.count(code, at: location) == 1, "\(damage): \(hive.warnings)")
            return
        }
        let expected: String
        switch damage {
        case .truncatedBaseBlock: expected = "truncated: a base block needs 4096 bytes"
        case .badSignature: expected = "signature is \"Xegf\", expected \"regf\""
        case .majorVersion2: expected = "major version 2 is not 1"
        case .cellPastBin: expected = "runs past the end of its hbin"
        case .dbSegmentPastEOF: expected = "lies outside every readable hbin"
        case .valueNameLengthPastCell: expected = "name length 300 runs past the cell"
        case .valueListCountPastCell: expected = "declares 1000 values"
        case .hbinSizeZero, .riPointsToItself, .nameLengthPastCell: return
        }
        do {
            _ = try readAll()
            Issue.record("\(damage): read without an error")
        } catch let error as BinaryFormatError {
            #expect(error.description.contains(expected), "\(damage): \(error)")
        }
    }

    @Test(
        "the project's own minimal hive: hvexclude, regfexport and hivexsh read it and what hivexsh adds to it",
        .requires(.tool("python3"), .tool("hivexsh"), .tool("regfexport")))
    func ownMinimalHive() throws {
        let folder = try TemporaryDirectory("minimal-hive")
        let script = Fixtures.projectRoot.appendingPathComponent("scripts/make-hives").path
        let made = try runProcess("python3", [script, "--minimal", folder.path + "/minimal"])
        try #require(made.status == 0, "\(made.stderr)")
        let hive = try RegistryHive(path: folder.path + "/minimal")
        #expect(hive.warnings.isEmpty, "\(hive.warnings)")
        #expect(try hive.rootKey().name == "ROOT")
        #expect(try hive.subkeys(of: hive.rootKey()).isEmpty)
        #expect(try FileManager.default.attributesOfItem(atPath: folder.path + "/minimal")[.size] as? Int == 8192)
        let checked = try runProcess("python3", [script, "--check-minimal"])
        #expect(checked.status == 0, "\(checked.stderr)")
    }

    @Test("dirty hives warn about the transaction logs and still read")
    func dirtyHive() throws {
        var builder = RegistryHiveTestBuilder()
        builder.cell(RegistryHiveTestBuilder.nk("ROOT", flags: 0x2C))
        builder.primarySequence = 7
        builder.secondarySequence = 6
        let hive = try RegistryHive(bytes: builder.bytes(), name: "SYSTEM")
        #expect(hive.warnings.codes == [.regfSequencesDiffer])
        #expect(
            hive.warnings.first?.message
                == "regf base block at 0x0: sequence numbers differ (primary 7, secondary 6): hive may be missing "
                + "recent changes (no transaction log SYSTEM.LOG1/.LOG2 beside it); read on")
        #expect(try hive.rootKey().name == "ROOT")

        var bytes = RegistryHiveTestBuilder().bytes()
        bytes[508] ^= 0xFF
        let badChecksum = try RegistryHive(bytes: bytes, name: "SOFTWARE")
        #expect(badChecksum.warnings.codes == [.regfBaseBlockChecksum])
        #expect(badChecksum.warnings.first?.location == .offset(0x1FC))
    }

    @Test("reg query rendering lists values with type names, then subkeys")
    func regQuery() throws {
        var builder = RegistryHiveTestBuilder()
        builder.rootOffset = builder.nextOffset
        let rootSize = RegistryHiveTestBuilder.nk("ROOT", flags: 0x2C).count
        let root = builder.cell([UInt8](repeating: 0, count: rootSize))
        let sub = builder.cell(RegistryHiveTestBuilder.nk("Sub"))
        let text = builder.cell(Array("D:\\VMs".utf16).flatMap { le16($0) } + [0, 0])
        let v1 = builder.cell(RegistryHiveTestBuilder.vk("Path", type: 2, length: 14, dataOffset: text))
        let v2 = builder.cell(RegistryHiveTestBuilder.vk("", type: 4, length: 0x8000_0004, dataOffset: 5))
        let v3 = builder.cell(RegistryHiveTestBuilder.vk("Bin", type: 3, length: 0x8000_0002, dataOffset: 0xBEEF))
        let values = builder.cell(le32(v1) + le32(v2) + le32(v3))
        let list = builder.cell(RegistryHiveTestBuilder.list("lf", [sub], hashes: true))
        var bytes = builder.bytes()
        let record = RegistryHiveTestBuilder.nk(
            "ROOT", flags: 0x2C, subkeys: 1, subkeyList: list, values: 3, valueList: values)
        bytes.replaceSubrange(4096 + Int(root) + 4..<4096 + Int(root) + 4 + record.count, with: record)
        let hive = try RegistryHive(bytes: bytes, name: "SOFTWARE")
        let output = try RegistryQuery.render(hive)
        #expect(
            output == """
                SOFTWARE
                    Path    REG_EXPAND_SZ    D:\\VMs
                    (Default)    REG_DWORD    0x5
                    Bin    REG_BINARY    EFBE

                SOFTWARE\\Sub

                """)
        #expect(throws: RegistryQuery.KeyNotFound.self) { try RegistryQuery.render(hive, keyPath: "Nope") }
    }
}
