// Reference: libyal/libevtx, documentation/Windows XML Event Log (EVTX).asciidoc, "Chunk header"
import HVXBinary

/// The 512-byte header of a 64 KiB chunk.
///
/// | off | size | field |
/// |-----|------|-------|
/// | 0   | 8 | signature `ElfChnk\0` |
/// | 8   | 8 | first event record number |
/// | 16  | 8 | last event record number |
/// | 24  | 8 | first event record identifier |
/// | 32  | 8 | last event record identifier |
/// | 40  | 4 | header size (128) |
/// | 44  | 4 | offset of the last event record (from the chunk start) |
/// | 48  | 4 | free space offset: the records end here |
/// | 52  | 4 | CRC-32 of the event records (512 to the free space offset) |
/// | 56  | 64 | unknown |
/// | 120 | 4 | unknown flags |
/// | 124 | 4 | CRC-32 of bytes 0–119 and 128–511 |
/// | 128 | 256 | 64 common string offsets |
/// | 384 | 128 | 32 template pointers |
package struct EVTXChunkHeader: Sendable, Equatable {
    /// `ElfChnk\0`.
    package static let signature: [UInt8] = Array("ElfChnk".utf8) + [0]
    /// Header size; records start here.
    package static let size = 512
    /// Chunk size.
    static let chunkSize = 0x10000

    /// First record number in the chunk.
    var firstRecordNumber: UInt64
    /// Last record number in the chunk.
    var lastRecordNumber: UInt64
    /// First record identifier.
    var firstRecordIdentifier: UInt64
    /// Last record identifier.
    var lastRecordIdentifier: UInt64
    /// Offset of the last record.
    var lastRecordOffset: UInt32
    /// End of the records.
    var freeSpaceOffset: UInt32
    /// Stored CRC-32 of the records.
    var recordsChecksum: UInt32
    /// Stored CRC-32 of the header.
    var headerChecksum: UInt32
    /// CRC-32 computed over the header.
    var computedHeaderChecksum: UInt32

    /// Whether the header's checksum matches.
    var headerChecksumMatches: Bool { headerChecksum == computedHeaderChecksum }

    /// Parses a chunk header from a reader positioned at the chunk start: size, signature, then fields.
    /// - Throws: ``BinaryFormatError`` when the bytes are short, the signature is wrong or the free space offset
    ///   lies outside the chunk.
    package init(parsing reader: inout ByteReader) throws {
        let start = reader.position
        try reader.require(EVTXChunkHeader.size)
        let magic = try reader.bytes(count: 8)
        guard magic == EVTXChunkHeader.signature else {
            throw reader.error("bad signature (expected \"ElfChnk\")", at: start)
        }
        firstRecordNumber = try reader.u64(.little)
        lastRecordNumber = try reader.u64(.little)
        firstRecordIdentifier = try reader.u64(.little)
        lastRecordIdentifier = try reader.u64(.little)
        _ = try reader.u32(.little)  // header size
        lastRecordOffset = try reader.u32(.little)
        freeSpaceOffset = try reader.u32(.little)
        recordsChecksum = try reader.u32(.little)
        try reader.skip(64 + 4)
        headerChecksum = try reader.u32(.little)
        computedHeaderChecksum = CRC32.ieee.checksum(
            try reader.copy(start..<start + 120) + reader.slice(start + 128..<start + 512))
        try reader.seek(to: start + EVTXChunkHeader.size)
        guard freeSpaceOffset >= UInt32(EVTXChunkHeader.size), freeSpaceOffset <= UInt32(EVTXChunkHeader.chunkSize)
        else {
            throw reader.error(
                "free space offset \(hex(freeSpaceOffset)) lies outside the records area 0x200–0x10000", at: start + 48)
        }
    }
}
