/// A readable summary of a ``Report``: roots, artifacts grouped by kind with counts, links, warnings.
public enum TextExporter {
    /// The summary text.
    public static func render(_ report: Report) -> String {
        var out = "hvexclude \(report.tool.version) — scan of "
        out += report.scan.roots.map { "\($0.drive) = \($0.path)" }.joined(separator: ", ") + "\n"
        out += "\(report.scan.entriesVisited) entries in \(report.scan.directoriesVisited) folders, \(report.scan.durationSeconds) s\n"
        let groups = Dictionary(grouping: report.artifacts, by: \.kind)
        for kind in groups.keys.sorted() {
            let items = groups[kind]!
            out += "\n\(title(kind)) (\(items.count))\n"
            for item in items { out += "  \(item.path)\n" }
        }
        if !report.scan.links.isEmpty {
            out += "\nLinks (\(report.scan.links.count))\n"
            for link in report.scan.links {
                out += "  \(link.path) -> \(link.target ?? "(unresolved: \(link.targetText))") [\(link.targetSource.rawValue)]\n"
            }
        }
        let warnings = report.scan.warnings
        out += "\nWarnings (\(warnings.count))\n"
        if warnings.isEmpty { out += "  none\n" }
        for warning in warnings { out += "  [\(warning.severity.rawValue)] \(warning.path): \(warning.message)\n" }
        return out
    }

    static func title(_ kind: ArtifactKind) -> String {
        switch kind {
        case .virtualDisk: return "Virtual disks"
        case .vmConfiguration: return "VM configurations"
        case .configurationCache: return "Configuration cache copies"
        case .registrationStore: return "Registration stores"
        case .runtimeState: return "Runtime state files"
        case .runtimeFolder: return "Runtime folders"
        case .changeTracking: return "Change tracking files"
        case .iso: return "ISO images"
        case .floppy: return "Virtual floppies"
        case .processBinary: return "Process binaries"
        case .dataRoot: return "Hyper-V data roots"
        case .markerFolder: return "Hyper-V folders"
        case .clusterStorage: return "Cluster storage"
        }
    }
}
