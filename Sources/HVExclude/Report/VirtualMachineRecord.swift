import HVXFormats
import HVXInventory

/// One VM (or checkpoint) configuration as the report shows it: where it is, whether the host registers it,
/// and every file and folder it uses, each with `exists` and the key that named it.
struct VirtualMachineRecord: Codable, Sendable, Equatable {
    /// `properties/global_id`, upper-case; nil when the configuration could not be read.
    var id: String?
    /// `properties/name`.
    var name: String?
    /// `properties/version` as "major.minor" (e.g. "9.0").
    var configurationVersion: String?
    /// `properties/subtype` + 1.
    var generation: Int?
    /// The configuration file's Windows path.
    var configurationFile: String
    /// Where it was read on this machine, when it exists on a mapped volume.
    var hostPath: String?
    /// `vmcx` or `xml`.
    var format: String?
    /// Whether the host's registrations name it (data.vmcx, or a `Virtual Machines\<GUID>.xml` entry).
    var registered: Bool
    /// The registration entries that name it.
    var registration: [Evidence]
    /// Whether the configuration file exists.
    var exists: Bool
    /// For a checkpoint configuration: the id of the VM it belongs to.
    var checkpointOf: String?
    /// The checkpoint ids the configuration lists (`global_settings/snapshots/list`).
    var checkpoints: [String]
    /// The VM's folders: data roots (or the folder above `Virtual Machines`), snapshot and smart-paging roots.
    var folders: [PathRecord]
    /// Virtual disks attached, each with its differencing chain.
    var disks: [DiskRecord]
    /// Attached ISO images.
    var dvds: [PathRecord]
    /// Attached virtual floppies.
    var floppies: [PathRecord]
    /// Runtime and state files: guest state (.vmgs), saved state, and runtime files found beside the config.
    var files: [PathRecord]
    /// Every other absolute Windows path in the configuration, so nothing it names is lost.
    var otherPaths: [PathRecord]
    /// Problems with this VM.
    var warnings: [String]
}

/// A path a VM names, whether it exists, and where it was named.
struct PathRecord: Codable, Sendable, Equatable {
    /// Windows path (on-disk spelling when it exists).
    var path: String
    /// What it is (`dataRoot`, `guestState`, `iso`, …).
    var role: String
    /// Whether it exists on a mapped volume (false also when its drive is not mapped).
    var exists: Bool
    /// Why it could not be checked or found, when it was not.
    var problem: String?
    /// The key path in the configuration (or the rule) that named it.
    var keyPath: String
}

/// A virtual disk attached to a VM, with its parent chain.
struct DiskRecord: Codable, Sendable, Equatable {
    /// Windows path as the configuration names it (on-disk spelling when found).
    var path: String
    /// `ide 0:1`, `scsi 0:0`.
    var controller: String
    /// Key path of `pathname`.
    var keyPath: String
    /// Whether the disk exists.
    var exists: Bool
    /// `vhdx` or `vhd`, when read.
    var format: VirtualDisk.Format?
    /// fixed, dynamic or differencing, when read.
    var type: VirtualDisk.DiskType?
    /// The disk and each parent down to the base disk (first entry: the disk itself); the disks' header facts
    /// are in their `artifacts` entries.
    var chain: [DiskInfo.ChainEntry]
}

/// Something found on the volume that no registered VM uses: reported, not excluded (unless
/// `--include-unregistered`).
struct UnreferencedItem: Codable, Sendable, Equatable {
    /// Windows path.
    var path: String
    /// `vmConfiguration`, `virtualDisk`, `iso`, …
    var kind: ArtifactKind
    /// Why it is listed.
    var reason: String
}
