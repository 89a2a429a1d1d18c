// Reference: MS-VHDX 2.6.1 (Metadata Table)
import HVXBinary

/// The 64 KiB table at the start of the VHDX metadata region that lists the metadata items.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 8 | signature `metadata` |
/// | 8 | 2 | reserved |
/// | 10 | 2 | entry count (≤ 2047) |
/// | 12 | 20 | reserved |
/// | 32 | 32 × n | entries (``Entry``) |
package struct VHDXMetadataTable: Sendable, Equatable {
    /// Size of the table.
    package static let size = 0x10000
    /// Most entries a table may hold (MS-VHDX 2.6.1.1).
    package static let maximumEntryCount: UInt16 = 2047
    /// Largest item MS-VHDX allows (1 MiB); also our allocation cap.
    static let maximumItemLength: UInt32 = 1 << 20

    /// File parameters item.
    static let fileParameters = GUID("CAA16737-FA36-4D43-B3B6-33F0AA44E76B")!
    /// Virtual disk size item.
    static let virtualDiskSize = GUID("2FA54224-CD1B-4876-B211-5DBED83BF4B8")!
    /// Virtual disk id (page 83 data) item.
    package static let virtualDiskID = GUID("BECA12AB-B2E6-4523-93EF-C309E000C746")!
    /// Logical sector size item.
    static let logicalSectorSize = GUID("8141BF1D-A96F-4709-BA47-F233A8FAAB5F")!
    /// Physical sector size item.
    static let physicalSectorSize = GUID("CDA348C7-445D-4471-9CC9-E9885251C556")!
    /// Parent locator item.
    static let parentLocator = GUID("A8D35F2D-B30B-454D-ABF7-D3D84834AB0C")!
    /// Every item this reader understands.
    static let knownItems: Set<GUID> = [
        fileParameters, virtualDiskSize, virtualDiskID, logicalSectorSize, physicalSectorSize, parentLocator,
    ]

    /// One metadata item: where it lies in the region and how it must be treated.
    ///
    /// | offset | size | field |
    /// |---|---|---|
    /// | 0 | 16 | item GUID |
    /// | 16 | 4 | offset from the region start (0 for an empty item, else ≥ 64 KiB) |
    /// | 20 | 4 | length |
    /// | 24 | 4 | bit 0 IsUser, bit 1 IsVirtualDisk, bit 2 IsRequired |
    /// | 28 | 4 | reserved |
    package struct Entry: Sendable, Equatable {
        /// Which item this is.
        package var guid: GUID
        /// Offset from the start of the metadata region.
        package var offset: UInt32
        /// Length in bytes.
        package var length: UInt32
        /// Raw flags.
        package var flags: UInt32
        /// Absolute offset of this entry in the file (for messages).
        var entryOffset: UInt64

        /// Whether a reader that does not know the item must refuse the file.
        var isRequired: Bool { flags & 4 != 0 }
        /// Whether the item is user metadata (which has its own namespace of GUIDs).
        var isUser: Bool { flags & 1 != 0 }

        /// The memberwise initialiser, `package` for the layers above (Swift synthesises it internal).
        package init(guid: GUID, offset: UInt32, length: UInt32, flags: UInt32, entryOffset: UInt64) {
            self.guid = guid
            self.offset = offset
            self.length = length
            self.flags = flags
            self.entryOffset = entryOffset
        }
    }

    /// The entries, in table order.
    package var entries: [Entry]

    /// Parses the table from a reader over exactly ``size`` bytes, checking each entry lies within a region of
    /// `regionLength` bytes.
    /// - Throws: ``BinaryFormatError`` on a short read, a wrong signature, more than 2047 entries, an item outside
    ///   the region or over 1 MiB, or an unknown system item marked required.
    package init(parsing reader: inout ByteReader, regionLength: UInt32) throws {
        guard reader.remaining >= VHDXMetadataTable.size else {
            throw reader.error("truncated: needs \(VHDXMetadataTable.size) bytes but only \(reader.remaining) remain")
        }
        let start = reader.position
        guard try reader.bytes(count: 8) == Array("metadata".utf8) else {
            throw reader.error("signature is not \"metadata\"", at: start)
        }
        try reader.skip(2)
        let count = try reader.u16(.little)
        guard count <= VHDXMetadataTable.maximumEntryCount else {
            throw reader.error(
                "entry count \(count) exceeds the limit of \(VHDXMetadataTable.maximumEntryCount)", at: start + 10)
        }
        try reader.seek(to: start + 32)
        var entries: [Entry] = []
        for _ in 0..<Int(count) {
            let entryOffset = reader.absolutePosition
            let guid = try reader.guid()
            let offset = try reader.u32(.little)
            let length = try reader.u32(.little)
            let flags = try reader.u32(.little)
            try reader.skip(4)
            let entry = Entry(guid: guid, offset: offset, length: length, flags: flags, entryOffset: entryOffset)
            if length > 0 {
                let end = UInt64(offset) + UInt64(length)
                guard UInt64(offset) >= UInt64(VHDXMetadataTable.size), end <= UInt64(regionLength) else {
                    throw BinaryFormatError(
                        reader.structure, at: entryOffset,
                        "item \(guid) (\(length) bytes at region offset \(hex(offset))) lies outside the "
                            + "\(regionLength)-byte metadata region")
                }
                guard length <= VHDXMetadataTable.maximumItemLength else {
                    throw BinaryFormatError(
                        reader.structure, at: entryOffset,
                        "item \(guid) is \(length) bytes, over the 1 MiB limit")
                }
            }
            if entry.isRequired && !entry.isUser && !VHDXMetadataTable.knownItems.contains(guid) {
                throw BinaryFormatError(
                    reader.structure, at: entryOffset,
                    "unknown metadata item \(guid) is marked required; the file cannot be read safely")
            }
            entries.append(entry)
        }
        self.entries = entries
    }

    /// The system (non-user) entry for item `guid`, if any.
    package func item(_ guid: GUID) -> Entry? {
        entries.first { $0.guid == guid && !$0.isUser }
    }
}
