import HVXBinary
import HVXVolume

/// Reduces path candidates to the smallest exact set: one entry per path (case-insensitive, after
/// normalisation), and no entry below an excluded folder. Which folders may be excluded at all is decided
/// before, by the folder rule (``ProtectedPlaces``, ``HyperVFiles``).
package enum MinimalCover {
    /// Folders the audit calls too broad whatever they hold: `%SystemRoot%`, `System32`, `SysWOW64`,
    /// `%ProgramData%` and its `Microsoft`, `Microsoft\Windows`, `Users`, `%Public%` and its `Documents`, both
    /// `Program Files`.
    package static func forbiddenFolders(_ environment: WindowsEnvironment) -> [WindowsPath] {
        let forms = [
            "%SystemRoot%", "%SystemRoot%\\System32", "%SystemRoot%\\SysWOW64", "%ProgramData%",
            "%ProgramData%\\Microsoft",
            "%ProgramData%\\Microsoft\\Windows", "%SystemDrive%\\Users", "%Public%", "%Public%\\Documents",
            "%ProgramFiles%", "%ProgramFiles(x86)%",
        ]
        return forms.compactMap { environment.path($0) }
    }

    /// Whether `path` is a volume root, one of `forbidden`, or a user profile (`<drive>:\Users\<name>`).
    package static func isForbidden(_ path: WindowsPath, forbidden: [WindowsPath]) -> Bool {
        if path.isRoot { return true }
        if forbidden.contains(path) { return true }
        if path.components.count == 2, NTFSName.fold(path.components[0]) == "USERS" { return true }
        return false
    }

    /// The minimal cover of `candidates`, sorted by path.
    package static func cover(_ candidates: [PathCandidate]) -> [PathExclusion] {
        // One entry per path: merge reasons and evidence; keep the on-disk spelling of a verified entry.
        var merged: [String: PathExclusion] = [:]
        var paths: [String: WindowsPath] = [:]
        for candidate in candidates {
            let key = candidate.path.key
            if var existing = merged[key] {
                if !existing.reasons.contains(candidate.reason) { existing.reasons.append(candidate.reason) }
                existing.evidence = Array(Set(existing.evidence + candidate.evidence)).sorted()
                if candidate.verified && !existing.verified {
                    existing.path = candidate.path.description
                    paths[key] = candidate.path
                }
                existing.verified = existing.verified || candidate.verified
                if candidate.kind == .directory {
                    existing.kind = .directory
                    existing.form = .folder
                }
                // An entry needed for what exists today is not one for what Hyper-V will write.
                if existing.lifecycle != candidate.lifecycle { existing.lifecycle = nil }
                // A folder Microsoft names outranks the folder rule: it is planned whatever it holds.
                if candidate.basis == .microsoftFolder || existing.basis == .file { existing.basis = candidate.basis }
                merged[key] = existing
            } else {
                merged[key] = PathExclusion(
                    path: candidate.path.description, environmentPath: nil, kind: candidate.kind, form: candidate.form,
                    lifecycle: candidate.lifecycle, basis: candidate.basis, reasons: [candidate.reason],
                    evidence: candidate.evidence.sorted(), verified: candidate.verified)
                paths[key] = candidate.path
            }
        }
        // Drop every entry below an excluded folder, folding its reasons and evidence into the folder so
        // nothing that explains the folder is lost.
        let folders = merged.filter { $0.value.kind == .directory }.keys.sorted {
            paths[$0]!.components.count < paths[$1]!.components.count
        }
        var kept = merged
        for key in merged.keys.sorted() {
            let path = paths[key]!
            guard let ancestor = folders.first(where: { kept[$0] != nil && paths[$0]!.isAncestor(of: path) }) else {
                continue
            }
            let child = kept.removeValue(forKey: key)!
            var parent = kept[ancestor]!
            // "Hyper-V owns this folder" explains a folder the folder rule admitted, never a folder Microsoft names.
            for reason in child.reasons where !parent.reasons.contains(reason) {
                if parent.basis == .microsoftFolder && reason == PlanState.onlyHyperV { continue }
                parent.reasons.append(reason)
            }
            parent.evidence = Array(Set(parent.evidence + child.evidence)).sorted()
            kept[ancestor] = parent
        }
        // "Hyper-V owns this folder" explains what the folder rule admitted, never a folder Microsoft names.
        for key in kept.keys where kept[key]!.basis == .microsoftFolder {
            kept[key]!.reasons.removeAll { $0 == PlanState.onlyHyperV }
        }
        return kept.keys.sorted().map { kept[$0]! }
    }
}
