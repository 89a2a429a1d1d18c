// Reference: libyal libregf "Windows NT Registry File (REGF) format", section 4.5 (value key, "vk").
import HVXBinary

/// One registry value (`vk` cell) with its data already gathered (inline, one cell, or `db` segments).
///
/// Offsets are from the start of the cell data:
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 2 | signature `vk` |
/// | 2 | 2 | name length in bytes (0 = the default value) |
/// | 4 | 4 | data length; bit 31 set = data stored inline in the data-offset field (≤ 4 bytes) |
/// | 8 | 4 | data cell offset, or the inline data |
/// | 12 | 4 | data type (REG_*) |
/// | 16 | 2 | flags (0x0001 compressed Latin-1 name) |
/// | 18 | 2 | spare |
/// | 20 | … | value name |
package struct RegistryValue: Sendable, Equatable {
    /// Flag bit: the name is stored one byte per character (Latin-1).
    static let compressedNameFlag: UInt16 = 0x0001
    /// Bit 31 of the data length: the data sits in the offset field.
    static let inlineDataBit: UInt32 = 0x8000_0000
    /// Fixed part of a `vk` record before the name.
    package static let headerSize = 20

    /// The value name, whole; empty for the default value.
    package var name: String
    /// The stored data type.
    package var type: RegistryValueType
    /// The data bytes exactly as stored (length as declared).
    package var raw: [UInt8]
    /// Cell offset of the `vk` record.
    var cellOffset: UInt32
    /// Absolute file offset of the `vk` cell data.
    var fileOffset: UInt64

    /// Whether this is the key's default value (empty name).
    package var isDefault: Bool { name.isEmpty }

    /// The data interpreted by type; wrong-sized numbers and unknown types stay raw.
    package var data: RegistryData { RegistryData(type: type, raw: raw) }

    /// The data as text when the type is a string type (SZ, EXPAND_SZ; MULTI_SZ joined with `\n`).
    package var stringValue: String? {
        switch data {
        case .string(let text), .expandString(let text): return text
        case .multiString(let items): return items.joined(separator: "\n")
        default: return nil
        }
    }

    /// The data as a number when the type is DWORD, DWORD_BE or QWORD and the size fits.
    package var integerValue: UInt64? {
        switch data {
        case .dword(let number): return UInt64(number)
        case .qword(let number): return number
        default: return nil
        }
    }
}

/// The fixed fields of a `vk` record, before its data is gathered.
package struct RegistryValueHeader {
    package var name: String
    package var dataLength: UInt32
    var isInline: Bool
    var dataOffset: UInt32
    var inlineBytes: [UInt8]
    package var type: UInt32

    package init(parsing reader: inout ByteReader) throws {
        guard reader.count >= RegistryValue.headerSize else {
            throw reader.error(
                "a vk record needs \(RegistryValue.headerSize) bytes, the cell holds \(reader.count)", at: 0)
        }
        let signature = try reader.bytes(count: 2)
        guard signature == [0x76, 0x6B] else {
            throw reader.error("signature is \(RegistryBaseBlock.printable(signature)), expected \"vk\"", at: 0)
        }
        let nameLength = Int(try reader.u16(.little))
        let storedLength = try reader.u32(.little)
        isInline = storedLength & RegistryValue.inlineDataBit != 0
        dataLength = storedLength & ~RegistryValue.inlineDataBit
        inlineBytes = try reader.bytes(count: 4)
        var copy = ByteReader(inlineBytes, structure: "")
        dataOffset = try copy.u32(.little)
        type = try reader.u32(.little)
        let flags = try reader.u16(.little)
        guard nameLength <= reader.count - RegistryValue.headerSize else {
            throw reader.error(
                "name length \(nameLength) runs past the cell (\(reader.count - RegistryValue.headerSize) bytes left)",
                at: 2)
        }
        try reader.seek(to: RegistryValue.headerSize)
        name = try RegistryKey.decodeName(
            &reader, byteCount: nameLength, compressed: flags & RegistryValue.compressedNameFlag != 0)
    }
}
