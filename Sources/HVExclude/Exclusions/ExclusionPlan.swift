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
    package var path: String
    /// `%ProgramData%\…` form, with `--env-paths`, where the path sits under a known root.
    package var environmentPath: String?
    /// Folder or file.
    package var kind: Kind
    /// Which rule made the entry.
    var basis: Basis = .file
    /// Why, in words (one per rule that asked for it).
    package var reasons: [String]
    /// Which files and keys said so.
    var evidence: [Evidence]
    /// Whether the path was seen on a scanned volume and every fact behind it has a source (false: on a drive
    /// that was not scanned, or inferred).
    package var verified: Bool
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
    var evidence: [Evidence] = []
    /// Whether the binary was found on the scanned volume.
    package var verified: Bool = true
}

/// A folder Hyper-V will create on first use: listed, planned only with `--plan-deferred`.
package struct DeferredPath: Codable, Sendable, Equatable {
    /// The folder.
    package var path: String
    /// Why it would be excluded, and why it is not yet.
    package var reason: String
    /// What named it.
    var evidence: [Evidence]
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
        var evidence: [Evidence]
    }
}
