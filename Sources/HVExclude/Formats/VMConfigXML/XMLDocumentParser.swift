// Reference: Extensible Markup Language (XML) 1.0 (Fifth Edition), W3C, sections 2.2–2.8, 3.1, 4.1, 4.3.3, 4.6
import HVXBinary

/// A small, strict, non-validating XML 1.0 parser for machine-written configuration files.
///
/// Supports UTF-8 (with or without BOM) and UTF-16LE/BE (BOM, or detected from `<?`), the XML declaration,
/// elements, attributes, character data, the five predefined entities, numeric character references,
/// comments, processing instructions and CDATA sections. Refuses DOCTYPE (so no entity expansion attacks and
/// no external fetches), any other markup declaration, encodings other than UTF-8/UTF-16 and input beyond the
/// caps in ``Limits``. Every refusal is an ``XMLParseError`` with line and column.
package struct XMLDocumentParser {
    /// Caps that bound memory and time on hostile input.
    package struct Limits: Sendable {
        /// Largest input in bytes.
        var maximumInputBytes = 32 << 20
        /// Deepest element nesting.
        package var maximumDepth = 256
        /// Most elements in one document.
        var maximumElements = 500_000
        /// Most characters of text in one element.
        var maximumTextCharacters = 4 << 20
        /// Most attributes on one element.
        var maximumAttributes = 256

        /// The default caps (a Hyper-V configuration has about 1,000 elements and is well under 1 MiB).
        package init() {}
    }

    private var scalars: [Unicode.Scalar] = []
    private var lineStarts: [Int] = [0]
    private var index = 0
    private let limits: Limits
    private var elementCount = 0

    private init(limits: Limits) { self.limits = limits }

    /// Parses a whole document and returns its root element.
    /// - Throws: ``XMLParseError`` for malformed, truncated, wrongly encoded or refused input.
    package static func parse(_ bytes: [UInt8], limits: Limits = Limits()) throws -> XMLElementNode {
        var parser = XMLDocumentParser(limits: limits)
        guard bytes.count <= limits.maximumInputBytes else {
            throw XMLParseError(
                .capExceeded(.inputBytes), line: 1, column: 1,
                "document of \(bytes.count) bytes exceeds the cap of \(limits.maximumInputBytes)")
        }
        let encoding = try parser.decode(bytes)
        return try parser.parseDocument(encoding: encoding)
    }

    // MARK: Decoding

    private enum Encoding: Equatable {
        case utf8, utf16LE, utf16BE

        package var name: String {
            switch self {
            case .utf8: return "UTF-8"
            case .utf16LE: return "UTF-16LE"
            case .utf16BE: return "UTF-16BE"
            }
        }
    }

    private mutating func append(_ scalar: Unicode.Scalar, previousCR: inout Bool) throws {
        // End-of-line handling (XML 2.11): CR LF and lone CR both become LF.
        if scalar == "\r" {
            scalars.append("\n")
            lineStarts.append(scalars.count)
            previousCR = true
            return
        }
        if scalar == "\n" && previousCR {
            previousCR = false
            return
        }
        previousCR = false
        guard XMLDocumentParser.isChar(scalar) else {
            throw position(
                scalars.count,
                "character U+\(String(scalar.value, radix: 16, uppercase: true)) is not allowed in XML (wrong encoding?)"
            )
        }
        scalars.append(scalar)
        if scalar == "\n" { lineStarts.append(scalars.count) }
    }

    private mutating func decode(_ bytes: [UInt8]) throws -> Encoding {
        var start = 0
        let encoding: Encoding
        if bytes.starts(with: [0xFF, 0xFE]) {
            encoding = .utf16LE; start = 2
        } else if bytes.starts(with: [0xFE, 0xFF]) {
            encoding = .utf16BE; start = 2
        } else if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            encoding = .utf8; start = 3
        } else if bytes.starts(with: [0x3C, 0x00, 0x3F, 0x00]) {
            encoding = .utf16LE
        } else if bytes.starts(with: [0x00, 0x3C, 0x00, 0x3F]) {
            encoding = .utf16BE
        } else {
            encoding = .utf8
        }
        scalars.reserveCapacity(encoding == .utf8 ? bytes.count : bytes.count / 2)
        var previousCR = false
        var at = start
        switch encoding {
        case .utf8:
            while at < bytes.count {
                let lead = bytes[at]
                if lead < 0x80 {
                    try append(Unicode.Scalar(lead), previousCR: &previousCR)
                    at += 1
                    continue
                }
                let (length, minimum, initial): (Int, UInt32, UInt32)
                switch lead {
                case 0xC2...0xDF: (length, minimum, initial) = (2, 0x80, UInt32(lead & 0x1F))
                case 0xE0...0xEF: (length, minimum, initial) = (3, 0x800, UInt32(lead & 0x0F))
                case 0xF0...0xF4: (length, minimum, initial) = (4, 0x10000, UInt32(lead & 0x07))
                default:
                    throw position(
                        scalars.count, "invalid UTF-8 byte \(hex(lead)) at byte offset \(at) (wrong encoding?)")
                }
                guard at + length <= bytes.count else {
                    throw position(scalars.count, "truncated UTF-8 sequence at byte offset \(at)")
                }
                var value = initial
                for next in bytes[(at + 1)..<(at + length)] {
                    guard next & 0xC0 == 0x80 else {
                        throw position(scalars.count, "invalid UTF-8 sequence at byte offset \(at) (wrong encoding?)")
                    }
                    value = value << 6 | UInt32(next & 0x3F)
                }
                guard value >= minimum, let scalar = Unicode.Scalar(value) else {
                    throw position(scalars.count, "invalid UTF-8 sequence at byte offset \(at) (overlong or surrogate)")
                }
                try append(scalar, previousCR: &previousCR)
                at += length
            }
        case .utf16LE, .utf16BE:
            guard (bytes.count - start) % 2 == 0 else {
                throw position(
                    0, "UTF-16 document has an odd number of bytes (\(bytes.count)): truncated or not UTF-16")
            }
            let reader = ByteReader(bytes, structure: "XML document")
            let order: Endianness = encoding == .utf16LE ? .little : .big
            // Inside the bytes: an even count from `start`, and every read at `at < bytes.count`.
            func unit(_ offset: Int) -> UInt16 { (try? reader.u16(at: offset, order)) ?? 0 }
            while at < bytes.count {
                let first = unit(at)
                at += 2
                var value = UInt32(first)
                if (0xD800...0xDBFF).contains(first) {
                    guard at < bytes.count else { throw position(scalars.count, "truncated UTF-16 surrogate pair") }
                    let second = unit(at)
                    guard (0xDC00...0xDFFF).contains(second) else {
                        throw position(scalars.count, "unpaired UTF-16 surrogate \(hex(first))")
                    }
                    at += 2
                    value = 0x10000 + ((UInt32(first) - 0xD800) << 10) + (UInt32(second) - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(first) {
                    throw position(scalars.count, "unpaired UTF-16 surrogate \(hex(first))")
                }
                try append(Unicode.Scalar(value)!, previousCR: &previousCR)
            }
        }
        return encoding
    }

    // MARK: Positions and errors

    private func position(_ offset: Int, _ message: String, _ kind: XMLParseError.Kind = .malformed) -> XMLParseError {
        let (line, column) = lineAndColumn(offset)
        return XMLParseError(kind, line: line, column: column, message)
    }

    private func lineAndColumn(_ offset: Int) -> (Int, Int) {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        return (low + 1, offset - lineStarts[low] + 1)
    }

    private func fail(_ message: String, _ kind: XMLParseError.Kind = .malformed) -> XMLParseError {
        position(index, message, kind)
    }

    // MARK: Scanning helpers

    private var atEnd: Bool { index >= scalars.count }

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        index + ahead < scalars.count ? scalars[index + ahead] : nil
    }

    private func looking(at text: String) -> Bool {
        var offset = index
        for scalar in text.unicodeScalars {
            guard offset < scalars.count, scalars[offset] == scalar else { return false }
            offset += 1
        }
        return true
    }

    private mutating func expect(_ text: String, _ context: String) throws {
        guard looking(at: text) else {
            throw atEnd
                ? fail("unexpected end of document: expected '\(text)' \(context)")
                : fail("expected '\(text)' \(context)")
        }
        index += text.unicodeScalars.count
    }

    private static func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\n" || c == "\r" }

    @discardableResult
    private mutating func skipSpace() -> Bool {
        let start = index
        while let c = peek(), XMLDocumentParser.isSpace(c) { index += 1 }
        return index > start
    }

    static func isChar(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return true
        default: return false
        }
    }

    static func isNameStart(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x3A, 0x41...0x5A, 0x5F, 0x61...0x7A, 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x2FF, 0x370...0x37D,
            0x37F...0x1FFF, 0x200C...0x200D, 0x2070...0x218F, 0x2C00...0x2FEF, 0x3001...0xD7FF, 0xF900...0xFDCF,
            0xFDF0...0xFFFD, 0x10000...0xEFFFF:
            return true
        default: return false
        }
    }

    static func isNameChar(_ c: Unicode.Scalar) -> Bool {
        if isNameStart(c) { return true }
        switch c.value {
        case 0x2D, 0x2E, 0x30...0x39, 0xB7, 0x300...0x36F, 0x203F...0x2040: return true
        default: return false
        }
    }

    private mutating func name(_ context: String) throws -> String {
        guard let first = peek() else { throw fail("unexpected end of document: expected a name \(context)") }
        guard XMLDocumentParser.isNameStart(first) else {
            throw fail("'\(first)' cannot start a name \(context)")
        }
        var out = String.UnicodeScalarView()
        while let c = peek(), XMLDocumentParser.isNameChar(c) {
            out.append(c)
            index += 1
        }
        return String(out)
    }

    // MARK: Document

    private mutating func parseDocument(encoding: Encoding) throws -> XMLElementNode {
        if looking(at: "<?xml"), let after = peek(5), XMLDocumentParser.isSpace(after) || after == "?" {
            try parseDeclaration(encoding: encoding)
        }
        try parseMisc(beforeRoot: true)
        guard !atEnd else { throw fail("unexpected end of document: no root element") }
        guard looking(at: "<") else { throw fail("text before the root element") }
        let root = try parseElementTree()
        try parseMisc(beforeRoot: false)
        guard atEnd else { throw fail("content after the root element") }
        return root
    }

    private mutating func parseDeclaration(encoding: Encoding) throws {
        index += 5
        var seen: [String: String] = [:]
        var order: [String] = []
        while true {
            let spaced = skipSpace()
            if looking(at: "?>") { index += 2; break }
            guard !atEnd else { throw fail("unexpected end of document inside the XML declaration") }
            guard spaced else { throw fail("expected whitespace in the XML declaration") }
            let key = try name("in the XML declaration")
            skipSpace()
            try expect("=", "after '\(key)' in the XML declaration")
            skipSpace()
            let value = try quoted("in the XML declaration")
            guard ["version", "encoding", "standalone"].contains(key), seen[key] == nil else {
                throw fail("unexpected '\(key)' in the XML declaration")
            }
            seen[key] = value
            order.append(key)
        }
        guard order.first == "version", let version = seen["version"], version.hasPrefix("1.") else {
            throw fail("the XML declaration must start with version=\"1.x\"")
        }
        if let standalone = seen["standalone"], standalone != "yes" && standalone != "no" {
            throw fail("standalone must be \"yes\" or \"no\", not \"\(standalone)\"")
        }
        if let declared = seen["encoding"] {
            let upper = declared.uppercased()
            let isUTF16 = upper == "UTF-16" || upper == "UTF-16LE" || upper == "UTF-16BE" || upper == "UNICODE"
            let isUTF8 = upper == "UTF-8" || upper == "US-ASCII" || upper == "ASCII"
            if encoding == .utf8 && isUTF16 {
                throw fail(
                    "the declaration says encoding \"\(declared)\" but the bytes are UTF-8 (no UTF-16 byte-order mark)")
            }
            if encoding != .utf8 && !isUTF16 {
                throw fail("the declaration says encoding \"\(declared)\" but the bytes are \(encoding.name)")
            }
            if encoding == .utf8 && !isUTF8 {
                throw fail("unsupported encoding \"\(declared)\" (only UTF-8 and UTF-16 are read)")
            }
        }
    }

    private mutating func quoted(_ context: String) throws -> String {
        guard let quote = peek(), quote == "\"" || quote == "'" else {
            throw fail("expected a quoted value \(context)")
        }
        index += 1
        var out = String.UnicodeScalarView()
        while let c = peek(), c != quote {
            out.append(c)
            index += 1
        }
        guard !atEnd else { throw fail("unexpected end of document inside a quoted value \(context)") }
        index += 1
        return String(out)
    }

    private mutating func parseMisc(beforeRoot: Bool) throws {
        while true {
            skipSpace()
            guard try parseNonElementMarkup(context: "outside the root element") else {
                return
            }
        }
    }

    /// Parses one comment or processing instruction starting here, or refuses a DOCTYPE or other markup
    /// declaration; false when none starts here.
    private mutating func parseNonElementMarkup(context: String) throws -> Bool {
        if looking(at: "<!--") {
            try parseComment()
        } else if looking(at: "<?") {
            try parseProcessingInstruction()
        } else if looking(at: "<!DOCTYPE") {
            throw fail("DOCTYPE is not allowed (no DTDs or entity declarations are read)", .declarationRefused)
        } else if looking(at: "<!") {
            throw fail("markup declaration \(context) is not allowed", .declarationRefused)
        } else {
            return false
        }
        return true
    }

    private mutating func parseComment() throws {
        index += 4
        while !atEnd {
            if looking(at: "--") {
                guard peek(2) == ">" else { throw fail("'--' is not allowed inside a comment") }
                index += 3
                return
            }
            index += 1
        }
        throw fail("unexpected end of document inside a comment")
    }

    private mutating func parseProcessingInstruction() throws {
        index += 2
        let target = try name("as a processing-instruction target")
        if target.lowercased() == "xml" {
            throw fail("an XML declaration is allowed only at the very start of the document")
        }
        while !atEnd {
            if looking(at: "?>") { index += 2; return }
            index += 1
        }
        throw fail("unexpected end of document inside processing instruction '\(target)'")
    }

    // MARK: Elements

    private struct Open {
        package var element: XMLElementNode
        var textCount: Int
    }

    private mutating func parseElementTree() throws -> XMLElementNode {
        var stack: [Open] = []
        let (first, firstEmpty) = try parseStartTag(depth: 1)
        if firstEmpty { return first }
        stack.append(Open(element: first, textCount: 0))
        var text = String.UnicodeScalarView()

        func flushText(_ stack: inout [Open], _ text: inout String.UnicodeScalarView) {
            guard !text.isEmpty else { return }
            stack[stack.count - 1].element.text.unicodeScalars.append(contentsOf: text)
            text = String.UnicodeScalarView()
        }

        while true {
            guard let c = peek() else {
                let open = stack.last!.element
                throw fail(
                    "unexpected end of document inside <\(open.name)> (opened at line \(open.line), column \(open.column))"
                )
            }
            if c == "<" {
                flushText(&stack, &text)
                if looking(at: "</") {
                    index += 2
                    let closing = try name("in an end tag")
                    skipSpace()
                    try expect(">", "to close end tag </\(closing)>")
                    let done = stack.removeLast().element
                    guard closing == done.name else {
                        index -= 1
                        throw fail(
                            "end tag </\(closing)> does not match <\(done.name)> opened at line \(done.line), column \(done.column)"
                        )
                    }
                    if stack.isEmpty { return done }
                    stack[stack.count - 1].element.children.append(done)
                } else if looking(at: "<![CDATA[") {
                    index += 9
                    var found = false
                    while !atEnd {
                        if looking(at: "]]>") { index += 3; found = true; break }
                        try addText(scalars[index], &text, &stack)
                        index += 1
                    }
                    guard found else { throw fail("unexpected end of document inside a CDATA section") }
                    flushText(&stack, &text)
                } else if try parseNonElementMarkup(context: "inside an element") {
                    continue
                } else {
                    let (element, empty) = try parseStartTag(depth: stack.count + 1)
                    if empty {
                        stack[stack.count - 1].element.children.append(element)
                    } else {
                        stack.append(Open(element: element, textCount: 0))
                    }
                }
            } else if c == "&" {
                let scalar = try parseReference()
                try addText(scalar, &text, &stack)
            } else {
                if c == "]" && looking(at: "]]>") { throw fail("']]>' is not allowed in character data") }
                try addText(c, &text, &stack)
                index += 1
            }
        }
    }

    private mutating func addText(
        _ c: Unicode.Scalar, _ text: inout String.UnicodeScalarView, _ stack: inout [Open]
    ) throws {
        stack[stack.count - 1].textCount += 1
        guard stack[stack.count - 1].textCount <= limits.maximumTextCharacters else {
            throw fail(
                "text of <\(stack[stack.count - 1].element.name)> exceeds the cap of \(limits.maximumTextCharacters) characters",
                .capExceeded(.textCharacters))
        }
        text.append(c)
    }

    private mutating func parseStartTag(depth: Int) throws -> (XMLElementNode, Bool) {
        let (line, column) = lineAndColumn(index)
        guard depth <= limits.maximumDepth else {
            throw fail("elements nest deeper than the cap of \(limits.maximumDepth)", .capExceeded(.depth))
        }
        elementCount += 1
        guard elementCount <= limits.maximumElements else {
            throw fail("more than \(limits.maximumElements) elements (cap)", .capExceeded(.elements))
        }
        index += 1
        let elementName = try name("after '<'")
        var element = XMLElementNode(name: elementName, line: line, column: column)
        while true {
            let spaced = skipSpace()
            guard let c = peek() else { throw fail("unexpected end of document inside start tag <\(elementName)>") }
            if c == ">" { index += 1; return (element, false) }
            if c == "/" {
                index += 1
                try expect(">", "after '/' in start tag <\(elementName)>")
                return (element, true)
            }
            guard spaced else { throw fail("expected whitespace, '>' or '/>' in start tag <\(elementName)>") }
            let attributeName = try name("as an attribute name in <\(elementName)>")
            skipSpace()
            try expect("=", "after attribute '\(attributeName)'")
            skipSpace()
            let value = try attributeValue(attributeName)
            guard element.attribute(attributeName) == nil else {
                throw fail("attribute '\(attributeName)' repeated in <\(elementName)>")
            }
            guard element.attributes.count < limits.maximumAttributes else {
                throw fail(
                    "more than \(limits.maximumAttributes) attributes on <\(elementName)>", .capExceeded(.attributes))
            }
            element.attributes.append(.init(name: attributeName, value: value))
        }
    }

    private mutating func attributeValue(_ attribute: String) throws -> String {
        guard let quote = peek(), quote == "\"" || quote == "'" else {
            throw fail("value of attribute '\(attribute)' must be quoted")
        }
        index += 1
        var out = String.UnicodeScalarView()
        while true {
            guard let c = peek() else { throw fail("unexpected end of document inside attribute '\(attribute)'") }
            if c == quote { index += 1; break }
            if c == "<" { throw fail("'<' is not allowed in the value of attribute '\(attribute)'") }
            if c == "&" {
                out.append(try parseReference())
                continue
            }
            // Attribute-value normalisation (XML 3.3.3): literal whitespace becomes a space.
            out.append(XMLDocumentParser.isSpace(c) ? " " : c)
            index += 1
            guard out.count <= limits.maximumTextCharacters else {
                throw fail(
                    "value of attribute '\(attribute)' exceeds the cap of \(limits.maximumTextCharacters) characters",
                    .capExceeded(.textCharacters))
            }
        }
        return String(out)
    }

    private mutating func parseReference() throws -> Unicode.Scalar {
        let start = index
        index += 1
        if peek() == "#" {
            index += 1
            var radix = 10
            if peek() == "x" { radix = 16; index += 1 }
            var digits = ""
            while let c = peek(), c != ";" {
                guard digits.count < 10, c.properties.isASCIIHexDigit, radix == 16 || ("0"..."9").contains(c) else {
                    index = start
                    throw fail("malformed character reference")
                }
                digits.unicodeScalars.append(c)
                index += 1
            }
            guard peek() == ";", !digits.isEmpty, let value = UInt32(digits, radix: radix),
                let scalar = Unicode.Scalar(value), XMLDocumentParser.isChar(scalar)
            else {
                index = start
                throw fail("malformed or disallowed character reference")
            }
            index += 1
            return scalar
        }
        let entity = try name("in an entity reference")
        guard peek() == ";" else {
            index = start
            throw fail("entity reference '&\(entity)' is missing its ';'")
        }
        index += 1
        switch entity {
        case "lt": return "<"
        case "gt": return ">"
        case "amp": return "&"
        case "apos": return "'"
        case "quot": return "\""
        default:
            index = start
            throw fail("undefined entity '&\(entity);' (only the five predefined entities are allowed)")
        }
    }
}
