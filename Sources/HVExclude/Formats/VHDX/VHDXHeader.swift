// Reference: MS-VHDX 2.2.2 (Headers)
import HVXBinary

/// One of the two 4 KiB VHDX headers (at 64 KiB and 128 KiB).
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 4 | signature `head` |
/// | 4 | 4 | CRC-32C over the 4 KiB with this field zeroed |
/// | 8 | 8 | sequence number (the valid header with the higher one is current) |
/// | 16 | 16 | FileWriteGuid |
/// | 32 | 16 | DataWriteGuid (a child's `parent_linkage` names it) |
/// | 48 | 16 | LogGuid (non-zero: a log must be replayed before the metadata is current) |
/// | 64 | 2 | LogVersion (0) |
/// | 66 | 2 | Version (1) |
/// | 68 | 4 | LogLength |
/// | 72 | 8 | LogOffset |
/// | 80 | 4016 | reserved |
package struct VHDXHeader: Sendable, Equatable {
    /// Size of a header.
    package static let size = 4096
    /// Absolute offsets of header 1 and header 2.
    static let offsets: [UInt64] = [0x10000, 0x20000]

    /// Stored CRC-32C.
    package var checksum: UInt32
    /// Sequence number.
    var sequenceNumber: UInt64
    /// Changes whenever the file is written.
    var fileWriteGuid: GUID
    /// Changes whenever the virtual disk's data is written; children link to it.
    var dataWriteGuid: GUID
    /// Non-zero while the log holds entries not yet applied.
    var logGuid: GUID
    /// Log format version.
    var logVersion: UInt16
    /// Header version (1).
    package var version: UInt16
    /// Length of the log region.
    var logLength: UInt32
    /// Absolute offset of the log region.
    var logOffset: UInt64

    /// Parses and validates a header from a reader over exactly ``size`` bytes.
    /// - Throws: ``BinaryFormatError`` on a short read, a wrong signature, a checksum mismatch or a version other than 1.
    package init(parsing reader: inout ByteReader) throws {
        let start = reader.position
        let raw = try reader.structureBytes(VHDXHeader.size)
        try reader.expectSignature("head")
        checksum = try reader.verifiedChecksum(.castagnoli, over: raw, fieldAt: 4)
        sequenceNumber = try reader.u64(.little)
        fileWriteGuid = try reader.guid()
        dataWriteGuid = try reader.guid()
        logGuid = try reader.guid()
        logVersion = try reader.u16(.little)
        version = try reader.u16(.little)
        guard version == 1 else {
            throw reader.error("version \(version) is not 1", at: start + 66)
        }
        logLength = try reader.u32(.little)
        logOffset = try reader.u64(.little)
        try reader.seek(to: start + VHDXHeader.size)
    }
}
