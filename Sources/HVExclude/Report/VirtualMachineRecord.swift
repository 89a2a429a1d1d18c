/// One VM (or checkpoint) configuration as the report shows it: where it is, whether the host registers it,
/// and every file and folder it uses, each with `exists` and the key that named it.
public struct VirtualMachineRecord: Codable, Sendable, Equatable {
    /// `properties/global_id`, upper-case; nil when the configuration could not be read.
    public var id: String?
    /// `properties/name`.
    public var name: String?
    /// `properties/version` as "major.minor" (e.g. "9.0").
    public var configurationVersion: String?
    /// `properties/subtype` + 1.
    public var generation: Int?
    /// The configuration file's Windows path.
    public var configurationFile: String
    /// Where it was read on this machine, when it exists on a mapped volume.
    public var hostPath: String?
    /// `vmcx` or `xml`.
    public var format: String?
    /// Whether the host's registrations name it (data.vmcx, or a `Virtual Machines\<GUID>.xml` entry).
    public var registered: Bool
    /// The registration entries that name it.
    public var registration: [Evidence]
    /// Whether the configuration file exists.
    public var exists: Bool
    /// For a checkpoint configuration: the id of the VM it belongs to.
    public var checkpointOf: String?
    /// The checkpoint ids the configuration lists (`global_settings/snapshots/list`).
    public var checkpoints: [String]
    /// The VM's folders: data roots (or the folder above `Virtual Machines`), snapshot and smart-paging roots.
    public var folders: [PathRecord]
    /// Virtual disks attached, each with its differencing chain.
    public var disks: [DiskRecord]
    /// Attached ISO images.
    public var dvds: [PathRecord]
    /// Attached virtual floppies.
    public var floppies: [PathRecord]
    /// Runtime and state files: guest state (.vmgs), saved state, and runtime files found beside the config.
    public var files: [PathRecord]
    /// Every other absolute Windows path in the configuration, so nothing it names is lost.
    public var otherPaths: [PathRecord]
    /// Problems with this VM.
    public var warnings: [String]
}

/// A path a VM names, whether it exists, and where it was named.
public struct PathRecord: Codable, Sendable, Equatable {
    /// Windows path (on-disk spelling when it exists).
    public var path: String
    /// What it is (`dataRoot`, `guestState`, `iso`, …).
    public var role: String
    /// Whether it exists on a mapped volume (false also when its drive is not mapped).
    public var exists: Bool
    /// Why it could not be checked or found, when it was not.
    public var problem: String?
    /// The key path in the configuration (or the rule) that named it.
    public var keyPath: String
}

/// A virtual disk attached to a VM, with its parent chain.
public struct DiskRecord: Codable, Sendable, Equatable {
    /// Windows path as the configuration names it (on-disk spelling when found).
    public var path: String
    /// `ide 0:1`, `scsi 0:0`.
    public var controller: String
    /// Key path of `pathname`.
    public var keyPath: String
    /// Whether the disk exists.
    public var exists: Bool
    /// `vhdx` or `vhd`, when read.
    public var format: VirtualDisk.Format?
    /// fixed, dynamic or differencing, when read.
    public var type: VirtualDisk.DiskType?
    /// The disk and each parent down to the base disk (first entry: the disk itself); the disks' header facts
    /// are in their `artifacts` entries.
    public var chain: [DiskInfo.ChainEntry]
}

/// Something found on the volume that no registered VM uses: reported, not excluded (unless
/// `--include-unregistered`).
public struct UnreferencedItem: Codable, Sendable, Equatable {
    /// Windows path.
    public var path: String
    /// `vmConfiguration`, `virtualDisk`, `iso`, …
    public var kind: ArtifactKind
    /// Why it is listed.
    public var reason: String
}
