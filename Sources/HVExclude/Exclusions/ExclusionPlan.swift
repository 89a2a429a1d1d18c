/// The exclusions a host needs: paths, processes and (only on request) extensions, each with why; plus what
/// was left for later (`deferred`) and every folder the policy refused to exclude whole (`refused`).
public struct ExclusionPlan: Codable, Sendable, Equatable {
    /// Folder and file exclusions, minimal and sorted.
    public var paths: [PathExclusion]
    /// Extension exclusions: empty unless `--extensions` or `--broad-extensions` asked for them.
    public var extensions: [ExtensionExclusion]
    /// Process exclusions.
    public var processes: [ProcessExclusion]
    /// Default folders Hyper-V has not created yet: not planned unless `--plan-deferred`.
    public var deferred: [DeferredPath]
    /// Folders a rule asked for that the policy would not exclude whole, and why.
    public var refused: [RefusedFolder]
    /// Why extensions are (or are not) in the plan: the trade-off in one sentence.
    public var extensionPolicy: String

    /// Creates a plan.
    public init(
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
public struct PathExclusion: Codable, Sendable, Equatable {
    /// Whether the path is a folder or a single file.
    public enum Kind: String, Codable, Sendable { case directory, file }

    /// Which rule made the entry.
    public enum Basis: String, Codable, Sendable {
        /// A folder Hyper-V owns that holds only Hyper-V files (the folder rule).
        case hyperVFolder
        /// A folder Microsoft names for exclusion (the Hyper-V data root, `C:\ClusterStorage`, `%SystemRoot%\Cluster`,
        /// the witness disk's `\Cluster`, a replica storage location, the cluster account's temp folder).
        case microsoftFolder
        /// A single file (or, on a drive that was not scanned, a folder named by a VM that could not be checked).
        case file
    }

    /// The Windows path, in the spelling found on disk when it exists.
    public var path: String
    /// `%ProgramData%\…` form, with `--env-paths`, where the path sits under a known root.
    public var environmentPath: String?
    /// Folder or file.
    public var kind: Kind
    /// Which rule made the entry.
    public var basis: Basis = .file
    /// Why, in words (one per rule that asked for it).
    public var reasons: [String]
    /// Which files and keys said so.
    public var evidence: [Evidence]
    /// Whether the path was seen on a scanned volume and every fact behind it has a source (false: on a drive
    /// that was not scanned, or inferred).
    public var verified: Bool
}

/// One extension to exclude.
public struct ExtensionExclusion: Codable, Sendable, Equatable {
    /// Without the dot: `vhdx`.
    public var `extension`: String
    /// Why.
    public var reason: String
}

/// One process to exclude.
public struct ProcessExclusion: Codable, Sendable, Equatable {
    /// The binary's Windows path.
    public var path: String
    /// Why.
    public var reason: String
    /// What said so: the binary on the volume, or the service's `ImagePath`.
    public var evidence: [Evidence] = []
    /// Whether the binary was found on the scanned volume.
    public var verified: Bool = true
}

/// A folder Hyper-V will create on first use: listed, planned only with `--plan-deferred`.
public struct DeferredPath: Codable, Sendable, Equatable {
    /// The folder.
    public var path: String
    /// Why it would be excluded, and why it is not yet.
    public var reason: String
    /// What named it.
    public var evidence: [Evidence]
}

/// A folder the policy would not exclude whole.
public struct RefusedFolder: Codable, Sendable, Equatable {
    /// The folder.
    public var path: String
    /// Why not: the protected place, or the first file in it that is not Hyper-V's.
    public var reason: String
    /// What was planned instead.
    public var instead: String
}

/// What to exclude on one SMB file server that holds this host's VM files (KB 3105657 asks for the exclusions
/// there, not on the Hyper-V host).
public struct FileServerPlan: Codable, Sendable, Equatable {
    /// The server name as the host spells it.
    public var server: String
    /// Its shares that hold VM files.
    public var shares: [Share]

    /// One share and the paths to exclude in it.
    public struct Share: Codable, Sendable, Equatable {
        /// The share name.
        public var name: String
        /// The folders and files, as UNC paths; `relativePath` is the part inside the share.
        public var paths: [Entry]
    }

    /// One folder or file on the share.
    public struct Entry: Codable, Sendable, Equatable {
        /// `\\server\share\…`.
        public var path: String
        /// The path inside the share (`VM2\Virtual Machines`); empty for the share itself.
        public var relativePath: String
        /// Folder or file.
        public var kind: PathExclusion.Kind
        /// Why.
        public var reasons: [String]
        /// What said so.
        public var evidence: [Evidence]
    }
}
