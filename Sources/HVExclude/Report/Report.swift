import HVXBinary
import HVXExclusions
import HVXFormats
import HVXInventory
import HVXVolume

/// The scan's result, as written to JSON (schema version 2; see `docs/json-schema.json`).
///
/// Keys are stable API and sorted on output. Every `path` is a Windows path; `hostPath` is where it was
/// found on this machine.
public struct Report: Codable, Sendable, Equatable {
    /// Version of this JSON layout; bumped on any incompatible change.
    static let currentSchemaVersion = 2

    /// See ``currentSchemaVersion``.
    var schemaVersion = Report.currentSchemaVersion
    /// The program that wrote the report.
    var tool = ToolInfo()
    /// What was scanned, how long it took, and everything that could not be read.
    package var scan: ScanSummary
    /// What the host's registry says; nil when no hive could be read.
    var host: HostFacts?
    /// Every VM and checkpoint configuration found or registered, registered ones first.
    var virtualMachines: [VirtualMachineRecord]
    /// Hyper-V artifacts found on the volumes, sorted by Windows path.
    var artifacts: [Artifact]
    /// The exclusions this host needs.
    var exclusions: ExclusionPlan
    /// What to exclude on each SMB file server that holds this host's VM files (never in `exclusions`).
    var fileServers: [FileServerPlan]
    /// Configurations and disks no registered VM uses (not excluded unless `--include-unregistered`).
    var unreferenced: [UnreferencedItem]
    /// The comparison with the host's Defender exclusions (when its SOFTWARE hive was read).
    package var audit: DefenderAudit?
    /// What the host's event logs say about antivirus locks on VM files (docs/diagnosis.md); nil when not run.
    package var diagnosis: DiagnosisReport?

    /// Creates a report.
    init(
        scan: ScanSummary, host: HostFacts? = nil, virtualMachines: [VirtualMachineRecord] = [], artifacts: [Artifact],
        exclusions: ExclusionPlan = ExclusionPlan(), fileServers: [FileServerPlan] = [],
        unreferenced: [UnreferencedItem] = [],
        audit: DefenderAudit? = nil
    ) {
        self.fileServers = fileServers
        self.scan = scan
        self.host = host
        self.virtualMachines = virtualMachines
        self.artifacts = artifacts
        self.exclusions = exclusions
        self.unreferenced = unreferenced
        self.audit = audit
    }
}

/// Name and version of hvexclude.
public struct ToolInfo: Codable, Sendable, Equatable {
    /// The release version, also printed by `hvexclude --version`.
    public static let currentVersion = "0.1.0"
    /// `hvexclude`.
    var name = "hvexclude"
    /// See ``currentVersion``.
    var version = ToolInfo.currentVersion
}

/// What was scanned and what could not be read.
package struct ScanSummary: Codable, Sendable, Equatable {
    /// The mapped roots, in prefix order.
    var roots: [ScanRoot]
    /// Directory entries the walker saw.
    var entriesVisited: Int
    /// Directories the walker read.
    var directoriesVisited: Int
    /// Wall time of the whole scan.
    var durationSeconds: Double
    /// When the scan started (ISO 8601, UTC).
    var startedAt: String
    /// Every link met on the volumes, with its true target.
    var links: [LinkRecord]
    /// Everything that could not be read, resolved or trusted, each with its path.
    package var warnings: [ReportWarning]
    /// `true` when ROOT was scanned with `--data-only`: not a system volume, so the host's registry and VM
    /// registrations were not there to read (``ScanResult/dataOnlyNote`` says what that leaves unknown); absent otherwise.
    var dataOnly: Bool?
}

/// One Windows prefix and the host folder it was read from.
struct ScanRoot: Codable, Sendable, Equatable {
    /// `C:`, `C:\ClusterStorage\Volume1`, `\\?\Volume{…}`.
    var drive: String
    /// The host folder.
    package var path: String
    /// With `--mount`: the partition of the disk image that became this drive, and why.
    var partition: PartitionSource?

    /// Creates a root record.
    init(drive: String, path: String, partition: PartitionSource? = nil) {
        self.drive = drive
        self.path = path
        self.partition = partition
    }

    /// A partition of a disk image or block device mounted for the scan (`--mount`).
    struct PartitionSource: Codable, Sendable, Equatable {
        /// The image file or block device.
        var device: String
        /// The partition's number in its table (1-based; MBR logical partitions from 5).
        var index: Int
        /// Byte offset of the partition on the device.
        var offset: UInt64
        /// The GPT partition GUID (GPT disks).
        var gptPartitionGuid: GUID?
        /// The MBR disk signature in hex (MBR disks); with ``offset`` it is what MountedDevices names.
        var mbrDiskSignature: String?
        /// How the drive was decided: `Windows partition`, `MountedDevices`, `MountedDevices volume GUID`, `partition order`.
        var basis: String
        /// NTFS volume serial number, when read.
        var ntfsSerial: String?
    }
}

