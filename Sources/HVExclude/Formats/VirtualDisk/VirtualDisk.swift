import HVXBinary

/// A virtual disk as the report sees it, whichever format it is stored in.
package struct VirtualDisk: Codable, Sendable, Equatable {
    /// On-disk format.
    package enum Format: String, Codable, Sendable {
        /// MS-VHDX (`.vhdx`, `.avhdx`).
        case vhdx
        /// Legacy VHD (`.vhd`, `.avhd`).
        case vhd
    }

    /// Allocation type.
    package enum DiskType: String, Codable, Sendable {
        /// Every block allocated up front.
        case fixed
        /// Blocks allocated on first write.
        case dynamic
        /// Holds only changes against a parent disk.
        case differencing
    }

    /// On-disk format.
    package var format: Format
    /// Allocation type.
    package var type: DiskType
    /// Size the guest sees, in bytes.
    package var virtualSize: UInt64
    /// Block size in bytes (`nil` for a fixed VHD, which has no blocks).
    package var blockSize: UInt32?
    /// The program that wrote the disk ("Microsoft Windows 10.0.17763.0", "win 10.0 (Wi2k)").
    package var creator: String
    /// What a child's link names: the VHDX DataWriteGuid or the VHD footer's unique id.
    package var identity: GUID
    /// The VHDX virtual disk id (metadata item `BECA12AB-…`), which stays the same across writes; nil for VHD.
    package var virtualDiskID: GUID?
    /// Where the parent should be, for a differencing disk.
    package var parent: VirtualDiskParent?
    /// Non-fatal problems found while reading, each with an offset.
    package var warnings: [Diagnostic]
    /// Data the file cannot give: BAT entries that point past its end (a half-copied `.avhdx`, a truncated
    /// download, `disk.blocks-past-end`), or a BAT that cannot be read (`disk.bat-unreadable`). The header is
    /// whole, so the disk is still placed in its chain and planned; its guest bytes are not all there.
    package var damage: [Diagnostic] = []

    /// Creates a value; readers fill it from a parsed file.
    package init(
        format: Format, type: DiskType, virtualSize: UInt64, blockSize: UInt32?, creator: String, identity: GUID,
        parent: VirtualDiskParent?, warnings: [Diagnostic], virtualDiskID: GUID? = nil
    ) {
        self.virtualDiskID = virtualDiskID
        self.format = format
        self.type = type
        self.virtualSize = virtualSize
        self.blockSize = blockSize
        self.creator = creator
        self.identity = identity
        self.parent = parent
        self.warnings = warnings
    }
}
