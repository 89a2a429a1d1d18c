// Reference: FORMATS.md "VMCX" (HyperVStorageKeyTable)
import HVXBinary

/// A key table: a 10-byte header followed by key entries up to the first entry of size 0.
///
/// | off | size | field |
/// |-----|------|-------|
/// | 0 | 2 | signature 0x0002 |
/// | 2 | 2 | table index (what entries' parent table fields name) |
/// | 4 | 2 | sequence number |
/// | 6 | 4 | CRC-32 (IEEE) over these 10 bytes with this field zeroed |
/// | 10 | … | entries (``VMCXKeyEntry``) |
///
/// Only tables that the object table lists as allocated key-table objects are live: stale copies with the same
/// index (even the same sequence) lie in free objects and the replay-log area.
package struct VMCXKeyTable: Sendable, Equatable {
    /// The key-table signature.
    package static let signature: UInt16 = 0x0002
    /// Size of the table header.
    package static let headerSize = 10
    /// Cap on one table's size (every sample uses 0x1000).
    static let maximumSize: UInt32 = 1 << 20

    /// Absolute offset of the table.
    package var offset: UInt64
    /// Size of the table object.
    package var size: UInt32
    /// Table index.
    package var index: UInt16
    /// Sequence number.
    var sequence: UInt16
    /// Whether the stored header checksum matches.
    var checksumValid: Bool
    /// Non-free entries, in stored order.
    package var entries: [VMCXKeyEntry]
    /// Problems met in this table (the table is kept up to the damage).
    package var warnings: [Diagnostic]

    /// Parses a table over `reader`, which holds exactly the table object's bytes.
    /// - Throws: ``BinaryFormatError`` when the table is too small or its signature is wrong.
    package init(parsing reader: ByteReader) throws {
        guard reader.count >= VMCXKeyTable.headerSize else {
            throw reader.error(
                "key table of \(reader.count) bytes is smaller than its \(VMCXKeyTable.headerSize)-byte header", at: 0)
        }
        let magic = try reader.peek(UInt16.self, at: 0, .little)
        guard magic == VMCXKeyTable.signature else {
            throw reader.error("bad key-table signature \(hex(magic)) (expected \(hex(VMCXKeyTable.signature)))", at: 0)
        }
        offset = reader.baseOffset
        size = UInt32(reader.count)
        index = try reader.peek(UInt16.self, at: 2, .little)
        sequence = try reader.peek(UInt16.self, at: 4, .little)
        let stored = try reader.peek(UInt32.self, at: 6, .little)
        checksumValid = CRC32.ieee.checksum(try reader.copy(0..<10), zeroingFieldAt: 6) == stored
        var entries: [VMCXKeyEntry] = []
        var warnings: [Diagnostic] = []
        var position = VMCXKeyTable.headerSize
        let label = "VMCX key table \(index) at \(hex(reader.baseOffset))"
        while position + VMCXKeyEntry.headerSize <= reader.count {
            let (type, entrySize) = try VMCXKeyEntry.peekTypeAndSize(reader, at: position)
            if entrySize == 0 { break }
            let at = hex(reader.baseOffset + UInt64(position))
            guard entrySize >= UInt32(VMCXKeyEntry.headerSize),
                UInt64(position) + UInt64(entrySize) <= UInt64(reader.count)
            else {
                warnings.append(
                    .vmcxKeyEntrySize, at: .offset(reader.baseOffset + UInt64(position)),
                    "\(label): key entry at \(at) has size \(entrySize), past the end of the \(hex(reader.count))-byte table"
                        + " (or smaller than its header); the rest of the table was not read")
                break
            }
            if type != VMCXKeyEntry.freeType {
                do {
                    let sub = try reader.sub(at: position, count: Int(entrySize), structure: "VMCX key entry")
                    entries.append(try VMCXKeyEntry(parsing: sub, tableIndex: index, offset: UInt32(position)))
                } catch let error as BinaryFormatError {
                    warnings.append(
                        .vmcxKeyEntryUnreadable, at: .offset(error.offset), "\(error.description); entry skipped")
                }
            }
            position += Int(entrySize)
        }
        self.entries = entries
        self.warnings = warnings
    }
}
