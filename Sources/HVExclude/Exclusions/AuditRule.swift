import HVXVolume

/// One configured (or automatic) Defender exclusion, parsed once for every comparison the audit makes.
struct AuditRule: Sendable {
    /// path, extension or process.
    let type: DefenderAudit.EntryType
    /// The text as configured (or the automatic list's spelling).
    let value: String
    /// Where it lives.
    let origin: DefenderAudit.Origin
    /// For a path, or a process given with a folder: the parsed (expanded) path; nil when it does not parse.
    let pattern: AuditPattern?
    /// For an extension: the normalised extension (no `*.`/`.`, lower-case); for a process given by name: the name.
    let name: String?

    /// Parses a configured entry.
    init(type: DefenderAudit.EntryType, value: String, origin: DefenderAudit.Origin, environment: WindowsEnvironment) {
        self.type = type
        self.value = value
        self.origin = origin
        switch type {
        case .path:
            pattern = AuditPattern(value, environment: environment)
            name = nil
        case .extension:
            pattern = nil
            name = AuditPattern.normaliseExtension(value)
        case .process:
            // Defender takes a process either by image name ("vmms.exe", any folder) or by full path.
            let trimmed = value.auditTrimmed
            if trimmed.contains("\\") || trimmed.contains("/") {
                pattern = AuditPattern(trimmed, environment: environment)
                name = nil
            } else {
                pattern = nil
                name = trimmed
            }
        }
    }

    /// Whether the entry holds `*` or `?` anywhere.
    var hasWildcard: Bool { AuditPattern.isWildcard(value) }

    /// How well this rule matches a planned entry: nil (not at all), or present/covered with a note.
    func match(_ planned: AuditTarget) -> (status: DefenderAudit.Status, note: String?)? {
        switch (planned, type) {
        case (.path(let path, _), .path):
            guard let pattern else { return nil }
            if pattern.equals(path) { return (.present, nil) }
            if pattern.covers(path) {
                return (.covered, pattern.hasWildcard ? "matched through the wildcard entry \(value)" : nil)
            }
            return nil
        case (.path(let path, let isFile), .extension):
            // An extension exclusion covers a single file of that extension wherever it is.
            guard isFile, let name, let ext = path.lastComponent.flatMap(AuditPattern.fileExtension),
                AuditPattern.glob(name, ext)
            else { return nil }
            return (.covered, "every .\(ext) file on the host is excluded by the extension exclusion \(value)")
        case (.extension(let ext), .extension):
            guard let name else { return nil }
            if !AuditPattern.isWildcard(name) && name == ext { return (.present, nil) }
            if AuditPattern.glob(name, ext) { return (.covered, "matched through the wildcard entry \(value)") }
            return nil
        case (.process(let path), .process):
            if let pattern {
                if pattern.equals(path) { return (.present, nil) }
                if pattern.matches(path) { return (.covered, "matched through the wildcard entry \(value)") }
                return nil
            }
            guard let name, let file = path.lastComponent, AuditPattern.glob(name, file) else { return nil }
            return (.covered, "excluded by image name: any process called \(file) is excluded, wherever it runs from")
        default:
            return nil
        }
    }
}

/// A planned entry in the form the rules compare against.
enum AuditTarget: Sendable {
    /// A folder or file path.
    case path(WindowsPath, isFile: Bool)
    /// A normalised extension.
    case `extension`(String)
    /// A process binary's path.
    case process(WindowsPath)
}
