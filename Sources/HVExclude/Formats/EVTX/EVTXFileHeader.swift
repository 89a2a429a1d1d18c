// Reference: libyal/libevtx, documentation/Windows XML Event Log (EVTX).asciidoc, "File header"
import HVXBinary

/// The file header of an EVTX file (the first 4096 bytes; the fields end at 128).
///
/// | off | size | field |
/// |-----|------|-------|
/// | 0   | 8 | signature `ElfFile\0` |
/// | 8   | 8 | first chunk number |
/// | 16  | 8 | last chunk number |
/// | 24  | 8 | next record identifier |
/// | 32  | 4 | header size (128) |
/// | 36  | 2 | minor format version (1, or 2 from Windows 10 2004) |
/// | 38  | 2 | major format version (3) |
/// | 40  | 2 | header block size = offset of the first chunk (4096) |
/// | 42  | 2 | number of chunks |
/// | 44  | 76 | unknown (zero) |
/// | 120 | 4 | flags: 0x1 dirty (not closed cleanly), 0x2 full |
/// | 124 | 4 | CRC-32 (IEEE) of bytes 0–119 |
package struct EVTXFileHeader: Sendable, Equatable {
    /// `ElfFile\0`.
    package static let signature: [UInt8] = Array("ElfFile".utf8) + [0]
    /// Bytes the fields occupy.
    package static let size = 128

    /// First chunk number.
    var firstChunk: UInt64
    /// Last chunk number (the chunk Windows wrote last; logs wrap around).
    var lastChunk: UInt64
    /// Identifier the next record will get.
    var nextRecordIdentifier: UInt64
    /// Major format version.
    var majorVersion: UInt16
    /// Minor format version.
    var minorVersion: UInt16
    /// Offset of the first chunk.
    package var blockSize: UInt16
    /// Number of chunks the header declares.
    var chunkCount: UInt16
    /// Header flags.
    package var flags: UInt32
    /// Stored checksum.
    package var checksum: UInt32
    /// Checksum computed over bytes 0–119.
    var computedChecksum: UInt32

    /// The log was not closed cleanly: the header's counts may lag behind the chunks.
    var isDirty: Bool { flags & 0x1 != 0 }
    /// The log reached its maximum size.
    var isFull: Bool { flags & 0x2 != 0 }
    /// Whether the stored checksum matches.
    var checksumMatches: Bool { checksum == computedChecksum }

    /// Parses the header: size, signature, then fields. A checksum mismatch is not fatal (the caller warns):
    /// the chunks carry their own checksums.
    /// - Throws: ``BinaryFormatError`` when the bytes are too short or the signature is wrong.
    package init(parsing reader: inout ByteReader) throws {
        let start = reader.position
        try reader.require(EVTXFileHeader.size)
        let magic = try reader.bytes(count: 8)
        guard magic == EVTXFileHeader.signature else {
            throw reader.error("bad signature (expected \"ElfFile\"): not an EVTX event log", at: start)
        }
        firstChunk = try reader.u64(.little)
        lastChunk = try reader.u64(.little)
        nextRecordIdentifier = try reader.u64(.little)
        _ = try reader.u32(.little)  // header size: 128 in every file; the layout does not depend on it
        minorVersion = try reader.u16(.little)
        majorVersion = try reader.u16(.little)
        blockSize = try reader.u16(.little)
        chunkCount = try reader.u16(.little)
        try reader.skip(76)
        flags = try reader.u32(.little)
        checksum = try reader.u32(.little)
        computedChecksum = CRC32.ieee.checksum(try reader.slice(start..<start + 120))
        guard majorVersion == 3 else {
            throw reader.error("format version \(majorVersion).\(minorVersion) is not 3.x", at: start + 36)
        }
        guard blockSize >= EVTXFileHeader.size else {
            throw reader.error("header block size \(blockSize) is smaller than the header", at: start + 40)
        }
    }
}
