/// The scan's result, as written to JSON (schema version 1; see `docs/json-schema.json`).
///
/// Keys are stable API and sorted on output. Every `path` is a Windows path; `hostPath` is where it was
/// found on this machine.
public struct Report: Codable, Sendable, Equatable {
    /// Version of this JSON layout; bumped on any incompatible change.
    public static let currentSchemaVersion = 1

    /// See ``currentSchemaVersion``.
    public var schemaVersion = Report.currentSchemaVersion
    /// The program that wrote the report.
    public var tool = ToolInfo()
    /// What was scanned, how long it took, and everything that could not be read.
    public var scan: ScanSummary
    /// What the host's registry says; nil when no hive could be read.
    public var host: HostFacts?
    /// Every VM and checkpoint configuration found or registered, registered ones first.
    public var virtualMachines: [VirtualMachineRecord]
    /// Hyper-V artifacts found on the volumes, sorted by Windows path.
    public var artifacts: [Artifact]
    /// The exclusions this host needs.
    public var exclusions: ExclusionPlan
    /// Configurations and disks no registered VM uses (not excluded unless `--include-unregistered`).
    public var unreferenced: [UnreferencedItem]
    /// The comparison with the host's Defender exclusions (when its SOFTWARE hive was read).
    public var audit: DefenderAudit?

    /// Creates a report.
    public init(
        scan: ScanSummary, host: HostFacts? = nil, virtualMachines: [VirtualMachineRecord] = [], artifacts: [Artifact],
        exclusions: ExclusionPlan = ExclusionPlan(), unreferenced: [UnreferencedItem] = [], audit: DefenderAudit? = nil
    ) {
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
    public var name = "hvexclude"
    /// See ``currentVersion``.
    public var version = ToolInfo.currentVersion
}

/// What was scanned and what could not be read.
public struct ScanSummary: Codable, Sendable, Equatable {
    /// The mapped roots, in prefix order.
    public var roots: [ScanRoot]
    /// Directory entries the walker saw.
    public var entriesVisited: Int
    /// Directories the walker read.
    public var directoriesVisited: Int
    /// Wall time of the whole scan.
    public var durationSeconds: Double
    /// When the scan started (ISO 8601, UTC).
    public var startedAt: String
    /// Every link met on the volumes, with its true target.
    public var links: [LinkRecord]
    /// Everything that could not be read, resolved or trusted, each with its path.
    public var warnings: [ReportWarning]
}

/// One Windows prefix and the host folder it was read from.
public struct ScanRoot: Codable, Sendable, Equatable {
    /// `C:`, `C:\ClusterStorage\Volume1`, `\\?\Volume{…}`.
    public var drive: String
    /// The host folder.
    public var path: String
}

/// A problem found during the scan; the scan goes on.
public struct ReportWarning: Codable, Sendable, Hashable, Comparable {
    /// How much a warning matters for the exit code (``Finding/Severity``).
    public typealias Severity = Finding.Severity

    /// Windows path when known, else the host path.
    public var path: String
    /// What went wrong, specifically.
    public var message: String
    /// See ``Severity``.
    public var severity: Severity

    /// Creates a warning.
    public init(path: String, message: String, severity: Severity = .warning) {
        self.path = path
        self.message = message
        self.severity = severity
    }

    public static func < (lhs: ReportWarning, rhs: ReportWarning) -> Bool {
        (lhs.path, lhs.message, lhs.severity) < (rhs.path, rhs.message, rhs.severity)
    }
}

/// A symlink or junction on a scanned volume and where it really points.
public struct LinkRecord: Codable, Sendable, Equatable {
    /// The link's Windows path.
    public var path: String
    /// The link's host path.
    public var hostPath: String
    /// The true Windows target, when known.
    public var target: String?
    /// The raw target text (reparse substitute name or `readlink` text).
    public var targetText: String
    /// `reparseData` (authoritative) or `linkText`.
    public var targetSource: LinkTarget.Source
    /// `symlink` or `junction`, from the reparse tag.
    public var linkKind: ReparsePoint.Kind?
}

/// A Hyper-V artifact found on a volume.
public struct Artifact: Codable, Sendable, Equatable {
    /// Windows path.
    public var path: String
    /// Host path.
    public var hostPath: String
    /// What it is.
    public var kind: ArtifactKind
    /// Ids of the VMs that use it (config, disk, runtime file), when any.
    public var vms: [String]?
    /// For a virtual disk: what its headers say, and its parent chain.
    public var disk: DiskInfo?

    /// Creates an artifact record.
    public init(path: String, hostPath: String, kind: ArtifactKind, vms: [String]? = nil, disk: DiskInfo? = nil) {
        self.path = path
        self.hostPath = hostPath
        self.kind = kind
        self.vms = vms
        self.disk = disk
    }
}

/// A virtual disk's header facts and its chain, as the report shows them for a disk artifact.
public struct DiskInfo: Codable, Sendable, Equatable {
    /// `vhdx` or `vhd`; nil when unreadable.
    public var format: VirtualDisk.Format?
    /// fixed, dynamic or differencing.
    public var type: VirtualDisk.DiskType?
    /// Virtual size in bytes.
    public var virtualSize: UInt64?
    /// Block size in bytes (dynamic and differencing disks).
    public var blockSize: UInt32?
    /// Creator application or file identifier text.
    public var creator: String?
    /// The parent's Windows path, for a differencing disk, when resolved (else the first candidate).
    public var parent: String?
    /// The disk, then each parent down to the base disk, each with its link status.
    public var chain: [ChainEntry]
    /// Why the disk could not be read, when it could not.
    public var error: String?

    /// One link of a chain, without the parsed disk (that is in the parent's own artifact entry).
    public struct ChainEntry: Codable, Sendable, Equatable {
        /// Windows path.
        public var path: String
        /// Whether it exists.
        public var exists: Bool
        /// Whether the link to it was verified (identity checked).
        public var verified: Bool
        /// Link status.
        public var status: DiskChainLink.Status
        /// Why it is not verified, when it is not.
        public var reason: String?
        /// For an unresolved parent: every path the headers named, absolute first.
        public var candidates: [String]?
    }
}
