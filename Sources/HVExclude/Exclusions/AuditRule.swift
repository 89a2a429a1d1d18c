import HVXVolume

/// One configured (or automatic) Defender exclusion, parsed once for every comparison the audit makes.
package struct AuditRule: Sendable {
    /// path, extension or process.
    package let type: DefenderAudit.EntryType
    /// The text as configured (or the automatic list's spelling).
    package let value: String
    /// Where it lives.
    package let origin: DefenderAudit.Origin
    /// For a path, or a process given with a folder: the parsed (expanded) path; nil when it does not parse.
    package let pattern: DefenderPathPattern?
    /// For an extension: the normalised extension (no `*.`/`.`, lower-case); for a process given by name: the name.
    package let name: String?

    /// Parses a configured entry.
    package init(
        type: DefenderAudit.EntryType, value: String, origin: DefenderAudit.Origin, environment: WindowsEnvironment
    ) {
        self.type = type
        self.value = value
        self.origin = origin
        switch type {
        case .path:
            pattern = DefenderPathPattern(value, environment: environment)
            name = nil
        case .extension:
            pattern = nil
            name = DefenderPathPattern.normaliseExtension(value)
        case .process:
            // Defender takes a process either by image name ("vmms.exe", any folder) or by full path.
            let trimmed = value.auditTrimmed
            if trimmed.contains("\\") || trimmed.contains("/") {
                pattern = DefenderPathPattern(trimmed, environment: environment)
                name = nil
            } else {
                pattern = nil
                name = trimmed
            }
        }
    }

    /// Whether the entry holds `*` or `?` anywhere.
    package var hasWildcard: Bool { DefenderPathPattern.isWildcard(value) }

    /// How well this rule matches a planned entry: nil (not at all), or present/covered with a note.
    package func match(_ planned: AuditTarget) -> (status: DefenderAudit.Status, note: String?)? {
        switch (planned, type) {
        case (.path(let planned, _), .path):
            guard let pattern else { return nil }
            if pattern.path == planned.path && pattern.hasWildcard == planned.hasWildcard { return (.present, nil) }
            if pattern.covers(planned) {
                return (.covered, pattern.hasWildcard ? "matched through the wildcard entry \(value)" : nil)
            }
            return nil
        case (.path(let planned, let isFile), .extension):
            // An extension exclusion covers a single file (or a file-name pattern ending in a fixed type) of that
            // extension wherever it is.
            guard isFile, let name, let ext = planned.path.lastComponent.flatMap(DefenderPathPattern.fileExtension),
                !DefenderPathPattern.isWildcard(ext), DefenderPathPattern.glob(name, ext)
            else { return nil }
            return (.covered, "every .\(ext) file on the host is excluded by the extension exclusion \(value)")
        case (.extension(let ext), .extension):
            guard let name else { return nil }
            if !DefenderPathPattern.isWildcard(name) && name == ext { return (.present, nil) }
            if DefenderPathPattern.glob(name, ext) { return (.covered, "matched through the wildcard entry \(value)") }
            return nil
        case (.process(let path), .process):
            if let pattern {
                if pattern.equals(path) { return (.present, nil) }
                if pattern.matches(path) { return (.covered, "matched through the wildcard entry \(value)") }
                return nil
            }
            guard let name, let file = path.lastComponent, DefenderPathPattern.glob(name, file) else { return nil }
            return (.covered, "excluded by image name: any process called \(file) is excluded, wherever it runs from")
        default:
            return nil
        }
    }
}

/// A planned entry in the form the rules compare against.
package enum AuditTarget: Sendable {
    /// A folder or file path, or a file-name pattern (as Defender reads it).
    case path(DefenderPathPattern, isFile: Bool)
    /// A normalised extension.
    case `extension`(String)
    /// A process binary's path.
    case process(WindowsPath)
}
