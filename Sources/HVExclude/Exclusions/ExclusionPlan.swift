/// The exclusions a host needs: paths, extensions and processes, each with why.
struct ExclusionPlan: Codable, Sendable, Equatable {
    /// Folder and file exclusions, minimal and sorted.
    var paths: [PathExclusion]
    /// Extension exclusions for the detected Windows version.
    var extensions: [ExtensionExclusion]
    /// Process exclusions, only for binaries present on the volume.
    var processes: [ProcessExclusion]

    /// Creates a plan.
    init(paths: [PathExclusion] = [], extensions: [ExtensionExclusion] = [], processes: [ProcessExclusion] = []) {
        self.paths = paths
        self.extensions = extensions
        self.processes = processes
    }
}

/// One path to exclude.
struct PathExclusion: Codable, Sendable, Equatable {
    /// Whether the path is a folder or a single file.
    enum Kind: String, Codable, Sendable { case directory, file }

    /// The Windows path, in the spelling found on disk when it exists.
    var path: String
    /// `%ProgramData%\…` form, with `--env-paths`, where the path sits under a known root.
    var environmentPath: String?
    /// Folder or file.
    var kind: Kind
    /// Why, in words (one per rule that asked for it).
    var reasons: [String]
    /// Which files and keys said so.
    var evidence: [Evidence]
    /// Whether the path was seen on a scanned volume (false: on an unmapped drive, or missing).
    var verified: Bool
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
}
