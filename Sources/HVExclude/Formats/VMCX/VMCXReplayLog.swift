// Reference: FORMATS.md "VMCX" (HyperVStorageReplayLog)
import HVXBinary

/// The replay-log header a file header points at: a journal of writes not yet applied when its count is non-zero.
///
/// | off | size | field |
/// |-----|------|-------|
/// | 0x00 | 4 | signature 0x01110003 |
/// | 0x04 | 4 | CRC-32 (IEEE) over 0x00–0x21 with this field zeroed |
/// | 0x08 | 4 | outstanding entry count |
package struct VMCXReplayLog: Sendable, Equatable {
    /// The replay-log signature.
    package static let signature: UInt32 = 0x0111_0003
    /// Bytes read (the checksummed part).
    package static let size = 0x22

    /// Absolute offset of the header.
    package var offset: UInt64
    /// Outstanding entries (0 in a cleanly closed file).
    package var entryCount: UInt32
    /// Whether the stored checksum matches.
    var checksumValid: Bool

    /// Parses a replay-log header.
    /// - Throws: ``BinaryFormatError`` on a short read or a bad signature.
    package init(parsing reader: inout ByteReader) throws {
        offset = reader.absolutePosition
        let raw = try reader.structureBytes(VMCXReplayLog.size)
        try reader.expectSignature(VMCXReplayLog.signature)
        let stored = try reader.u32(.little)
        checksumValid = CRC32.ieee.checksum(raw, zeroingFieldAt: 4) == stored
        entryCount = try reader.u32(.little)
    }
}
