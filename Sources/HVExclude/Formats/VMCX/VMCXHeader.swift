// Reference: FORMATS.md "VMCX" (VmDataStore.dll HyperVStorageHeader, as documented by dissect.hypervisor)
import HVXBinary

/// One of the two file headers of a "HyperVStorage" container, at 0x0000 and 0x1000.
///
/// | off  | size | field |
/// |------|------|-------|
/// | 0x00 | 4 | signature 0x01282014 |
/// | 0x04 | 4 | CRC-32 (IEEE) over 0x00–0x2D with this field zeroed |
/// | 0x08 | 2 | sequence number (the valid header with the higher one is current) |
/// | 0x0A | 4 | format version (0x400) |
/// | 0x0E | 8 | unknown |
/// | 0x16 | 4 | alignment (0x1000) |
/// | 0x1A | 8 | replay-log offset |
/// | 0x22 | 8 | replay-log size |
/// | 0x2A | 4 | header area size (0x1000) |
package struct VMCXHeader: Sendable, Equatable {
    /// The header signature.
    package static let signature: UInt32 = 0x0128_2014
    /// Bytes covered by the checksum (the fields end at 0x2E).
    package static let size = 0x2E
    /// The only format version seen and supported.
    static let supportedVersion: UInt32 = 0x400

    /// Absolute offset of the header.
    package var offset: UInt64
    /// Stored checksum.
    package var checksum: UInt32
    /// Sequence number.
    var sequence: UInt16
    /// Format version.
    package var version: UInt32
    /// Allocation alignment.
    package var alignment: UInt32
    /// Absolute offset of the replay log header.
    var replayLogOffset: UInt64
    /// Size of the replay-log area.
    var replayLogSize: UInt64
    /// Size of the header area.
    var headerAreaSize: UInt32

    /// Parses and validates a header: size, signature, checksum, then fields.
    /// - Throws: ``BinaryFormatError`` naming what makes this header invalid.
    package init(parsing reader: inout ByteReader) throws {
        offset = reader.absolutePosition
        let start = reader.position
        let raw = try reader.structureBytes(VMCXHeader.size)
        try reader.expectSignature(VMCXHeader.signature)
        checksum = try reader.u32(.little)
        let computed = CRC32.ieee.checksum(raw, zeroingFieldAt: 4)
        guard computed == checksum else {
            throw reader.error("checksum mismatch (stored \(hex(checksum)), computed \(hex(computed)))", at: start)
        }
        sequence = try reader.u16(.little)
        version = try reader.u32(.little)
        try reader.skip(8)
        alignment = try reader.u32(.little)
        replayLogOffset = try reader.u64(.little)
        replayLogSize = try reader.u64(.little)
        headerAreaSize = try reader.u32(.little)
        guard alignment != 0, alignment & (alignment - 1) == 0, alignment <= 0x10000 else {
            throw reader.error("alignment \(hex(alignment)) is not a power of two up to 0x10000", at: start)
        }
    }
}
