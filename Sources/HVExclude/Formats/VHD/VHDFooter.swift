// Reference: Microsoft "Virtual Hard Disk Image Format Specification" 1.0, Hard Disk Footer Format
import HVXBinary

/// The 512-byte VHD footer (big-endian), at the end of every VHD and copied at offset 0 of dynamic and
/// differencing disks.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 8 | cookie `conectix` |
/// | 8 | 4 | features |
/// | 12 | 4 | file format version (0x00010000) |
/// | 16 | 8 | data offset (all 0xFF for fixed disks; else the dynamic header's absolute offset) |
/// | 24 | 4 | timestamp (seconds since 2000-01-01 00:00 UTC) |
/// | 28 | 4 | creator application (`win `, `vpc `, `qemu`) |
/// | 32 | 4 | creator version (major << 16 \| minor) |
/// | 36 | 4 | creator host OS (`Wi2k`, `Mac `) |
/// | 40 | 8 | original size |
/// | 48 | 8 | current size |
/// | 56 | 4 | disk geometry |
/// | 60 | 4 | disk type (2 fixed, 3 dynamic, 4 differencing) |
/// | 64 | 4 | checksum: one's complement of the byte sum with this field zeroed |
/// | 68 | 16 | unique id |
/// | 84 | 1 | saved state |
/// | 85 | 427 | reserved |
package struct VHDFooter: Sendable, Equatable {
    /// Size of a footer; very old files end with a 511-byte one.
    package static let size = 512
    /// `conectix` as stored.
    static let cookie: [UInt8] = Array("conectix".utf8)

    /// Absolute offset the footer was read from.
    package var offset: UInt64
    /// Data offset (the dynamic header's place, or all 0xFF).
    var dataOffset: UInt64
    /// Seconds since 2000-01-01 00:00 UTC.
    var timestamp: UInt32
    /// Creator application, 4 characters.
    var creatorApplication: String
    /// Creator version (major in the high 16 bits).
    var creatorVersion: UInt32
    /// Creator host OS, 4 characters.
    var creatorHostOS: String
    /// Original size in bytes.
    var originalSize: UInt64
    /// Current (virtual) size in bytes.
    var currentSize: UInt64
    /// Disk type code (2, 3 or 4).
    var diskType: UInt32
    /// Stored checksum.
    package var checksum: UInt32
    /// Checksum computed over the footer with the field zeroed.
    var computedChecksum: UInt32
    /// Unique id (a differencing child's dynamic header names its parent by it).
    var uniqueID: GUID

    /// Whether the stored checksum is right.
    var checksumMatches: Bool { checksum == computedChecksum }

    /// Parses a footer from a reader over 511 or 512 bytes.
    /// - Throws: ``BinaryFormatError`` on a short read, a wrong cookie or an unknown disk type. A checksum
    ///   mismatch is not an error: callers turn it into a warning.
    package init(parsing reader: inout ByteReader) throws {
        guard reader.remaining >= VHDFooter.size - 1 else {
            throw reader.error("truncated: needs \(VHDFooter.size) bytes but only \(reader.remaining) remain")
        }
        let start = reader.position
        offset = reader.absolutePosition
        let raw = try reader.copy(start..<start + min(VHDFooter.size, reader.remaining))
        guard try reader.bytes(count: 8) == VHDFooter.cookie else {
            throw reader.error("cookie is not \"conectix\"", at: start)
        }
        try reader.skip(8)
        dataOffset = try reader.u64(.big)
        timestamp = try reader.u32(.big)
        creatorApplication = VHDFooter.fourCC(try reader.bytes(count: 4))
        creatorVersion = try reader.u32(.big)
        creatorHostOS = VHDFooter.fourCC(try reader.bytes(count: 4))
        originalSize = try reader.u64(.big)
        currentSize = try reader.u64(.big)
        try reader.skip(4)
        diskType = try reader.u32(.big)
        guard (2...4).contains(diskType) else {
            throw reader.error(
                "disk type \(diskType) is not 2 (fixed), 3 (dynamic) or 4 (differencing)", at: start + 60)
        }
        checksum = try reader.u32(.big)
        computedChecksum = VHDFooter.onesComplementSum(raw, zeroingFieldAt: 64)
        // Read as Windows writes a GUID (first three fields little-endian), not in stored order as vhdiinfo
        // prints it: Windows-written ids are then valid version-4 GUIDs (../shared/fixtures/vhd/real: f84f1636-cd9e-9041-…
        // in stored order is 36164FF8-9ECD-4190-…). The parent link in the dynamic header is read the same way.
        uniqueID = GUID(mixedEndian: try reader.bytes(count: 16))
    }

    /// One's complement of the byte sum with the 4 bytes at `fieldOffset` left out (the VHD checksum).
    static func onesComplementSum(_ bytes: [UInt8], zeroingFieldAt fieldOffset: Int) -> UInt32 {
        var sum: UInt32 = 0
        for (index, byte) in bytes.enumerated() where index < fieldOffset || index >= fieldOffset + 4 {
            sum &+= UInt32(byte)
        }
        return ~sum
    }

    /// A four-character code as text (Latin-1, so any byte maps to one character).
    static func fourCC(_ bytes: [UInt8]) -> String {
        String(bytes.map { Character(Unicode.Scalar($0)) })
    }

    /// "win  10.0 (Wi2k)"-style description of the creator.
    var creatorDescription: String {
        let application = creatorApplication.trimmingSpaces
        return "\(application) \(creatorVersion >> 16).\(creatorVersion & 0xFFFF) (\(creatorHostOS.trimmingSpaces))"
    }
}

extension String {
    /// The string without leading and trailing spaces and NULs (four-character codes are space-padded).
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\0" }),
            let last = scalars.lastIndex(where: { $0 != " " && $0 != "\0" })
        else { return "" }
        return String(scalars[first...last])
    }
}
