// Reference: FORMATS.md "VMCX" key tree (same names in XML configs); Hyper-V 2008–2012 R2 XML configuration files
import HVXBinary

/// Maps a Hyper-V XML configuration (2008 – 2012 R2) onto the same ``ConfigTree`` model as VMCX files.
///
/// The document must have the shape Hyper-V writes: a `<configuration>` root, elements with no attributes but
/// `type`, leaves typed `string`, `integer`, `bool` or `bytes` (base64). Anything else (an application's
/// `app.config`, a random XML file) is refused with ``VMConfigXMLError`` rather than turned into a VM.
package enum VMConfigXML {
    /// Largest XML configuration read (real ones are tens of kilobytes).
    static let maximumFileSize: UInt64 = 16 << 20

    /// Reads and maps the XML configuration at `path`.
    /// - Throws: ``SystemError``, ``XMLParseError`` or ``VMConfigXMLError``.
    package static func read(path: String) throws -> ConfigTree {
        try read(file: try FileReader(path: path))
    }

    /// Reads and maps the XML configuration in an open file.
    /// - Throws: ``XMLParseError`` or ``VMConfigXMLError``; ``BinaryFormatError`` when the file exceeds the cap.
    package static func read(file: FileReader) throws -> ConfigTree {
        guard file.size <= maximumFileSize else {
            throw BinaryFormatError(
                "XML configuration", at: 0, "file of \(file.size) bytes exceeds the cap of \(maximumFileSize)")
        }
        return try parse(try file.read(at: 0, count: Int(file.size)))
    }

    /// Parses and maps XML configuration bytes.
    /// - Throws: ``XMLParseError`` for malformed XML, ``VMConfigXMLError`` when it is not a Hyper-V configuration.
    package static func parse(_ bytes: [UInt8]) throws -> ConfigTree {
        let document = try XMLDocumentParser.parse(bytes)
        return try map(document)
    }

    /// Maps a parsed document.
    /// - Throws: ``VMConfigXMLError`` when the document does not have the Hyper-V shape.
    package static func map(_ document: XMLElementNode) throws -> ConfigTree {
        guard document.name == "configuration" else {
            throw VMConfigXMLError.rootElement(name: document.name, line: document.line)
        }
        var warnings = DiagnosticList()
        let node = try map(document, warnings: &warnings)
        return ConfigTree(
            format: .xml, root: ConfigNode(name: "", value: .node, children: [node]), warnings: warnings.finish())
    }

    private static func map(_ element: XMLElementNode, warnings: inout DiagnosticList) throws -> ConfigNode {
        let location = "line \(element.line)"
        let place = DiagnosticLocation.line(element.line, column: element.column)
        let at = "<\(element.name)> at line \(element.line), column \(element.column)"
        for attribute in element.attributes where attribute.name != "type" {
            throw VMConfigXMLError.foreignAttribute(
                element: element.name, line: element.line, column: element.column, attribute: attribute.name)
        }
        let hasText = element.text.unicodeScalars.contains { !($0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r") }
        guard let type = element.attribute("type") else {
            if element.children.isEmpty && hasText {
                warnings.add(.xmlUntypedText, at: place, "XML \(at): text without a 'type' attribute; kept as a string")
                return ConfigNode(name: element.name, value: .string(element.text), location: location)
            }
            if hasText {
                warnings.add(.xmlMixedContent, at: place, "XML \(at): text beside child elements ignored")
            }
            var node = ConfigNode(name: element.name, value: .node, location: location)
            node.children.reserveCapacity(element.children.count)
            for child in element.children {
                node.children.append(try map(child, warnings: &warnings))
            }
            return node
        }
        if !element.children.isEmpty {
            warnings.add(
                .xmlTypedLeafChildren, at: place,
                "XML \(at): a typed leaf (type=\"\(type)\") has child elements; they were ignored")
        }
        let text = element.text
        let trimmed = trim(text)
        let value: ConfigValue
        switch type {
        case "string":
            value = .string(text)
        case "integer":
            if let number = Int64(trimmed) {
                value = .integer(number)
            } else if let number = UInt64(trimmed) {
                value = .unsigned(number)
            } else {
                warnings.add(
                    .xmlBadValue, at: place,
                    "XML \(at): integer value '\(trimmed.prefix(40))' is not a number; kept as a string")
                value = .string(text)
            }
        case "bool":
            switch trimmed.lowercased() {
            case "true", "1": value = .bool(true)
            case "false", "0": value = .bool(false)
            default:
                warnings.add(
                    .xmlBadValue, at: place,
                    "XML \(at): bool value '\(trimmed.prefix(40))' is neither True nor False; kept as a string")
                value = .string(text)
            }
        case "bytes":
            if let bytes = Base64Decoder.decode(text) {
                value = .bytes(bytes)
            } else {
                warnings.add(.xmlBadValue, at: place, "XML \(at): bytes value is not valid base64; kept as a string")
                value = .string(text)
            }
        default:
            warnings.add(.xmlUnknownType, at: place, "XML \(at): unknown type \"\(type)\"; kept as a string")
            value = .string(text)
        }
        return ConfigNode(name: element.name, value: value, location: location)
    }

    private static func trim(_ text: String) -> String {
        let scalars = text.unicodeScalars
        let isSpace: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
            let last = scalars.lastIndex(where: { !isSpace($0) })
        else {
            return ""
        }
        return String(scalars[first...last])
    }
}
