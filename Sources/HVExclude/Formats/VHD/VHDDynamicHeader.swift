// Reference: Microsoft "Virtual Hard Disk Image Format Specification" 1.0, Dynamic Disk Header Format
import HVXBinary

/// The 1024-byte dynamic disk header (big-endian) of dynamic and differencing VHDs.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 8 | cookie `cxsparse` |
/// | 8 | 8 | data offset (unused, all 0xFF) |
/// | 16 | 8 | BAT offset |
/// | 24 | 4 | header version (0x00010000) |
/// | 28 | 4 | max table entries |
/// | 32 | 4 | block size |
/// | 36 | 4 | checksum: one's complement of the byte sum with this field zeroed |
/// | 40 | 16 | parent unique id (the parent footer's unique id) |
/// | 56 | 4 | parent timestamp |
/// | 60 | 4 | reserved |
/// | 64 | 512 | parent unicode name, UTF-16BE, NUL-padded |
/// | 576 | 8 × 24 | parent locator entries (``Locator``) |
/// | 768 | 256 | reserved |
package struct VHDDynamicHeader: Sendable, Equatable {
    /// Size of the header.
    package static let size = 1024
    /// `cxsparse` as stored.
    static let cookie: [UInt8] = Array("cxsparse".utf8)

    /// One parent locator entry; only length and offset are trusted (Windows fills "data space" in bytes,
    /// the specification says sectors).
    ///
    /// | offset | size | field |
    /// |---|---|---|
    /// | 0 | 4 | platform code (`W2ru`, `W2ku`, `Wi2r`, `Wi2k`, `Mac `, `MacX`; 0 for none) |
    /// | 4 | 4 | data space |
    /// | 8 | 4 | data length in bytes |
    /// | 12 | 4 | reserved |
    /// | 16 | 8 | absolute file offset of the data |
    package struct Locator: Sendable, Equatable {
        /// Platform code as four characters.
        var platformCode: String
        /// Data space as stored (not trusted).
        var dataSpace: UInt32
        /// Length of the locator data in bytes.
        package var dataLength: UInt32
        /// Absolute file offset of the locator data.
        var dataOffset: UInt64
        /// Absolute offset of this entry (for messages).
        var entryOffset: UInt64
    }

    /// Absolute offset the header was read from.
    package var offset: UInt64
    /// Absolute offset of the block allocation table.
    var tableOffset: UInt64
    /// Number of BAT entries.
    var maxTableEntries: UInt32
    /// Block size in bytes.
    package var blockSize: UInt32
    /// Stored checksum.
    package var checksum: UInt32
    /// Checksum computed with the field zeroed.
    var computedChecksum: UInt32
    /// The parent's unique id (zero for a dynamic disk).
    var parentUniqueID: GUID
    /// The parent's modification time, seconds since 2000-01-01 UTC.
    var parentTimestamp: UInt32
    /// The parent's file name.
    var parentUnicodeName: String
    /// The non-empty locator entries.
    var locators: [Locator]

    /// Whether the stored checksum is right.
    var checksumMatches: Bool { checksum == computedChecksum }

    /// Parses a header from a reader over exactly ``size`` bytes.
    /// - Throws: ``BinaryFormatError`` on a short read or a wrong cookie. A checksum mismatch is left to the caller.
    package init(parsing reader: inout ByteReader) throws {
        guard reader.remaining >= VHDDynamicHeader.size else {
            throw reader.error("truncated: needs \(VHDDynamicHeader.size) bytes but only \(reader.remaining) remain")
        }
        let start = reader.position
        offset = reader.absolutePosition
        let raw = try reader.copy(start..<start + VHDDynamicHeader.size)
        guard try reader.bytes(count: 8) == VHDDynamicHeader.cookie else {
            throw reader.error("cookie is not \"cxsparse\"", at: start)
        }
        try reader.skip(8)
        tableOffset = try reader.u64(.big)
        try reader.skip(4)
        maxTableEntries = try reader.u32(.big)
        blockSize = try reader.u32(.big)
        checksum = try reader.u32(.big)
        computedChecksum = VHDFooter.onesComplementSum(raw, zeroingFieldAt: 36)
        // The same Windows GUID reading as the footer's unique id (VHDFooter), so the two compare.
        parentUniqueID = GUID(mixedEndian: try reader.bytes(count: 16))
        parentTimestamp = try reader.u32(.big)
        try reader.skip(4)
        parentUnicodeName = try reader.utf16(byteCount: 512, .big, stopAtNUL: true)
        var locators: [Locator] = []
        for _ in 0..<8 {
            let entryOffset = reader.absolutePosition
            let code = try reader.bytes(count: 4)
            let dataSpace = try reader.u32(.big)
            let dataLength = try reader.u32(.big)
            try reader.skip(4)
            let dataOffset = try reader.u64(.big)
            guard code != [0, 0, 0, 0] else { continue }
            locators.append(
                Locator(
                    platformCode: VHDFooter.fourCC(code), dataSpace: dataSpace, dataLength: dataLength,
                    dataOffset: dataOffset, entryOffset: entryOffset))
        }
        self.locators = locators
    }
}
