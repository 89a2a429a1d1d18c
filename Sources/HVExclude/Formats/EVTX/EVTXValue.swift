// Reference: libyal/libevtx, documentation/Windows XML Event Log (EVTX).asciidoc, "Value types",
// "Systemtime"; SID layout as libyal's libfwnt documents it.
import HVXBinary

/// One substitution value of a template instance, decoded.
///
/// Scalars are rendered to text once, when decoded, as Windows renders them (hex without leading zeros,
/// `0x4`, where `evtxexport -f xml` zero-pads), binary as upper-case hex, SIDs as `S-1-…`, GUIDs as `{…}`), except FILETIME and
/// SYSTEMTIME, which are written as ISO 8601 UTC with Windows's seven fraction digits.
package enum EVTXValue: Sendable {
    /// No value; an optional substitution of it leaves its attribute out.
    case null
    /// A rendered scalar or string.
    case text(String)
    /// An array: the element holding its substitution is repeated once per item (libyal, "Normal substitution").
    case array([String])
    /// An embedded binary XML fragment.
    case binXML([BinXMLNode])
    /// A value not decoded yet: `size` bytes of type `type` at chunk offset `offset`. Decoding waits until a
    /// substitution uses it, so values of pruned elements cost nothing.
    case deferred(type: UInt8, offset: Int, size: Int)

    /// Decodes `size` bytes of type `rawType` at `offset` of `bytes`.
    /// - Throws: ``EVTXError`` when the size does not suit the type.
    package static func decode(_ rawType: UInt8, _ bytes: [UInt8], at offset: Int, size: Int) throws -> EVTXValue {
        guard let type = EVTXValueType(rawValue: rawType & 0x7F) else {
            throw EVTXError.unknownValueType(rawType, offset: offset)
        }
        if rawType & 0x80 != 0 { return try decodeArray(type, bytes, at: offset, size: size) }
        switch type {
        case .null: return .null
        case .binXML, .handle, .evtXML:
            return .text(hexBytes(bytes, offset, size))  // binXML is parsed by the caller; the others are opaque
        case .string:
            return .text(utf16(bytes, offset, size))
        case .ansiString:
            return .text(ansi(bytes, offset, size))
        case .binary:
            return .text(hexBytes(bytes, offset, size))
        case .sid:
            return .text(try sid(bytes, offset, size))
        case .sizeT:
            guard size == 4 || size == 8 else { throw EVTXError.badValueSize(rawType, size: size, offset: offset) }
            return .text(hexInteger(try le(bytes, offset, size)))
        default:
            guard let element = type.elementSize, size == element else {
                throw EVTXError.badValueSize(rawType, size: size, offset: offset)
            }
            return .text(try scalar(type, bytes, offset))
        }
    }

    private static func decodeArray(
        _ type: EVTXValueType, _ bytes: [UInt8], at offset: Int, size: Int
    ) throws -> EVTXValue {
        var items: [String] = []
        switch type {
        case .string:
            var start = offset
            var index = offset
            let end = offset + size - size % 2
            while index < end {
                if bytes[index] == 0 && bytes[index + 1] == 0 {
                    items.append(utf16(bytes, start, index - start)); start = index + 2
                }
                index += 2
            }
            if start < end { items.append(utf16(bytes, start, end - start)) }
        case .ansiString:
            var start = offset
            for index in offset..<offset + size where bytes[index] == 0 {
                items.append(ansi(bytes, start, index - start)); start = index + 1
            }
            if start < offset + size { items.append(ansi(bytes, start, offset + size - start)) }
        case .sizeT:
            // An array of size_t should be paired with hex32 or hex64 (libyal): 8-byte items unless that cannot be.
            let width = size % 8 == 0 ? 8 : 4
            guard size % width == 0 else {
                throw EVTXError.badValueSize(type.rawValue | 0x80, size: size, offset: offset)
            }
            for start in stride(from: offset, to: offset + size, by: width) {
                items.append(hexInteger(try le(bytes, start, width)))
            }
        default:
            guard let width = type.elementSize, size % width == 0 else {
                throw EVTXError.badValueSize(type.rawValue | 0x80, size: size, offset: offset)
            }
            for start in stride(from: offset, to: offset + size, by: width) {
                items.append(try scalar(type, bytes, start))
            }
        }
        return .array(items)
    }

    /// A fixed-size scalar at `offset` (its size already checked).
    private static func scalar(_ type: EVTXValueType, _ bytes: [UInt8], _ offset: Int) throws -> String {
        switch type {
        case .int8: return String(Int8(bitPattern: bytes[offset]))
        case .uint8: return String(bytes[offset])
        case .int16: return String(Int16(truncatingIfNeeded: try le(bytes, offset, 2)))
        case .uint16: return String(try le(bytes, offset, 2))
        case .int32: return String(Int32(truncatingIfNeeded: try le(bytes, offset, 4)))
        case .uint32: return String(try le(bytes, offset, 4))
        case .int64: return String(Int64(bitPattern: try le(bytes, offset, 8)))
        case .uint64: return String(try le(bytes, offset, 8))
        case .float32: return String(Float(bitPattern: UInt32(try le(bytes, offset, 4))))
        case .float64: return String(Double(bitPattern: try le(bytes, offset, 8)))
        case .bool: return try le(bytes, offset, 4) != 0 ? "true" : "false"
        case .guid: return guidText(bytes, offset)
        case .fileTime: return EVTXTimestamp(fileTime: try le(bytes, offset, 8)).description
        case .systemTime: return try systemTime(bytes, offset)
        case .hex32: return hexInteger(try le(bytes, offset, 4))
        case .hex64: return hexInteger(try le(bytes, offset, 8))
        default: return ""
        }
    }

    /// Little-endian unsigned integer of `size` bytes, read through ``ByteReader``'s checked read: one past the
    /// end of the chunk throws (the callers check sizes first; this keeps a mistake from trapping).
    package static func le(_ bytes: [UInt8], _ offset: Int, _ size: Int) throws -> UInt64 {
        try ByteReader.integer(in: bytes, at: offset, size: size, .little, structure: "EVTX chunk")
    }

    /// UTF-16LE text; trailing NULs (some writers count the terminator) are dropped.
    package static func utf16(_ bytes: [UInt8], _ offset: Int, _ size: Int) -> String {
        var end = offset + size - size % 2
        while end >= offset + 2 && bytes[end - 1] == 0 && bytes[end - 2] == 0 { end -= 2 }
        if end == offset { return "" }
        // ASCII-only text (most of every log) decodes without the UTF-16 transcoder.
        var ascii = true
        var index = offset
        while index < end {
            if bytes[index + 1] != 0 || bytes[index] >= 0x80 { ascii = false; break }
            index += 2
        }
        if ascii {
            return String(unsafeUninitializedCapacity: (end - offset) / 2) { buffer in
                var out = 0
                var index = offset
                while index < end { buffer[out] = bytes[index]; out += 1; index += 2 }
                return out
            }
        }
        return UTF16Text.decode(Array(bytes[offset..<end]), .little)
    }

    /// ANSI text: the code page is not recorded, so bytes over 0x7F are read as Latin-1 (Windows-1252's
    /// near relative); trailing NULs are dropped.
    package static func ansi(_ bytes: [UInt8], _ offset: Int, _ size: Int) -> String {
        var end = offset + size
        while end > offset && bytes[end - 1] == 0 { end -= 1 }
        return String(String.UnicodeScalarView(bytes[offset..<end].map { Unicode.Scalar($0) }))
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)
    private static let lowerHexDigits = Array("0123456789abcdef".utf8)

    /// Upper-case hex of raw bytes, as evtxexport writes `<Binary>`.
    package static func hexBytes(_ bytes: [UInt8], _ offset: Int, _ size: Int) -> String {
        String(unsafeUninitializedCapacity: size * 2) { buffer in
            for index in 0..<size {
                buffer[index * 2] = hexDigits[Int(bytes[offset + index] >> 4)]
                buffer[index * 2 + 1] = hexDigits[Int(bytes[offset + index] & 0xF)]
            }
            return size * 2
        }
    }

    /// `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}` from the mixed-endian bytes at `offset` (first three fields
    /// little-endian), written directly: logs hold one or more GUIDs per record.
    package static func guidText(_ bytes: [UInt8], _ offset: Int) -> String {
        let order = [3, 2, 1, 0, -1, 5, 4, -1, 7, 6, -1, 8, 9, -1, 10, 11, 12, 13, 14, 15]
        return String(unsafeUninitializedCapacity: 38) { buffer in
            buffer[0] = UInt8(ascii: "{")
            var out = 1
            for index in order {
                if index < 0 { buffer[out] = UInt8(ascii: "-"); out += 1; continue }
                let byte = bytes[offset + index]
                buffer[out] = hexDigits[Int(byte >> 4)]
                buffer[out + 1] = hexDigits[Int(byte & 0xF)]
                out += 2
            }
            buffer[out] = UInt8(ascii: "}")
            return out + 1
        }
    }

    /// `0x` and the value in lower-case hex without leading zeros, as Windows renders HexInt32/HexInt64 and
    /// size_t values (`0x4`, `0x0`); evtxexport and python-evtx zero-pad them, so comparisons with them are numeric.
    package static func hexInteger(_ value: UInt64) -> String {
        let digits = max(1, (64 - value.leadingZeroBitCount + 3) / 4)
        return String(unsafeUninitializedCapacity: digits + 2) { buffer in
            buffer[0] = UInt8(ascii: "0"); buffer[1] = UInt8(ascii: "x")
            for index in 0..<digits {
                buffer[2 + index] = lowerHexDigits[Int((value >> UInt64((digits - 1 - index) * 4)) & 0xF)]
            }
            return digits + 2
        }
    }

    /// `S-1-5-21-…`: revision, sub-authority count, 48-bit big-endian authority, 32-bit little-endian
    /// sub-authorities.
    package static func sid(_ bytes: [UInt8], _ offset: Int, _ size: Int) throws -> String {
        guard size >= 8 else { throw EVTXError.badValueSize(EVTXValueType.sid.rawValue, size: size, offset: offset) }
        let count = Int(bytes[offset + 1])
        guard size >= 8 + count * 4 else {
            throw EVTXError.badValueSize(EVTXValueType.sid.rawValue, size: size, offset: offset)
        }
        let authority = try ByteReader.integer(in: bytes, at: offset + 2, size: 6, .big, structure: "EVTX SID")
        var text = "S-\(bytes[offset])-\(authority)"
        for index in 0..<count { text += "-\(try le(bytes, offset + 8 + index * 4, 4))" }
        return text
    }

    /// SYSTEMTIME (year, month, day of week, day, hour, minute, second, milliseconds; 16-bit each).
    package static func systemTime(_ bytes: [UInt8], _ offset: Int) throws -> String {
        func field(_ index: Int) throws -> Int { Int(try le(bytes, offset + index * 2, 2)) }
        return EVTXTimestamp.format(
            year: try field(0), month: try field(1), day: try field(3), hour: try field(4), minute: try field(5),
            second: try field(6), fraction: String(try field(7) + 1000).dropFirst())
    }
}
