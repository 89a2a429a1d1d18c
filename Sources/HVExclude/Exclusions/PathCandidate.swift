/// A path some rule wants excluded, before the minimal cover is taken.
public struct PathCandidate: Sendable, Equatable {
    /// The path.
    public var path: WindowsPath
    /// Folder or file.
    public var kind: PathExclusion.Kind
    /// Why.
    public var reason: String
    /// Which files and keys said so.
    public var evidence: [Evidence]
    /// Whether the path exists on a scanned volume.
    public var verified: Bool
    /// For a folder: the files to exclude instead when the folder itself may not be (a drive root, a system
    /// or profile folder).
    public var fallbackFiles: [WindowsPath]
    /// Whether the path may well not exist yet (Hyper-V's default folders are created on first use), so its
    /// absence is a note, not a warning.
    public var mayNotExistYet: Bool

    /// Creates a candidate.
    public init(
        path: WindowsPath, kind: PathExclusion.Kind, reason: String, evidence: [Evidence], verified: Bool,
        fallbackFiles: [WindowsPath] = [], mayNotExistYet: Bool = false
    ) {
        self.path = path
        self.kind = kind
        self.reason = reason
        self.evidence = evidence
        self.verified = verified
        self.fallbackFiles = fallbackFiles
        self.mayNotExistYet = mayNotExistYet
    }
}
