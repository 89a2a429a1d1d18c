/// The exclusions a host needs: paths, processes and (only on request) extensions, each with why; plus what
/// was left for later (`deferred`) and every folder the policy refused to exclude whole (`refused`).
struct ExclusionPlan: Codable, Sendable, Equatable {
    /// Folder and file exclusions, minimal and sorted.
    var paths: [PathExclusion]
    /// Extension exclusions: empty unless `--extensions` or `--broad-extensions` asked for them.
    var extensions: [ExtensionExclusion]
    /// Process exclusions.
    var processes: [ProcessExclusion]
    /// Default folders Hyper-V has not created yet: not planned unless `--plan-deferred`.
    var deferred: [DeferredPath]
    /// Folders a rule asked for that the policy would not exclude whole, and why.
    var refused: [RefusedFolder]
    /// Why extensions are (or are not) in the plan: the trade-off in one sentence.
    var extensionPolicy: String

    /// Creates a plan.
    init(
        paths: [PathExclusion] = [], extensions: [ExtensionExclusion] = [], processes: [ProcessExclusion] = [],
        deferred: [DeferredPath] = [], refused: [RefusedFolder] = [], extensionPolicy: String = ""
    ) {
        self.paths = paths
        self.extensions = extensions
        self.processes = processes
        self.deferred = deferred
        self.refused = refused
        self.extensionPolicy = extensionPolicy
    }
}

/// One path to exclude.
struct PathExclusion: Codable, Sendable, Equatable {
    /// Whether the path is a folder or a single file.
    enum Kind: String, Codable, Sendable { case directory, file }

    /// The form Defender reads the entry in: a folder and everything below it, one file, or a file-name pattern
    /// (a wildcard in the last part only, ending in a Hyper-V type: names in that folder only).
    enum Form: String, Codable, Sendable { case folder, file, pattern }

    /// What Hyper-V will write that the entry exists for (policy v3, docs/exclusion-policy.md "Lifecycle").
    enum Lifecycle: String, Codable, Sendable, CaseIterable {
        /// Checkpoint differencing disks `<disk name>_<GUID>.avhdx` beside a disk.
        case checkpoint
        /// Resilient change tracking: `<disk file name>.rct` and `.mrt` beside each disk.
        case changeTracking
        /// The checkpoint folder `<snapshot data root>\Snapshots`, or its typed files.
        case snapshotFolder
        /// Hyper-V Replica logs (`.hrl`) beside a replicated VM's disks.
        case replicaLog
        /// Smart paging files (`.slp`) in the smart-paging folder.
        case smartPaging
        /// Saved and runtime state beside the configuration.
        case savedState
    }

    /// Which rule made the entry.
    enum Basis: String, Codable, Sendable {
        /// A folder Hyper-V owns that holds only Hyper-V files (the folder rule).
        case hyperVFolder
        /// A folder Microsoft names for exclusion (the Hyper-V data root, `C:\ClusterStorage`, `%SystemRoot%\Cluster`,
        /// the witness disk's `\Cluster`, a replica storage location, the cluster account's temp folder).
        case microsoftFolder
        /// A single file (or, on a drive that was not scanned, a folder named by a VM that could not be checked).
        case file
    }

    /// The Windows path, in the spelling found on disk when it exists.
    var path: String
    /// `%ProgramData%\…` form, with `--env-paths`, where the path sits under a known root.
    var environmentPath: String?
    /// Folder or file (a pattern's kind is `file`).
    var kind: Kind
    /// Folder, file or pattern, as Defender reads the entry.
    var form: Form
    /// What Hyper-V will write that the entry exists for; nil for an entry that covers what exists today.
    var lifecycle: Lifecycle?
    /// Which rule made the entry.
    var basis: Basis = .file
    /// Why, in words (one per rule that asked for it).
    var reasons: [String]
    /// Which files and keys said so.
    var evidence: [Evidence]
    /// Whether the path was seen on a scanned volume and every fact behind it has a source (false: on a drive
    /// that was not scanned, or inferred).
    var verified: Bool
    /// Why the entry must not be applied yet: a Defender detection on a file it covers. Absent (never null) on
    /// every other entry.
    var hold: EntryHold? = nil
}

