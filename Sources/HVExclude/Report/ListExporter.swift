import HVXExclusions

/// Writes the plan one exclusion per line, `path:`, `ext:` or `process:` followed by the value, for antivirus
/// products other than Defender (and for scripts).
///
/// Paths are the real Windows paths (never `%VAR%` forms, which other products may not expand); extensions
/// carry their dot (`ext:.vhdx`). Nothing else is printed, so every line is an entry.
///
/// Then the file servers' entries, `fileserver-path:` and the UNC path (`\\fs01\vms\Web`): KB 3105657 asks for
/// these on the SMB server, not on this host, so they have their own prefix; the UNC path names the server, the
/// share and the part inside it, and whoever applies them there maps the share to its local folder. A reader
/// that applies the host's plan takes `path:`, `ext:` and `process:` lines only.
public enum ListExporter {
    /// The list text, one entry per line, with a final newline (empty when the plan is empty).
    public static func render(_ report: Report) -> String {
        let plan = report.exclusions
        var lines: [String] = []
        lines += plan.paths.map { "path:" + $0.path }
        lines += plan.extensions.map { "ext:." + AuditPattern.normaliseExtension($0.extension) }
        lines += plan.processes.map { "process:" + $0.path }
        lines += report.fileServers.flatMap { server in server.shares.flatMap { $0.paths.map { "fileserver-path:" + $0.path } } }
        return lines.isEmpty ? "" : lines.map(oneLine).joined(separator: "\n") + "\n"
    }

    /// A value cannot hold a line break without breaking the format.
    static func oneLine(_ text: String) -> String { String(text.map { $0.isNewline ? " " : $0 }) }
}
