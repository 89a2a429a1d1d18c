// Reference: MS-VHDX 2.2.3 (Region Table)
import HVXBinary

/// One of the two 64 KiB VHDX region tables (at 192 KiB and 256 KiB).
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 4 | signature `regi` |
/// | 4 | 4 | CRC-32C over the 64 KiB with this field zeroed |
/// | 8 | 4 | entry count (≤ 2047) |
/// | 12 | 4 | reserved |
/// | 16 | 32 × n | entries (``Entry``) |
package struct VHDXRegionTable: Sendable, Equatable {
    /// Size of a region table.
    package static let size = 0x10000
    /// Absolute offsets of region table 1 and region table 2.
    static let offsets: [UInt64] = [0x30000, 0x40000]
    /// Most entries a table may hold (MS-VHDX 2.2.3.1).
    package static let maximumEntryCount: UInt32 = 2047
    /// The BAT region.
    static let batRegion = GUID("2DC27766-F623-4200-9D64-115E9BFD4A08")!
    /// The metadata region.
    static let metadataRegion = GUID("8B7CA206-4790-4B9A-B8FE-575F050F886E")!

    /// One region: where it lies and whether a reader must understand it.
    ///
    /// | offset | size | field |
    /// |---|---|---|
    /// | 0 | 16 | region GUID |
    /// | 16 | 8 | absolute file offset |
    /// | 24 | 4 | length |
    /// | 28 | 4 | bit 0: required |
    package struct Entry: Sendable, Equatable {
        /// Which region this is.
        package var guid: GUID
        /// Absolute file offset of the region.
        var fileOffset: UInt64
        /// Length of the region in bytes.
        package var length: UInt32
        /// Whether a reader that does not know the region must refuse the file.
        package var required: Bool
        /// Absolute offset of this entry in the file (for messages).
        var entryOffset: UInt64

        /// The memberwise initialiser, `package` for the layers above (Swift synthesises it internal).
        package init(guid: GUID, fileOffset: UInt64, length: UInt32, required: Bool, entryOffset: UInt64) {
            self.guid = guid
            self.fileOffset = fileOffset
            self.length = length
            self.required = required
            self.entryOffset = entryOffset
        }
    }

    /// Stored CRC-32C.
    package var checksum: UInt32
    /// The entries, in table order.
    package var entries: [Entry]

    /// Parses and validates a region table from a reader over exactly ``size`` bytes.
    /// - Throws: ``BinaryFormatError`` on a short read, a wrong signature, a checksum mismatch, more than 2047
    ///   entries, or an unknown region marked required.
    package init(parsing reader: inout ByteReader) throws {
        let start = reader.position
        let raw = try reader.structureBytes(VHDXRegionTable.size)
        try reader.expectSignature("regi")
        checksum = try reader.verifiedChecksum(.castagnoli, over: raw, fieldAt: 4)
        let count = try reader.u32(.little)
        guard count <= VHDXRegionTable.maximumEntryCount else {
            throw reader.error(
                "entry count \(count) exceeds the limit of \(VHDXRegionTable.maximumEntryCount)", at: start + 8)
        }
        try reader.skip(4)
        var entries: [Entry] = []
        entries.reserveCapacity(Int(count))
        for _ in 0..<Int(count) {
            let entryOffset = reader.absolutePosition
            let guid = try reader.guid()
            let fileOffset = try reader.u64(.little)
            let length = try reader.u32(.little)
            let required = try reader.u32(.little) & 1 == 1
            if required && guid != VHDXRegionTable.batRegion && guid != VHDXRegionTable.metadataRegion {
                throw BinaryFormatError(
                    reader.structure, at: entryOffset,
                    "unknown region \(guid) is marked required; the file cannot be read safely")
            }
            entries.append(
                Entry(guid: guid, fileOffset: fileOffset, length: length, required: required, entryOffset: entryOffset))
        }
        self.entries = entries
        try reader.seek(to: start + VHDXRegionTable.size)
    }

    /// The first entry for region `guid`, if any.
    func region(_ guid: GUID) -> Entry? {
        entries.first { $0.guid == guid }
    }
}
