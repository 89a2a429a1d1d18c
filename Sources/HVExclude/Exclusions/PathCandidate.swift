import HVXInventory
import HVXVolume

/// A path some rule wants excluded, before the minimal cover is taken.
package struct PathCandidate: Sendable, Equatable {
    /// The path.
    package var path: WindowsPath
    /// Folder or file.
    package var kind: PathExclusion.Kind
    /// Which rule asked for it.
    package var basis: PathExclusion.Basis
    /// Why.
    package var reason: String
    /// Which files and keys said so.
    package var evidence: [Evidence]
    /// Whether the path exists on a scanned volume and every fact behind it has a source.
    package var verified: Bool
    /// What Hyper-V will write that the candidate is for (nil: what exists today).
    package var lifecycle: PathExclusion.Lifecycle?

    /// Folder, file or pattern: a file candidate with a wildcard in its last part is a pattern.
    package var form: PathExclusion.Form {
        if kind == .directory { return .folder }
        return DefenderPathPattern(path: path).isFileNamePattern ? .pattern : .file
    }

    /// Creates a candidate.
    package init(
        path: WindowsPath, kind: PathExclusion.Kind, basis: PathExclusion.Basis? = nil, reason: String,
        evidence: [Evidence],
        verified: Bool, lifecycle: PathExclusion.Lifecycle? = nil
    ) {
        self.lifecycle = lifecycle
        self.path = path
        self.kind = kind
        self.basis = basis ?? (kind == .file ? .file : .hyperVFolder)
        self.reason = reason
        self.evidence = evidence
        self.verified = verified
    }
}