/// Why a planned entry is held: malware was detected in a file it covers, so excluding it would hide the threat
/// (the entry stays in the plan; every export marks it, and nothing applies it without being told to).
struct EntryHold: Codable, Sendable, Equatable {
    /// `detection`.
    var reason: String
    /// The threat name Defender gave (`Trojan:Win32/Wacatac.B!ml`), when an event names one.
    var threat: String?
    /// The events behind the hold.
    var events: [HoldEvent]
}

/// One event behind a hold.
struct HoldEvent: Codable, Sendable, Equatable {
    /// The event id (1116, 1006, 1015, 1117, …).
    var id: Int
    /// When it was logged, ISO 8601 UTC.
    var time: String
    /// The file it names.
    var file: String
    /// The action Defender took or failed to take, when the event says.
    var action: String?
}

/// One extension to exclude.
struct ExtensionExclusion: Codable, Sendable, Equatable {
    /// Without the dot: `vhdx`.
    var `extension`: String
    /// Why.
    var reason: String
}

/// One process to exclude.
struct ProcessExclusion: Codable, Sendable, Equatable {
    /// The binary's Windows path.
    var path: String
    /// Why.
    var reason: String
    /// What said so: the binary on the volume, or the service's `ImagePath`.
    var evidence: [Evidence] = []
    /// Whether the binary was found on the scanned volume.
    var verified: Bool = true
}

/// A folder Hyper-V will create on first use: listed, planned only with `--plan-deferred`.
struct DeferredPath: Codable, Sendable, Equatable {
    /// The folder.
    var path: String
    /// Why it would be excluded, and why it is not yet.
    var reason: String
    /// What named it.
    var evidence: [Evidence]
}

/// A folder the policy would not exclude whole.
struct RefusedFolder: Codable, Sendable, Equatable {
    /// The folder.
    var path: String
    /// Why not: the protected place, or the first file in it that is not Hyper-V's.
    var reason: String
    /// What was planned instead.
    var instead: String
}

/// What to exclude on one SMB file server that holds this host's VM files (KB 3105657 asks for the exclusions
/// there, not on the Hyper-V host).
struct FileServerPlan: Codable, Sendable, Equatable {
    /// The server name as the host spells it.
    var server: String
    /// Its shares that hold VM files.
    var shares: [Share]

    /// One share and the paths to exclude in it.
    struct Share: Codable, Sendable, Equatable {
        /// The share name.
        var name: String
        /// The folders and files, as UNC paths; `relativePath` is the part inside the share.
        var paths: [Entry]
    }

    /// One folder or file on the share.
    struct Entry: Codable, Sendable, Equatable {
        /// `\\server\share\…`.
        var path: String
        /// The path inside the share (`VM2\Virtual Machines`); empty for the share itself.
        var relativePath: String
        /// Folder or file.
        var kind: PathExclusion.Kind
        /// Why.
        var reasons: [String]
        /// What said so.
        var evidence: [Evidence]
    }
}

extension PathExclusion {
    /// Decodes an entry; a report written before policy v3 has no `form`, which then follows from `kind` and the path.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        path = try container.decode(String.self, forKey: .path)
        environmentPath = try container.decodeIfPresent(String.self, forKey: .environmentPath)
        kind = try container.decode(Kind.self, forKey: .kind)
        form = try container.decodeIfPresent(Form.self, forKey: .form)
            ?? (kind == .directory ? .folder : (DefenderPathPattern.isWildcard(path) ? .pattern : .file))
        lifecycle = try container.decodeIfPresent(Lifecycle.self, forKey: .lifecycle)
        basis = try container.decodeIfPresent(Basis.self, forKey: .basis) ?? .file
        reasons = try container.decode([String].self, forKey: .reasons)
        evidence = try container.decode([Evidence].self, forKey: .evidence)
        verified = try container.decode(Bool.self, forKey: .verified)
        hold = try container.decodeIfPresent(EntryHold.self, forKey: .hold)
    }
}
