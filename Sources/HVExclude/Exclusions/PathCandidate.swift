/// A path some rule wants excluded, before the minimal cover is taken.
public struct PathCandidate: Sendable, Equatable {
    /// The path.
    public var path: WindowsPath
    /// Folder or file.
    public var kind: PathExclusion.Kind
    /// Which rule asked for it.
    public var basis: PathExclusion.Basis
    /// Why.
    public var reason: String
    /// Which files and keys said so.
    public var evidence: [Evidence]
    /// Whether the path exists on a scanned volume and every fact behind it has a source.
    public var verified: Bool

    /// Creates a candidate.
    public init(
        path: WindowsPath, kind: PathExclusion.Kind, basis: PathExclusion.Basis? = nil, reason: String, evidence: [Evidence],
        verified: Bool
    ) {
        self.path = path
        self.kind = kind
        self.basis = basis ?? (kind == .file ? .file : .hyperVFolder)
        self.reason = reason
        self.evidence = evidence
        self.verified = verified
    }
}
