import HVXExclusions

extension TextExporter {
    /// The first line: which engine(s) scan this host, then one line per engine with its evidence.
    static func engines(_ report: Report, _ out: inout Output) {
        guard let antivirus = report.host?.antivirus else {
            out.line(
                out.bold("Antivirus: ")
                    + "unknown (no SYSTEM hive was read, so the host's file-system filters are unknown)")
            return
        }
        out.line(out.bold("Antivirus: ") + antivirus.summary)
        for engine in antivirus.engines {
            let state = engine.scans.map { $0 ? "scans" : "does not scan" } ?? "unknown"
            let filters = engine.filters.isEmpty ? "" : " [" + engine.filters.joined(separator: ", ") + "]"
            out.line("  \(engine.name): \(state)\(filters) — \(engine.reason)")
        }
    }

    /// Lines that qualify the whole audit: Defender not the active engine, sources that do not apply, blind spots.
    static func auditContext(_ audit: DefenderAudit, _ out: inout Output) {
        if let note = audit.engineNote { out.line("  " + out.red("Defender is not the active engine: ") + note) }
        for source in audit.ignoredSources ?? [] { out.line("  not applied: " + source) }
        for spot in audit.blindSpots ?? [] { out.line("  cannot be known offline: " + spot) }
    }
}
