/// Table-driven CRC-32 variants used by the formats we read.
///
/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, as zlib's `crc32`) checks VMCX headers;
/// CRC-32C (Castagnoli, reflected 0x82F63B78) checks VHDX headers, region tables and log entries.
package struct CRC32: Sendable {
    @usableFromInline let table: [UInt32]

    /// CRC-32 (IEEE).
    package static let ieee = CRC32(polynomial: 0xEDB8_8320)
    /// CRC-32C (Castagnoli).
    package static let castagnoli = CRC32(polynomial: 0x82F6_3B78)

    /// A CRC over the reflected `polynomial`.
    package init(polynomial: UInt32) {
        table = (0..<256).map { index -> UInt32 in
            var crc = UInt32(index)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ polynomial : crc >> 1 }
            return crc
        }
    }

    /// The checksum of `bytes`.
    @inlinable package func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        // Contiguous bytes (arrays, slices: every caller) take the unchecked path: an event log checks megabytes.
        if let fast = bytes.withContiguousStorageIfAvailable({ buffer in
            table.withUnsafeBufferPointer { table in
                var crc: UInt32 = 0xFFFF_FFFF
                for byte in buffer { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
                return ~crc
            }
        }) {
            return fast
        }
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return ~crc
    }

    /// The checksum of `bytes` with the 4 bytes at `fieldOffset` taken as zero (how on-disk checksums are made).
    package func checksum(_ bytes: [UInt8], zeroingFieldAt fieldOffset: Int) -> UInt32 {
        var copy = bytes
        for index in fieldOffset..<min(fieldOffset + 4, copy.count) { copy[index] = 0 }
        return checksum(copy)
    }
}
