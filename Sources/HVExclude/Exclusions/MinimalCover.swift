/// Reduces path candidates to the smallest exact set: one entry per path (case-insensitive, after
/// normalisation), no entry below an excluded folder, and never a folder too broad to exclude.
enum MinimalCover {
    /// Folders that must never be excluded as a whole, for a given environment: volume roots (always),
    /// `%SystemRoot%`, `%SystemRoot%\System32`, `%ProgramData%`, `%ProgramData%\Microsoft`,
    /// `%ProgramData%\Microsoft\Windows`, `Users`, each user profile, `Program Files` (both), `Users\Public`
    /// and `Users\Public\Documents`.
    static func forbiddenFolders(_ environment: WindowsEnvironment) -> [WindowsPath] {
        let forms = [
            "%SystemRoot%", "%SystemRoot%\\System32", "%SystemRoot%\\SysWOW64", "%ProgramData%", "%ProgramData%\\Microsoft",
            "%ProgramData%\\Microsoft\\Windows", "%SystemDrive%\\Users", "%Public%", "%Public%\\Documents",
            "%ProgramFiles%", "%ProgramFiles(x86)%",
        ]
        return forms.compactMap { environment.path($0) }
    }

    /// Whether `path` is a folder that may not be excluded whole.
    static func isForbidden(_ path: WindowsPath, forbidden: [WindowsPath]) -> Bool {
        if path.isRoot { return true }
        if forbidden.contains(path) { return true }
        // A user profile: <drive>:\Users\<name>.
        if path.components.count == 2, NTFSName.equal(path.components[0], "Users") { return true }
        return false
    }

    /// The minimal cover of `candidates`.
    /// - Returns: sorted path exclusions, and a note for every folder replaced by its files.
    static func cover(_ candidates: [PathCandidate], forbidden: [WindowsPath]) -> (paths: [PathExclusion], notes: [Finding]) {
        var notes: [Finding] = []
        var expanded: [PathCandidate] = []
        for candidate in candidates {
            if candidate.kind == .directory && isForbidden(candidate.path, forbidden: forbidden) {
                notes.append(Finding(
                    .exclusion, path: candidate.path.description,
                    message: "not excluded as a folder (a volume root, system or profile folder is far too broad); its Hyper-V files are excluded one by one",
                    severity: .info))
                for file in candidate.fallbackFiles {
                    expanded.append(PathCandidate(path: file, kind: .file, reason: candidate.reason, evidence: candidate.evidence, verified: candidate.verified))
                }
            } else {
                expanded.append(candidate)
            }
        }
        // One entry per path: merge reasons and evidence; keep the on-disk spelling of a verified entry.
        var merged: [String: PathExclusion] = [:]
        var paths: [String: WindowsPath] = [:]
        for candidate in expanded {
            let key = candidate.path.key
            if var existing = merged[key] {
                if !existing.reasons.contains(candidate.reason) { existing.reasons.append(candidate.reason) }
                existing.evidence = Array(Set(existing.evidence + candidate.evidence)).sorted()
                if candidate.verified && !existing.verified {
                    existing.path = candidate.path.description
                    paths[key] = candidate.path
                }
                existing.verified = existing.verified || candidate.verified
                if candidate.kind == .directory { existing.kind = .directory }
                merged[key] = existing
            } else {
                merged[key] = PathExclusion(
                    path: candidate.path.description, environmentPath: nil, kind: candidate.kind, reasons: [candidate.reason],
                    evidence: candidate.evidence.sorted(), verified: candidate.verified)
                paths[key] = candidate.path
            }
        }
        // Drop every entry below an excluded folder, folding its reasons and evidence into the folder so
        // nothing that explains the folder is lost.
        let folders = merged.filter { $0.value.kind == .directory }.keys.sorted { paths[$0]!.components.count < paths[$1]!.components.count }
        var kept = merged
        for key in merged.keys.sorted() {
            let path = paths[key]!
            guard let ancestor = folders.first(where: { kept[$0] != nil && paths[$0]!.isAncestor(of: path) }) else { continue }
            let child = kept.removeValue(forKey: key)!
            var parent = kept[ancestor]!
            for reason in child.reasons where !parent.reasons.contains(reason) { parent.reasons.append(reason) }
            parent.evidence = Array(Set(parent.evidence + child.evidence)).sorted()
            kept[ancestor] = parent
        }
        let sorted = kept.keys.sorted().map { kept[$0]! }
        return (sorted, notes)
    }
}
