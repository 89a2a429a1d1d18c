import HVXExclusions
import HVXVolume
import HVXWalk

/// What to scan and how: the volume map and the walk settings.
package struct ScanOptions: Sendable {
    /// Windows prefixes → host folders (`C:` is the positional root).
    package var mappings: [VolumeMap.Mapping]
    /// Walker threads.
    package var jobs: Int
    /// Whether to descend into file systems mounted below a root.
    package var crossMounts: Bool
    /// A folder holding exported SOFTWARE/SYSTEM hives, instead of the volume's own.
    package var hiveDirectory: String?
    /// Choices that change the exclusion plan.
    package var planner = PlannerOptions()
    /// `--data-only`: ROOT is knowingly not a system volume; the report says what that leaves unknown.
    package var dataOnly = false

    /// Creates options.
    package init(
        mappings: [VolumeMap.Mapping], jobs: Int = WalkOptions.defaultJobs, crossMounts: Bool = false,
        hiveDirectory: String? = nil
    ) {
        self.mappings = mappings
        self.jobs = jobs
        self.crossMounts = crossMounts
        self.hiveDirectory = hiveDirectory
    }

    /// Walker threads when `--jobs` is not given: the active processors, but at least 4 when a root is a FUSE
    /// mount (ntfs-3g), where each directory read waits on a user-space round trip (measured: 4 threads walk an
    /// ntfs-3g tree in 0.21–0.26 s where 2 take 0.29–0.53 s; local disks gain nothing).
    package static func defaultJobs(roots: [String]) -> Int {
        let fuse = roots.contains { MountTable.fileSystemType(of: $0)?.hasPrefix("fuse") == true }
        return fuse ? max(4, WalkOptions.defaultJobs) : WalkOptions.defaultJobs
    }
}
