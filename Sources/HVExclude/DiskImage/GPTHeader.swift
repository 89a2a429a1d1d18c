// Reference: UEFI Specification 2.10, 5.3.2 "GPT Header", Table 5.5
import HVXBinary

/// A GUID Partition Table header (primary at LBA 1, backup at the disk's last LBA).
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 8 | signature `EFI PART` |
/// | 8 | 4 | revision (0x00010000) |
/// | 12 | 4 | header size (92 ≤ size ≤ logical block size) |
/// | 16 | 4 | header CRC-32 (IEEE) over `header size` bytes with this field zeroed |
/// | 20 | 4 | reserved, zero |
/// | 24 | 8 | MyLBA: where this header lives |
/// | 32 | 8 | AlternateLBA: where the other copy lives |
/// | 40 | 8 | first usable LBA |
/// | 48 | 8 | last usable LBA |
/// | 56 | 16 | disk GUID (mixed-endian) |
/// | 72 | 8 | partition entry array LBA |
/// | 80 | 4 | number of partition entries |
/// | 84 | 4 | size of one partition entry (128 × 2ⁿ) |
/// | 88 | 4 | partition entry array CRC-32 |
package struct GPTHeader: Sendable, Equatable {
    /// The signature at offset 0.
    package static let signature = Array("EFI PART".utf8)
    /// Smallest valid header size.
    static let minimumSize = 92
    /// Cap on the entry count: the spec minimum is 128 and real tools write 128; 4096 leaves room for odd
    /// writers while keeping the array read bounded.
    package static let maximumEntryCount: UInt32 = 4096
    /// Cap on one entry's size.
    static let maximumEntrySize: UInt32 = 4096
    /// Cap on the whole entry array read.
    static let maximumArrayBytes = 1 << 20

    /// Header size field.
    package var headerSize: UInt32
    /// Stored header CRC-32.
    var headerCRC: UInt32
    /// LBA of this header.
    var myLBA: UInt64
    /// LBA of the other copy.
    var alternateLBA: UInt64
    /// First LBA a partition may use.
    var firstUsableLBA: UInt64
    /// Last LBA a partition may use.
    var lastUsableLBA: UInt64
    /// The disk GUID.
    var diskGUID: GUID
    /// LBA of the partition entry array.
    var entryArrayLBA: UInt64
    /// Number of entries in the array.
    package var entryCount: UInt32
    /// Bytes per entry.
    package var entrySize: UInt32
    /// Stored CRC-32 of the entry array.
    var entryArrayCRC: UInt32

    /// Parses and checks a header read as one logical block.
    /// - Throws: ``BinaryFormatError`` for a short block, a wrong signature, a bad size, a header CRC
    ///   mismatch, or entry counts and sizes beyond the caps.
    package init(parsing reader: inout ByteReader) throws {
        try reader.requireBlock(GPTHeader.minimumSize)
        try reader.expectBytes(GPTHeader.signature, at: 0, "signature")
        headerSize = try reader.peek(UInt32.self, at: 12, .little)
        guard headerSize >= GPTHeader.minimumSize, headerSize <= reader.count else {
            throw reader.error("header size \(headerSize) is outside 92…\(reader.count)", at: 12)
        }
        headerCRC = try reader.peek(UInt32.self, at: 16, .little)
        let computed = CRC32.ieee.checksum(try reader.copy(0..<Int(headerSize)), zeroingFieldAt: 16)
        guard computed == headerCRC else {
            throw reader.error("header CRC-32 mismatch (stored \(hex(headerCRC)), computed \(hex(computed)))", at: 16)
        }
        try reader.seek(to: 24)
        myLBA = try reader.u64(.little)
        alternateLBA = try reader.u64(.little)
        firstUsableLBA = try reader.u64(.little)
        lastUsableLBA = try reader.u64(.little)
        diskGUID = try reader.guid()
        entryArrayLBA = try reader.u64(.little)
        entryCount = try reader.u32(.little)
        entrySize = try reader.u32(.little)
        entryArrayCRC = try reader.u32(.little)
        guard entrySize >= 128, entrySize <= GPTHeader.maximumEntrySize, entrySize.nonzeroBitCount == 1 else {
            throw reader.error(
                "partition entry size \(entrySize) is not 128 × 2ⁿ (≤ \(GPTHeader.maximumEntrySize))", at: 84)
        }
        guard entryCount <= GPTHeader.maximumEntryCount,
            Int(entryCount) * Int(entrySize) <= GPTHeader.maximumArrayBytes
        else {
            throw reader.error(
                "\(entryCount) partition entries of \(entrySize) bytes exceed the cap of \(GPTHeader.maximumArrayBytes) bytes",
                at: 80)
        }
    }

    /// Bytes of the partition entry array.
    var entryArrayBytes: Int { Int(entryCount) * Int(entrySize) }
}
