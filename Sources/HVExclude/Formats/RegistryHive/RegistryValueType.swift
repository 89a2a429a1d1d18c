// Reference: libyal libregf "Windows NT Registry File (REGF) format", section 5 (value data types).
import HVXBinary

/// A registry value's data type (REG_*); unknown numbers are kept as they are.
///
/// | value | name |
/// |---|---|
/// | 0 | REG_NONE |
/// | 1 | REG_SZ |
/// | 2 | REG_EXPAND_SZ |
/// | 3 | REG_BINARY |
/// | 4 | REG_DWORD (little-endian) |
/// | 5 | REG_DWORD_BIG_ENDIAN |
/// | 6 | REG_LINK |
/// | 7 | REG_MULTI_SZ |
/// | 8 | REG_RESOURCE_LIST |
/// | 9 | REG_FULL_RESOURCE_DESCRIPTOR |
/// | 10 | REG_RESOURCE_REQUIREMENTS_LIST |
/// | 11 | REG_QWORD (little-endian) |
package struct RegistryValueType: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The stored type number.
    package var rawValue: UInt32

    /// Creates a type from its stored number.
    package init(rawValue: UInt32) { self.rawValue = rawValue }

    /// REG_NONE.
    package static let none = RegistryValueType(rawValue: 0)
    /// REG_SZ.
    package static let string = RegistryValueType(rawValue: 1)
    /// REG_EXPAND_SZ.
    package static let expandString = RegistryValueType(rawValue: 2)
    /// REG_BINARY.
    package static let binary = RegistryValueType(rawValue: 3)
    /// REG_DWORD.
    package static let dword = RegistryValueType(rawValue: 4)
    /// REG_DWORD_BIG_ENDIAN.
    static let dwordBigEndian = RegistryValueType(rawValue: 5)
    /// REG_LINK.
    package static let link = RegistryValueType(rawValue: 6)
    /// REG_MULTI_SZ.
    package static let multiString = RegistryValueType(rawValue: 7)
    /// REG_QWORD.
    package static let qword = RegistryValueType(rawValue: 11)

    /// The `reg query` name (`REG_SZ`), or `REG_0x…` for an unknown number.
    package var name: String {
        switch rawValue {
        case 0: "REG_NONE"
        case 1: "REG_SZ"
        case 2: "REG_EXPAND_SZ"
        case 3: "REG_BINARY"
        case 4: "REG_DWORD"
        case 5: "REG_DWORD_BIG_ENDIAN"
        case 6: "REG_LINK"
        case 7: "REG_MULTI_SZ"
        case 8: "REG_RESOURCE_LIST"
        case 9: "REG_FULL_RESOURCE_DESCRIPTOR"
        case 10: "REG_RESOURCE_REQUIREMENTS_LIST"
        case 11: "REG_QWORD"
        default: "REG_" + hex(rawValue)
        }
    }

    package var description: String { name }

    package init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        if let known = (0...11).first(where: { RegistryValueType(rawValue: UInt32($0)).name == text }) {
            rawValue = UInt32(known)
        } else if text.hasPrefix("REG_0x"), let number = UInt32(text.dropFirst(6), radix: 16) {
            rawValue = number
        } else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "unknown type \(text)"))
        }
    }

    package func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}

/// Registry value data interpreted by its type.
package enum RegistryData: Sendable, Equatable {
    /// REG_SZ text, cut at the first NUL.
    case string(String)
    /// REG_EXPAND_SZ text, unexpanded, cut at the first NUL.
    case expandString(String)
    /// REG_MULTI_SZ items (the empty terminator dropped).
    case multiString([String])
    /// REG_DWORD or REG_DWORD_BIG_ENDIAN, already in host order.
    case dword(UInt32)
    /// REG_QWORD.
    case qword(UInt64)
    /// REG_BINARY bytes.
    case binary([UInt8])
    /// REG_NONE (its bytes, usually none).
    case none([UInt8])
    /// Any other type, or a number whose size does not match its type.
    case raw([UInt8])

    /// Interprets `raw` as `type` says.
    package init(type: RegistryValueType, raw: [UInt8]) {
        switch type.rawValue {
        case 1: self = .string(RegistryData.text(raw))
        case 2: self = .expandString(RegistryData.text(raw))
        case 7:
            var items = UTF16Text.decode(raw, .little).split(separator: "\0", omittingEmptySubsequences: false)
                .map(String.init)
            while items.last == "" { items.removeLast() }
            self = .multiString(items)
        case 4 where raw.count == 4:
            self = .dword((try? ByteReader(raw, structure: "regf value").u32(at: 0, .little)) ?? 0)
        case 5 where raw.count == 4:
            self = .dword((try? ByteReader(raw, structure: "regf value").u32(at: 0, .big)) ?? 0)
        case 11 where raw.count == 8:
            self = .qword((try? ByteReader(raw, structure: "regf value").u64(at: 0, .little)) ?? 0)
        case 3: self = .binary(raw)
        case 0: self = .none(raw)
        default: self = .raw(raw)
        }
    }

    /// UTF-16LE text up to the first NUL; an odd trailing byte is ignored, as Windows does.
    package static func text(_ raw: [UInt8]) -> String {
        UTF16Text.decode(raw, .little, stopAtNUL: true)
    }
}
