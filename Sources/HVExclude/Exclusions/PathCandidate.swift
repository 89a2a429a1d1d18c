import HVXInventory
import HVXVolume

/// A path some rule wants excluded, before the minimal cover is taken.
struct PathCandidate: Sendable, Equatable {
    /// The path.
    var path: WindowsPath
    /// Folder or file.
    var kind: PathExclusion.Kind
    /// Which rule asked for it.
    var basis: PathExclusion.Basis
    /// Why.
    var reason: String
    /// Which files and keys said so.
    var evidence: [Evidence]
    /// Whether the path exists on a scanned volume and every fact behind it has a source.
    var verified: Bool

    /// Creates a candidate.
    init(
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
