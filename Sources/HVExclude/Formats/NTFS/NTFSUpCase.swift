// Reference: libyal libfsntfs, "New Technologies File System (NTFS)", section "Case folding ($UpCase)".
import HVXBinary

/// The volume's upper-case table (`$UpCase`, MFT record 10): 65,536 UTF-16 code units, the upper-case form of each.
///
/// NTFS compares names by mapping every UTF-16 unit through this table, which is what Windows wrote when it formatted
/// the volume — not Unicode case folding ("ß" stays "ß", Turkish dotless i is not special).
package struct NTFSUpCase: Sendable {
    /// The table.
    package let table: [UInt16]

    /// Bytes of a complete table.
    package static let byteCount = 131_072

    /// Parses the table from `$UpCase`'s data.
    /// - Throws: ``BinaryFormatError`` when the data is shorter than 128 KiB.
    package init(parsing bytes: [UInt8]) throws {
        guard bytes.count >= NTFSUpCase.byteCount else {
            throw BinaryFormatError(
                "NTFS $UpCase", at: 0, "truncated: \(bytes.count) bytes, needs \(NTFSUpCase.byteCount)")
        }
        var table = [UInt16](repeating: 0, count: 65536)
        let reader = ByteReader(bytes, structure: "NTFS $UpCase")
        for index in 0..<65536 { table[index] = try reader.u16(at: index * 2, .little) }
        self.table = table
    }

    /// A table that upper-cases ASCII only (a volume whose `$UpCase` is unreadable; a warning says so).
    package static let ascii: NTFSUpCase = {
        var table = (0..<65536).map { UInt16($0) }
        for unit in UInt16(0x61)...UInt16(0x7A) { table[Int(unit)] = unit - 0x20 }
        return NTFSUpCase(table: table)
    }()

    private init(table: [UInt16]) { self.table = table }

    /// `units` upper-cased unit by unit.
    package func upper(_ units: some Sequence<UInt16>) -> [UInt16] { units.map { table[Int($0)] } }

    /// `name` upper-cased as NTFS compares it.
    package func fold(_ name: String) -> String {
        // ASCII names (nearly all) whose table entries stay ASCII: byte by byte, without the UTF-16 decoder, which
        // costs thousands of instructions a name (a folder listing folds every name in it).
        var bytes = Array(name.utf8)
        var plain = true
        for index in bytes.indices {
            let byte = bytes[index]
            let upper = byte < 0x80 ? table[Int(byte)] : 0xFFFF
            guard upper < 0x80 else {
                plain = false
                break
            }
            bytes[index] = UInt8(upper)
        }
        if plain { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: upper(name.utf16), as: UTF16.self)
    }
}
