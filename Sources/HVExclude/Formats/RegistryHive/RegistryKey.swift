// Reference: libyal libregf "Windows NT Registry File (REGF) format", section 4.2 (named key, "nk").
import HVXBinary

/// One registry key (`nk` cell), as stored; its subkeys and values are read on demand through ``RegistryHive``.
///
/// Offsets are from the start of the cell data (after the 4-byte cell size):
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 2 | signature `nk` |
/// | 2 | 2 | flags (0x04 root key, 0x20 compressed Latin-1 name) |
/// | 4 | 8 | last written FILETIME |
/// | 12 | 4 | access bits / spare |
/// | 16 | 4 | parent key cell offset |
/// | 20 | 4 | number of (stable) subkeys |
/// | 24 | 4 | number of volatile subkeys (never on disk) |
/// | 28 | 4 | subkey list cell offset (0xFFFFFFFF = none) |
/// | 32 | 4 | volatile subkey list offset |
/// | 36 | 4 | number of values |
/// | 40 | 4 | value list cell offset (0xFFFFFFFF = none) |
/// | 44 | 4 | security (`sk`) cell offset |
/// | 48 | 4 | class name cell offset |
/// | 52 | 20 | largest name/class/value sizes, work var |
/// | 72 | 2 | key name length in bytes |
/// | 74 | 2 | class name length in bytes |
/// | 76 | … | key name (Latin-1 when compressed, else UTF-16LE) |
package struct RegistryKey: Sendable, Equatable {
    /// Flag bit: the root key of the hive.
    static let rootFlag: UInt16 = 0x0004
    /// Flag bit: the name is stored one byte per character (Latin-1).
    static let compressedNameFlag: UInt16 = 0x0020
    /// Fixed part of an `nk` record before the name.
    package static let headerSize = 76

    /// The key name, whole (an embedded NUL stays in the string).
    package var name: String
    /// Cell offset of this key (relative to the first hbin).
    var cellOffset: UInt32
    /// Absolute file offset of the cell data.
    var fileOffset: UInt64
    /// Raw flags.
    package var flags: UInt16
    /// Last written time as a Windows FILETIME.
    var lastWritten: UInt64
    /// Cell offset of the parent key.
    var parentOffset: UInt32
    /// Number of subkeys the key declares.
    var subkeyCount: UInt32
    /// Cell offset of the subkey list, or 0xFFFFFFFF.
    var subkeyListOffset: UInt32
    /// Number of values the key declares.
    var valueCount: UInt32
    /// Cell offset of the value list, or 0xFFFFFFFF.
    var valueListOffset: UInt32

    /// Whether the name was stored compressed (one Latin-1 byte per character).
    var hasCompressedName: Bool { flags & RegistryKey.compressedNameFlag != 0 }

    /// Parses an `nk` record from its cell data.
    /// - Throws: ``BinaryFormatError`` for a short record, a wrong signature or a name running past the cell.
    package init(parsing reader: inout ByteReader, cellOffset: UInt32) throws {
        guard reader.count >= RegistryKey.headerSize else {
            throw reader.error("an nk record needs \(RegistryKey.headerSize) bytes, the cell holds \(reader.count)", at: 0)
        }
        let signature = try reader.bytes(count: 2)
        guard signature == [0x6E, 0x6B] else {
            throw reader.error("signature is \(RegistryBaseBlock.printable(signature)), expected \"nk\"", at: 0)
        }
        self.cellOffset = cellOffset
        fileOffset = reader.baseOffset
        flags = try reader.u16(.little)
        lastWritten = try reader.u64(.little)
        try reader.skip(4)
        parentOffset = try reader.u32(.little)
        subkeyCount = try reader.u32(.little)
        try reader.skip(4)
        subkeyListOffset = try reader.u32(.little)
        try reader.skip(4)
        valueCount = try reader.u32(.little)
        valueListOffset = try reader.u32(.little)
        try reader.seek(to: 72)
        let nameLength = Int(try reader.u16(.little))
        guard nameLength <= reader.count - RegistryKey.headerSize else {
            throw reader.error(
                "name length \(nameLength) runs past the cell (\(reader.count - RegistryKey.headerSize) bytes left)",
                at: 72)
        }
        try reader.seek(to: RegistryKey.headerSize)
        let compressed = flags & RegistryKey.compressedNameFlag != 0
        name = try RegistryKey.decodeName(&reader, byteCount: nameLength, compressed: compressed)
    }

    /// Decodes a stored name: Latin-1 bytes when compressed, else UTF-16LE; NULs are kept.
    static func decodeName(_ reader: inout ByteReader, byteCount: Int, compressed: Bool) throws -> String {
        if compressed {
            let raw = try reader.bytes(count: byteCount)
            var text = ""
            text.unicodeScalars.reserveCapacity(raw.count)
            for byte in raw { text.unicodeScalars.append(Unicode.Scalar(byte)) }
            return text
        }
        guard byteCount % 2 == 0 else {
            throw reader.error("UTF-16 name of odd length \(byteCount)")
        }
        return try reader.utf16(byteCount: byteCount, .little)
    }
}
