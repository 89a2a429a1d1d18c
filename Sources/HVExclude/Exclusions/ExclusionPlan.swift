import HVXInventory

/// The exclusions a host needs: paths, processes and (only on request) extensions, each with why; plus what
/// was left for later (`deferred`) and every folder the policy refused to exclude whole (`refused`).
package struct ExclusionPlan: Codable, Sendable, Equatable {
    /// Folder and file exclusions, minimal and sorted.
    package var paths: [PathExclusion]
    /// Extension exclusions: empty unless `--extensions` or `--broad-extensions` asked for them.
    package var extensions: [ExtensionExclusion]
    /// Process exclusions.
    package var processes: [ProcessExclusion]
    /// Default folders Hyper-V has not created yet: not planned unless `--plan-deferred`.
    package var deferred: [DeferredPath]
    /// Folders a rule asked for that the policy would not exclude whole, and why.
    package var refused: [RefusedFolder]
    /// Why extensions are (or are not) in the plan: the trade-off in one sentence.
    package var extensionPolicy: String

    /// Creates a plan.
    package init(
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
package struct PathExclusion: Codable, Sendable, Equatable {
    /// Whether the path is a folder or a single file.
    package enum Kind: String, Codable, Sendable { case directory, file }

    /// The form Defender reads the entry in: a folder and everything below it, one file, or a file-name pattern
    /// (a wildcard in the last part only, ending in a Hyper-V type: names in that folder only).
    package enum Form: String, Codable, Sendable { case folder, file, pattern }

    /// What Hyper-V will write that the entry exists for (policy v3, docs/exclusion-policy.md "Lifecycle").
    package enum Lifecycle: String, Codable, Sendable, CaseIterable {
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
    package enum Basis: String, Codable, Sendable {
        /// A folder Hyper-V owns that holds only Hyper-V files (the folder rule).
        case hyperVFolder
        /// A folder Microsoft names for exclusion (the Hyper-V data root, `C:\ClusterStorage`, `%SystemRoot%\Cluster`,
        /// the witness disk's `\Cluster`, a replica storage location, the cluster account's temp folder).
        case microsoftFolder
        /// A single file (or, on a drive that was not scanned, a folder named by a VM that could not be checked).
        case file
    }

    /// The Windows path, in the spelling found on disk when it exists.
    package var path: String
    /// `%ProgramData%\…` form, with `--env-paths`, where the path sits under a known root.
    package var environmentPath: String?
    /// Folder or file (a pattern's kind is `file`).
    package var kind: Kind
    /// Folder, file or pattern, as Defender reads the entry.
    package var form: Form
    /// What Hyper-V will write that the entry exists for; nil for an entry that covers what exists today.
    package var lifecycle: Lifecycle?
    /// Which rule made the entry.
    package var basis: Basis = .file
    /// Why, in words (one per rule that asked for it).
    package var reasons: [String]
    /// Which files and keys said so.
    package var evidence: [Evidence]
    /// Whether the path was seen on a scanned volume and every fact behind it has a source (false: on a drive
    /// that was not scanned, or inferred).
    package var verified: Bool
    /// Why the entry must not be applied yet: a Defender detection on a file it covers. Absent (never null) on
    /// every other entry.
    package var hold: EntryHold? = nil

    /// An entry (explicit: a memberwise initialiser would be internal to this target).
    package init(
        path: String, environmentPath: String?, kind: Kind, form: Form, lifecycle: Lifecycle? = nil,
        basis: Basis = .file,
        reasons: [String], evidence: [Evidence], verified: Bool, hold: EntryHold? = nil
    ) {
        self.path = path
        self.environmentPath = environmentPath
        self.kind = kind
        self.form = form
        self.lifecycle = lifecycle
        self.basis = basis
        self.reasons = reasons
        self.evidence = evidence
        self.verified = verified
        self.hold = hold
    }
}

/// Why a planned entry is held: malware was detected in a file it covers, so excluding it would hide the threat
/// (the entry stays in the plan; every export marks it, and nothing applies it without being told to).
package struct EntryHold: Codable, Sendable, Equatable {
    /// `detection`.
    package var reason: String
    /// The threat name Defender gave (`Trojan:Win32/Wacatac.B!ml`), when an event names one.
    package var threat: String?
    /// The events behind the hold.
    package var events: [HoldEvent]

    package init(reason: String, threat: String?, events: [HoldEvent]) {
        self.reason = reason
        self.threat = threat
        self.events = events
    }
}

/// One event behind a hold.
package struct HoldEvent: Codable, Sendable, Equatable {
    /// The event id (1116, 1006, 1015, 1117, …).
    package var id: Int
    /// When it was logged, ISO 8601 UTC.
    package var time: String
    /// The file it names.
    package var file: String
    /// The action Defender took or failed to take, when the event says.
    package var action: String?

    package init(id: Int, time: String, file: String, action: String?) {
        self.id = id
        self.time = time
        self.file = file
        self.action = action
    }
}

/// One extension to exclude.
package struct ExtensionExclusion: Codable, Sendable, Equatable {
    /// Without the dot: `vhdx`.
    package var `extension`: String
    /// Why.
    package var reason: String
}

/// One process to exclude.
package struct ProcessExclusion: Codable, Sendable, Equatable {
    /// The binary's Windows path.
    package var path: String
    /// Why.
    package var reason: String
    /// What said so: the binary on the volume, or the service's `ImagePath`.
    package var evidence: [Evidence] = []
    /// Whether the binary was found on the scanned volume.
    package var verified: Bool = true

    /// A process entry (explicit: a memberwise initialiser would be internal to this target).
    package init(path: String, reason: String, evidence: [Evidence] = [], verified: Bool = true) {
        self.path = path
        self.reason = reason
        self.evidence = evidence
        self.verified = verified
    }
}

/// A folder Hyper-V will create on first use: listed, planned only with `--plan-deferred`.
package struct DeferredPath: Codable, Sendable, Equatable {
    /// The folder.
    package var path: String
    /// Why it would be excluded, and why it is not yet.
    package var reason: String
    /// What named it.
    package var evidence: [Evidence]
}

/// A folder the policy would not exclude whole.
package struct RefusedFolder: Codable, Sendable, Equatable {
    /// The folder.
    package var path: String
    /// Why not: the protected place, or the first file in it that is not Hyper-V's.
    package var reason: String
    /// What was planned instead.
    package var instead: String
}

/// What to exclude on one SMB file server that holds this host's VM files (KB 3105657 asks for the exclusions
/// there, not on the Hyper-V host).
package struct FileServerPlan: Codable, Sendable, Equatable {
    /// The server name as the host spells it.
    package var server: String
    /// Its shares that hold VM files.
    package var shares: [Share]

    /// One share and the paths to exclude in it.
    package struct Share: Codable, Sendable, Equatable {
        /// The share name.
        package var name: String
        /// The folders and files, as UNC paths; `relativePath` is the part inside the share.
        package var paths: [Entry]
    }

    /// One folder or file on the share.
    package struct Entry: Codable, Sendable, Equatable {
        /// `\\server\share\…`.
        package var path: String
        /// The path inside the share (`VM2\Virtual Machines`); empty for the share itself.
        package var relativePath: String
        /// Folder or file.
        package var kind: PathExclusion.Kind
        /// Why.
        package var reasons: [String]
        /// What said so.
        package var evidence: [Evidence]
    }
}

extension PathExclusion {
    /// Decodes an entry; a report written before policy v3 has no `form`, which then follows from `kind` and the path.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        path = try container.decode(String.self, forKey: .path)
        environmentPath = try container.decodeIfPresent(String.self, forKey: .environmentPath)
        kind = try container.decode(Kind.self, forKey: .kind)
        form =
            try container.decodeIfPresent(Form.self, forKey: .form)
            ?? (kind == .directory ? .folder : (DefenderPathPattern.isWildcard(path) ? .pattern : .file))
        lifecycle = try container.decodeIfPresent(Lifecycle.self, forKey: .lifecycle)
        basis = try container.decodeIfPresent(Basis.self, forKey: .basis) ?? .file
        reasons = try container.decode([String].self, forKey: .reasons)
        evidence = try container.decode([Evidence].self, forKey: .evidence)
        verified = try container.decode(Bool.self, forKey: .verified)
        hold = try container.decodeIfPresent(EntryHold.self, forKey: .hold)
    }
}
