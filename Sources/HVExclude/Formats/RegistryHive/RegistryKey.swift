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
            throw reader.error(
                "an nk record needs \(RegistryKey.headerSize) bytes, the cell holds \(reader.count)", at: 0)
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
        let compressed = flags & RegistryKey.compressedNameFlag != 0
        // A name running past its cell is cut at the cell's end (as dissect.regf reads it); the hive warns.
        var stored = min(nameLength, reader.count - RegistryKey.headerSize)
        if !compressed { stored -= stored % 2 }
        declaredNameLength = nameLength
        storedNameLength = stored
        try reader.seek(to: RegistryKey.headerSize)
        name = try RegistryKey.decodeName(&reader, byteCount: stored, compressed: compressed)
    }

    /// The name length the record declares, in bytes; more than the name read when it ran past the cell.
    var declaredNameLength: Int
    /// Whether the declared name ran past the cell and ``name`` holds only the part inside it.
    var nameIsCut: Bool { declaredNameLength > storedNameLength }
    /// The bytes of the name inside the cell.
    var storedNameLength: Int

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
        return escapingLoneSurrogates(try reader.bytes(count: byteCount))
    }

    /// UTF-16LE text in which a lone surrogate is written `\uD800` (upper-case hex), so that two names differing
    /// only there stay distinct (decoding would make both U+FFFD).
    static func escapingLoneSurrogates(_ raw: [UInt8]) -> String {
        let decoded = UTF16Text.decode(raw, .little)
        // Decoding turns a lone surrogate into U+FFFD; only then are the code units looked at one by one.
        guard decoded.unicodeScalars.contains("\u{FFFD}") else { return decoded }
        let reader = ByteReader(raw, structure: "regf name")
        let units = (0..<raw.count / 2).map { (try? reader.u16(at: $0 * 2, .little)) ?? 0 }  // inside raw: the range
        var out = ""
        var position = 0
        while position < units.count {
            let unit = units[position]
            let paired = position + 1 < units.count && (0xDC00...0xDFFF).contains(units[position + 1])
            if (0xD800...0xDBFF).contains(unit), paired {
                out += String(decoding: units[position...position + 1], as: UTF16.self)
                position += 2
                continue
            }
            if (0xD800...0xDFFF).contains(unit) {
                out += "\\u" + String(unit, radix: 16, uppercase: true)
            } else {
                out.unicodeScalars.append(Unicode.Scalar(unit) ?? "\u{FFFD}")
            }
            position += 1
        }
        return out
    }
}
