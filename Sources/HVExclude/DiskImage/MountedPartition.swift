import HVXVolume

/// A partition of a disk image mounted read-only at a host folder, or read natively below a synthetic root.
package struct MountedPartition: Sendable, Equatable {
    /// The partition.
    package var partition: DiskPartition
    /// Where it is mounted.
    package var mountPoint: String
    /// The loop device it was attached as, when hvexclude attached it.
    package var device: String?
    /// What reads it: the host's mount, or the native NTFS reader (then `mountPoint` is a synthetic root).
    package var fileSystem: any VolumeFileSystem

    package init(
        partition: DiskPartition, mountPoint: String, device: String? = nil,
        fileSystem: any VolumeFileSystem = POSIXFileSystem.shared
    ) {
        self.partition = partition
        self.mountPoint = mountPoint
        self.device = device
        self.fileSystem = fileSystem
    }

    /// Equal when partition, mount point, device and file system (the same object) are.
    package static func == (lhs: MountedPartition, rhs: MountedPartition) -> Bool {
        lhs.partition == rhs.partition && lhs.mountPoint == rhs.mountPoint && lhs.device == rhs.device
            && lhs.fileSystem === rhs.fileSystem
    }
}
