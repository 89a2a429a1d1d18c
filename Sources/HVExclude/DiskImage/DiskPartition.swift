import HVXBinary
import HVXFormats

/// One partition found on a disk image or block device, with what Windows names it by and whether it is NTFS.
package struct DiskPartition: Sendable, Equatable {
    /// How the partition was described.
    package enum Scheme: String, Sendable, Equatable {
        /// A primary MBR record.
        case mbrPrimary = "mbr"
        /// A logical partition in an MBR extended partition's EBR chain.
        case mbrLogical = "mbr-logical"
        /// A GPT entry.
        case gpt
        /// The whole image is one NTFS volume (no partition table).
        case bareVolume = "volume"
    }

    /// Linux-style number: MBR slots 1–4, logical partitions from 5, GPT entries by array index + 1, 1 for a bare volume.
    package var number: Int
    /// The scheme that described it.
    var scheme: Scheme
    /// Byte offset of the partition in the image.
    package var offset: UInt64
    /// Size in bytes.
    package var size: UInt64
    /// A readable type ("Microsoft basic data", "NTFS/exFAT", "type 0x83").
    package var typeName: String
    /// The MBR type byte.
    var mbrType: UInt8?
    /// The GPT type GUID.
    var gptType: GUID?
    /// The GPT unique partition GUID (MountedDevices `DMIO:ID:` form).
    package var partitionGUID: GUID?
    /// The GPT partition name.
    package var name: String?
    /// The MBR disk signature (MountedDevices 12-byte form, together with ``offset``).
    package var diskSignature: UInt32?
    /// The NTFS boot sector, when the partition starts with one.
    package var ntfs: NTFSBootSector?

    /// Creates a partition record.
    package init(number: Int, scheme: Scheme, offset: UInt64, size: UInt64, typeName: String) {
        self.number = number
        self.scheme = scheme
        self.offset = offset
        self.size = size
        self.typeName = typeName
    }

    /// Whether the partition holds an NTFS volume.
    var isNTFS: Bool { ntfs != nil }
}
