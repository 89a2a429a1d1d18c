/// A partition of a disk image mounted read-only at a host folder.
public struct MountedPartition: Sendable, Equatable {
    /// The partition.
    public var partition: DiskPartition
    /// Where it is mounted.
    public var mountPoint: String
    /// The loop device it was attached as, when hvexclude attached it.
    var device: String?
}
