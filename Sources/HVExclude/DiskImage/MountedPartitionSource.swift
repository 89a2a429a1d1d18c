// The record a report keeps of which partition became which drive, after the temporary mount points are gone.
/// A partition of a disk image or block device mounted for the scan (`--mount`).
public struct MountedPartitionSource: Codable, Sendable, Equatable {
    /// The image file or block device.
    public var device: String
    /// The partition's number in its table (1-based; MBR logical partitions from 5).
    public var index: Int
    /// Byte offset of the partition on the device.
    public var offset: UInt64
    /// The GPT partition GUID (GPT disks).
    public var gptPartitionGuid: GUID?
    /// The MBR disk signature in hex (MBR disks); with ``offset`` it is what MountedDevices names.
    public var mbrDiskSignature: String?
    /// How the drive was decided: `Windows partition`, `MountedDevices`, `MountedDevices volume GUID`, `partition order`.
    public var basis: String
    /// NTFS volume serial number, when read.
    public var ntfsSerial: String?
}
