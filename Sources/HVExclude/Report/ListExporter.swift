/// Writes the plan one exclusion per line, `path:`, `ext:` or `process:` followed by the value, for antivirus
/// products other than Defender (and for scripts).
///
/// Paths are the real Windows paths (never `%VAR%` forms, which other products may not expand); extensions
/// carry their dot (`ext:.vhdx`). Nothing else is printed, so every line is an entry.
public enum ListExporter {
    /// The list text, one entry per line, with a final newline (empty when the plan is empty).
    public static func render(_ report: Report) -> String {
        let plan = report.exclusions
        var lines: [String] = []
        lines += plan.paths.map { "path:" + $0.path }
        lines += plan.extensions.map { "ext:." + AuditPattern.normaliseExtension($0.extension) }
        lines += plan.processes.map { "process:" + $0.path }
        return lines.isEmpty ? "" : lines.map(oneLine).joined(separator: "\n") + "\n"
    }

    /// A value cannot hold a line break without breaking the format.
    static func oneLine(_ text: String) -> String { String(text.map { $0.isNewline ? " " : $0 }) }
}
