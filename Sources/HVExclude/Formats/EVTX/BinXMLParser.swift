// Reference: libyal/libevtx, documentation/Windows XML Event Log (EVTX).asciidoc, "Binary XML", "Token types",
// "Template instance", "Template definition", "Template instance data", "Name"
import HVXBinary

/// Parses the binary XML of one chunk into ``BinXMLNode`` trees.
///
/// Names and template definitions are stored once per chunk and referred to by chunk offset afterwards, so
/// the parser keeps both tables for the chunk's lifetime: each template is parsed once, however many records
/// use it. Every offset is checked against the chunk, every count against the bytes that could hold it, and
/// nesting against ``EVTXLimits``.
///
/// Token layouts (chunk-relative offsets throughout):
/// | token | layout after the token byte |
/// |-------|------------------------------|
/// | 0x01/0x41 open start element | u16 dependency id (absent inside an embedded binary XML value, and in some writers' direct elements), u32 data size, u32 name offset, [u32 attribute list size if 0x41] |
/// | 0x02 close start · 0x03 close empty · 0x04 end element · 0x00 end of fragment | — |
/// | 0x05/0x45 value text | u8 value type (0x01), u16 character count, UTF-16LE |
/// | 0x06/0x46 attribute | u32 name offset, then value tokens; 0x46 = another attribute follows |
/// | 0x07/0x47 CDATA | u16 character count, UTF-16LE |
/// | 0x08/0x48 character reference | u16 character |
/// | 0x09/0x49 entity reference | u32 name offset |
/// | 0x0a PI target · 0x0b PI data | u32 name offset · u16 count, UTF-16LE |
/// | 0x0c template instance | u8 unknown, u32 template id, u32 definition offset, [definition if inline], u32 value count, count × (u16 size, u8 type, u8 0), values |
/// | 0x0d/0x0e normal/optional substitution | u16 value index, u8 value type |
/// | 0x0f fragment header | u8 major (1), u8 minor (1), u8 flags |
/// A name is u32 next-name offset, u16 hash, u16 character count, UTF-16LE, u16 NUL; a name or template
/// definition whose offset is the current position is stored inline and skipped over.
package final class BinXMLParser {
    package let bytes: [UInt8]
    package let limits: EVTXLimits
    private var names: [Int: String] = [:]
    private var templates: [Int: EVTXTemplate] = [:]
    private var templatesInProgress: Set<Int> = []
    /// Current position.
    private var position = 0
    /// End of the data being parsed (a record's or a value's end).
    private var end = 0

    /// The same bytes, for the integer reads.
    private let reader: ByteReader

    package init(chunk bytes: [UInt8], limits: EVTXLimits) {
        self.bytes = bytes
        self.reader = ByteReader(bytes, structure: "EVTX binary XML")
        self.limits = limits
    }

    /// Parses the fragment in `range` (a record's event data).
    package func parseFragment(_ range: Range<Int>) throws -> [BinXMLNode] {
        guard range.lowerBound >= 0, range.upperBound <= bytes.count else {
            throw EVTXError.truncated("binary XML", offset: range.lowerBound)
        }
        position = range.lowerBound
        end = range.upperBound
        return try fragment(depth: 0, dependencyIdentifiers: true)
    }

    // MARK: - Primitive reads

    private func need(_ count: Int, _ what: String) throws {
        guard count >= 0, position + count <= end else { throw EVTXError.truncated(what, offset: position) }
    }

    private func u8() throws -> UInt8 {
        try need(1, "token")
        defer { position += 1 }
        return bytes[position]
    }

    private func u16() throws -> Int {
        try need(2, "16-bit field")
        defer { position += 2 }
        return Int(try reader.u16(at: position, .little))
    }

    private func u32() throws -> Int {
        try need(4, "32-bit field")
        defer { position += 4 }
        return Int(try reader.u32(at: position, .little))
    }

    /// UTF-16LE text of `count` characters at the current position.
    private func text(count: Int, _ what: String) throws -> String {
        try need(count * 2, what)
        defer { position += count * 2 }
        return EVTXValue.utf16(bytes, position, count * 2)
    }

    /// The name at chunk offset `offset`; skipped over when stored inline here.
    private func name(at offset: Int) throws -> String {
        if offset == position {
            try need(8, "name")
            let count = Int(try reader.u16(at: position + 6, .little))
            try need(8 + count * 2 + 2, "name")
            let value = names[offset] ?? EVTXValue.utf16(bytes, position + 8, count * 2)
            names[offset] = value
            position += 8 + count * 2 + 2
            return value
        }
        if let cached = names[offset] { return cached }
        guard offset >= EVTXChunkHeader.size, offset + 8 <= bytes.count else {
            throw EVTXError.badOffset("name", offset, offset: position)
        }
        let count = Int(try reader.u16(at: offset + 6, .little))
        guard offset + 8 + count * 2 <= bytes.count else { throw EVTXError.badOffset("name", offset, offset: position) }
        let value = EVTXValue.utf16(bytes, offset + 8, count * 2)
        names[offset] = value
        return value
    }

    private func peek() -> UInt8? { position < end ? bytes[position] : nil }

    /// Whether an element start at `start` read with (or without) a dependency identifier has a data size that
    /// ends inside the data being parsed and a name offset that is inline, already known, or a name stored
    /// earlier in the chunk.
    private func elementHeaderPlausible(at start: Int, dependencyIdentifier: Bool) -> Bool {
        // A field that does not fit makes the header implausible (each is checked against `end` first, too).
        func field(_ at: Int, _ size: Int) -> Int? { (try? EVTXValue.le(bytes, at, size)).map { Int($0) } }
        let sizeAt = start + 1 + (dependencyIdentifier ? 2 : 0)
        guard sizeAt + 8 <= end, let dataSize = field(sizeAt, 4) else { return false }
        guard dataSize <= end - (sizeAt + 4) else { return false }
        let nameAt = sizeAt + 8
        guard let offset = field(sizeAt + 4, 4) else { return false }
        if offset == nameAt {
            guard nameAt + 8 <= end, let count = field(nameAt + 6, 2) else { return false }
            return nameAt + 8 + count * 2 + 2 <= end
        }
        if names[offset] != nil { return true }
        guard offset >= EVTXChunkHeader.size, offset < start, offset + 8 <= bytes.count,
            let count = field(offset + 6, 2)
        else { return false }
        return offset + 8 + count * 2 <= start
    }

    // MARK: - Structure

    /// Tokens up to the end-of-fragment token or the end of the data.
    private func fragment(depth: Int, dependencyIdentifiers: Bool) throws -> [BinXMLNode] {
        guard depth < limits.maxDepth else {
            throw EVTXError.limitExceeded("binary XML nested more than \(limits.maxDepth) levels", offset: position)
        }
        var nodes: [BinXMLNode] = []
        while let token = peek() {
            switch token {
            case 0x00:
                position += 1
                return nodes
            case 0x0F:
                try need(4, "fragment header")
                position += 4
            case 0x01, 0x41:
                nodes.append(.element(try element(depth: depth + 1, dependencyIdentifiers: dependencyIdentifiers)))
            case 0x0C:
                nodes.append(try templateInstance(depth: depth + 1))
            case 0x0A, 0x0B:
                try processingInstruction()
            default:
                if let node = try contentValue(token) {
                    nodes.append(node)
                } else {
                    throw EVTXError.unexpectedToken(token, offset: position)
                }
            }
        }
        return nodes
    }

    private func element(depth: Int, dependencyIdentifiers: Bool) throws -> BinXMLElement {
        guard depth < limits.maxDepth else {
            throw EVTXError.limitExceeded("elements nested more than \(limits.maxDepth) levels", offset: position)
        }
        let start = position
        let token = try u8()
        // The dependency identifier is absent inside an embedded binary XML value (libyal) and, in direct
        // (template-less) elements, some writers leave it out (forwarded logs; the Rust `evtx` crate rereads the
        // element without it when the data size it read is implausible). Each element is read the way the format
        // expects here unless only the other way gives a data size inside the data and a name where one can be.
        var withDependency = dependencyIdentifiers
        if !elementHeaderPlausible(at: start, dependencyIdentifier: withDependency)
            && elementHeaderPlausible(at: start, dependencyIdentifier: !withDependency)
        {
            withDependency.toggle()
        }
        if withDependency { _ = try u16() }
        _ = try u32()  // data size: the tokens delimit the element themselves
        let elementName = try name(at: u32())
        let attributes = token & 0x40 != 0 ? try attributeList() : []
        var children: [BinXMLNode] = []
        let close = try u8()
        switch close {
        case 0x03:
            break
        case 0x02:
            children = try content(of: elementName, depth: depth, dependencyIdentifiers: dependencyIdentifiers)
        default:
            throw EVTXError.unexpectedToken(close, offset: position - 1)
        }
        return BinXMLElement(name: elementName, attributes: attributes, children: children)
    }

    /// An element's attribute list (after its size): each attribute's name and value pieces, up to the last one.
    private func attributeList() throws -> [(name: String, value: [BinXMLNode])] {
        var attributes: [(name: String, value: [BinXMLNode])] = []
        _ = try u32()  // attribute list size
        while let next = peek(), next & 0xBF == 0x06 {
            position += 1
            let attributeName = try name(at: u32())
            var value: [BinXMLNode] = []
            while let piece = peek(), let node = try contentValue(piece, attribute: true) { value.append(node) }
            attributes.append((attributeName, value))
            if next == 0x06 { break }
        }
        return attributes
    }

    /// The content of element `elementName` (at `depth`) up to its end tag: child elements, template instances and
    /// values; processing instructions are skipped.
    private func content(of elementName: String, depth: Int, dependencyIdentifiers: Bool) throws -> [BinXMLNode] {
        var children: [BinXMLNode] = []
        content: while true {
            guard let next = peek() else { throw EVTXError.truncated("element <\(elementName)>", offset: position) }
            switch next {
            case 0x04:
                position += 1
                break content
            case 0x01, 0x41:
                children.append(
                    .element(try element(depth: depth + 1, dependencyIdentifiers: dependencyIdentifiers)))
            case 0x0C:
                children.append(try templateInstance(depth: depth + 1))
            case 0x0A, 0x0B:
                try processingInstruction()
            default:
                guard let node = try contentValue(next) else {
                    throw EVTXError.unexpectedToken(next, offset: position)
                }
                children.append(node)
            }
        }
        return children
    }

    /// Value text, CDATA, references and substitutions; `nil` (nothing consumed) for any other token.
    private func contentValue(_ token: UInt8, attribute: Bool = false) throws -> BinXMLNode? {
        switch token & 0xBF {
        case 0x05:
            position += 1
            let type = try u8()
            guard type == 0x01 else {
                // Value text is always a string in real files; anything else is corruption.
                throw EVTXError.unknownValueType(type, offset: position - 1)
            }
            return .text(try text(count: u16(), "value text"))
        case 0x07 where !attribute:
            position += 1
            return .text(try text(count: u16(), "CDATA section"))
        case 0x08:
            position += 1
            let code = try u16()
            return .text(Unicode.Scalar(UInt32(code)).map { String(Character($0)) } ?? "\u{FFFD}")
        case 0x09:
            position += 1
            let entity = try name(at: u32())
            let resolved = ["lt": "<", "gt": ">", "amp": "&", "quot": "\"", "apos": "'"][entity] ?? "&\(entity);"
            return .text(resolved)
        default:
            guard token == 0x0D || token == 0x0E else { return nil }
            position += 1
            let index = try u16()
            _ = try u8()  // the type the template expects; the value's own descriptor decides
            return .substitution(index: index, optional: token == 0x0E)
        }
    }

    private func processingInstruction() throws {
        let token = try u8()
        if token == 0x0A { _ = try name(at: u32()) } else { _ = try text(count: u16(), "PI data") }
    }

    private func templateInstance(depth: Int) throws -> BinXMLNode {
        guard depth < limits.maxDepth else {
            throw EVTXError.limitExceeded("templates nested more than \(limits.maxDepth) levels", offset: position)
        }
        let start = position
        position += 1
        try need(9, "template instance")
        position += 5  // unknown byte, template identifier (the definition's GUID says more)
        let definitionOffset = try u32()
        let template: EVTXTemplate
        if definitionOffset == position {
            template = try definition(at: definitionOffset, depth: depth)
            position = definitionOffset + template.size
        } else if let cached = templates[definitionOffset] {
            template = cached
        } else {
            // A definition stored earlier in the chunk by a record we have not parsed (or could not).
            let saved = (position, end)
            end = bytes.count
            template = try definition(at: definitionOffset, depth: depth)
            (position, end) = saved
        }
        _ = start
        return .templateInstance(template, try instanceValues(depth: depth))
    }

    /// The definition at `offset`, parsed once per chunk.
    private func definition(at offset: Int, depth: Int) throws -> EVTXTemplate {
        if let cached = templates[offset] { return cached }
        guard offset >= EVTXChunkHeader.size, offset + 24 <= bytes.count else {
            throw EVTXError.badOffset("template definition", offset, offset: position)
        }
        guard !templatesInProgress.contains(offset) else { throw EVTXError.templateLoop(offset: offset) }
        templatesInProgress.insert(offset)
        defer { templatesInProgress.remove(offset) }
        let identifier = GUID(mixedEndian: Array(bytes[offset + 4..<offset + 20]))
        let dataSize = Int(try EVTXValue.le(bytes, offset + 20, 4))
        guard dataSize <= bytes.count - offset - 24 else {
            throw EVTXError.badOffset("template definition data end", offset + 24 + dataSize, offset: offset)
        }
        let saved = (position, end)
        position = offset + 24
        end = offset + 24 + dataSize
        let nodes = try fragment(depth: depth + 1, dependencyIdentifiers: true)
        (position, end) = saved
        let template = EVTXTemplate(offset: offset, identifier: identifier, size: 24 + dataSize, nodes: nodes)
        templates[offset] = template
        return template
    }

    /// The template instance data: count, descriptors, values.
    private func instanceValues(depth: Int) throws -> [EVTXValue] {
        let countOffset = position
        let count = try u32()
        guard count <= limits.maxSubstitutions else {
            throw EVTXError.limitExceeded(
                "template instance declares \(count) values (limit \(limits.maxSubstitutions))", offset: countOffset)
        }
        try need(count * 4, "template value descriptors")
        var descriptors: [(size: Int, type: UInt8)] = []
        descriptors.reserveCapacity(count)
        for index in 0..<count {
            let at = position + index * 4
            descriptors.append((Int(try reader.u16(at: at, .little)), try reader.u8(at: at + 2)))
        }
        position += count * 4
        var values: [EVTXValue] = []
        values.reserveCapacity(count)
        for descriptor in descriptors {
            try need(descriptor.size, "template value")
            let valueStart = position
            if descriptor.type == EVTXValueType.binXML.rawValue && descriptor.size > 0 {
                let saved = end
                end = valueStart + descriptor.size
                let nodes = try fragment(depth: depth + 1, dependencyIdentifiers: false)
                end = saved
                values.append(.binXML(nodes))
            } else {
                guard EVTXValueType(rawValue: descriptor.type & 0x7F) != nil else {
                    throw EVTXError.unknownValueType(descriptor.type, offset: valueStart)
                }
                values.append(
                    descriptor.type == 0
                        ? .null : .deferred(type: descriptor.type, offset: valueStart, size: descriptor.size))
            }
            position = valueStart + descriptor.size
        }
        return values
    }
}