/// A problem found during the scan; the scan goes on.
package struct ReportWarning: Codable, Sendable, Hashable, Comparable {
    /// How much a warning matters for the exit code (``Finding/Severity``).
    package typealias Severity = Finding.Severity

    /// Windows path when known, else the host path.
    package var path: String
    /// What went wrong, specifically.
    package var message: String
    /// See ``Severity``.
    package var severity: Severity

    /// Creates a warning.
    init(path: String, message: String, severity: Severity = .warning) {
        self.path = path
        self.message = message
        self.severity = severity
    }

    /// By path, then message, then severity: the report's order.
    package static func < (lhs: ReportWarning, rhs: ReportWarning) -> Bool {
        (lhs.path, lhs.message, lhs.severity) < (rhs.path, rhs.message, rhs.severity)
    }
}

/// A symlink or junction on a scanned volume and where it really points.
struct LinkRecord: Codable, Sendable, Equatable {
    /// The link's Windows path.
    package var path: String
    /// The link's host path.
    var hostPath: String
    /// The true Windows target, when known.
    var target: String?
    /// The raw target text (reparse substitute name or `readlink` text).
    var targetText: String
    /// `reparseData` (authoritative) or `linkText`.
    var targetSource: LinkTarget.Source
    /// `symlink` or `junction`, from the reparse tag.
    var linkKind: ReparsePoint.Kind?
}

/// A Hyper-V artifact found on a volume.
struct Artifact: Codable, Sendable, Equatable {
    /// Windows path.
    package var path: String
    /// Host path.
    var hostPath: String
    /// What it is.
    var kind: ArtifactKind
    /// Ids of the VMs that use it (config, disk, runtime file), when any.
    var vms: [String]?
    /// For a virtual disk: what its headers say, and its parent chain.
    var disk: DiskInfo?

    /// Creates an artifact record.
    init(path: String, hostPath: String, kind: ArtifactKind, vms: [String]? = nil, disk: DiskInfo? = nil) {
        self.path = path
        self.hostPath = hostPath
        self.kind = kind
        self.vms = vms
        self.disk = disk
    }
}

/// A virtual disk's header facts and its chain, as the report shows them for a disk artifact.
struct DiskInfo: Codable, Sendable, Equatable {
    /// `vhdx` or `vhd`; nil when unreadable.
    var format: VirtualDisk.Format?
    /// fixed, dynamic or differencing.
    var type: VirtualDisk.DiskType?
    /// Virtual size in bytes.
    var virtualSize: UInt64?
    /// Block size in bytes (dynamic and differencing disks).
    var blockSize: UInt32?
    /// Creator application or file identifier text.
    var creator: String?
    /// The identifier a child's parent link names: the VHDX DataWriteGuid, or the VHD footer's unique id read as a
    /// Windows GUID (first three fields little-endian; `vhdiinfo` prints the same bytes in stored order).
    var id: GUID?
    /// The VHDX virtual disk id (metadata item `BECA12AB-…`); nil for VHD.
    var virtualDiskId: GUID?
    /// For a differencing disk: the identifier its parent must have (VHDX `parent_linkage`, VHD parent unique id),
    /// when the child recorded one.
    var parentId: GUID?
    /// The parent's Windows path, for a differencing disk, when resolved (else the first candidate).
    var parent: String?
    /// The disk, then each parent down to the base disk, each with its link status.
    var chain: [ChainEntry]
    /// Why the disk could not be read, when it could not.
    var error: String?

    /// Creates a disk record.
    init(
        format: VirtualDisk.Format?, type: VirtualDisk.DiskType?, virtualSize: UInt64?, blockSize: UInt32?,
        creator: String?,
        id: GUID? = nil, virtualDiskId: GUID? = nil, parentId: GUID? = nil, parent: String?, chain: [ChainEntry],
        error: String?
    ) {
        self.format = format
        self.type = type
        self.virtualSize = virtualSize
        self.blockSize = blockSize
        self.creator = creator
        self.id = id
        self.virtualDiskId = virtualDiskId
        self.parentId = parentId
        self.parent = parent
        self.chain = chain
        self.error = error
    }

    /// One link of a chain, without the parsed disk (that is in the parent's own artifact entry).
    struct ChainEntry: Codable, Sendable, Equatable {
        /// Windows path.
        package var path: String
        /// Whether it exists.
        var exists: Bool
        /// Whether the link to it was verified (identity checked).
        var verified: Bool
        /// Link status.
        var status: DiskChainLink.Status
        /// Why it is not verified, when it is not.
        var reason: String?
        /// For an unresolved parent: every path the headers named, absolute first.
        var candidates: [String]?
    }
}
