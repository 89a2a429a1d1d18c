/// A path some rule wants excluded, before the minimal cover is taken.
struct PathCandidate: Sendable, Equatable {
    /// The path.
    var path: WindowsPath
    /// Folder or file.
    var kind: PathExclusion.Kind
    /// Why.
    var reason: String
    /// Which files and keys said so.
    var evidence: [Evidence]
    /// Whether the path exists on a scanned volume.
    var verified: Bool
    /// For a folder: the files to exclude instead when the folder itself may not be (a drive root, a system
    /// or profile folder).
    var fallbackFiles: [WindowsPath]
    /// Whether the path may well not exist yet (Hyper-V's default folders are created on first use), so its
    /// absence is a note, not a warning.
    var mayNotExistYet: Bool

    /// Creates a candidate.
    init(
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
