/// The exclusions a host needs: paths, extensions and processes, each with why.
public struct ExclusionPlan: Codable, Sendable, Equatable {
    /// Folder and file exclusions, minimal and sorted.
    public var paths: [PathExclusion]
    /// Extension exclusions for the detected Windows version.
    public var extensions: [ExtensionExclusion]
    /// Process exclusions, only for binaries present on the volume.
    public var processes: [ProcessExclusion]

    /// Creates a plan.
    public init(paths: [PathExclusion] = [], extensions: [ExtensionExclusion] = [], processes: [ProcessExclusion] = []) {
        self.paths = paths
        self.extensions = extensions
        self.processes = processes
    }
}

/// One path to exclude.
public struct PathExclusion: Codable, Sendable, Equatable {
    /// Whether the path is a folder or a single file.
    public enum Kind: String, Codable, Sendable { case directory, file }

    /// The Windows path, in the spelling found on disk when it exists.
    public var path: String
    /// `%ProgramData%\…` form, with `--env-paths`, where the path sits under a known root.
    public var environmentPath: String?
    /// Folder or file.
    public var kind: Kind
    /// Why, in words (one per rule that asked for it).
    public var reasons: [String]
    /// Which files and keys said so.
    public var evidence: [Evidence]
    /// Whether the path was seen on a scanned volume (false: on an unmapped drive, or missing).
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
}
