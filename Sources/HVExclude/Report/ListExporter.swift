import HVXExclusions

/// Writes the plan one exclusion per line, `folder:`, `file:`, `pattern:`, `ext:` or `process:` followed by the
/// value, for antivirus products other than Defender (and for scripts); with a ``VendorProfile``, in that product's
/// syntax instead.
///
/// `pattern:` lines are file-name patterns in Defender's syntax (`D:\Db01_*.avhdx`: a `*` or `?` in the last part
/// only, matching file names in that folder, never in its subfolders; always ending in a Hyper-V type). A product
/// that takes no wildcards cannot express them: exclude the files they match as they appear, never the folder.
///
/// Paths are the real Windows paths, or with `--env-paths` the `%VAR%` forms the plan holds; extensions carry their
/// dot (`ext:.vhdx`). The one other line is a `#` note above an entry held by a Defender malware detection
/// (`# held: malware detected …`); a reader skips lines that start with `#`.
///
/// Then the file servers' entries, `fileserver-path:` and the UNC path (`\\fs01\vms\Web`): KB 3105657 asks for
/// these on the SMB server, not on this host, so they have their own prefix; the UNC path names the server, the
/// share and the part inside it, and whoever applies them there maps the share to its local folder. A reader
/// that applies the host's plan takes the other lines only.
package enum ListExporter {
    /// The list text, one entry per line, with a final newline (empty when the plan is empty).
    package static func render(_ report: Report, vendor: VendorProfile? = nil) -> String {
        let plan = report.exclusions
        var lines: [String] = []
        if let vendor {
            lines = vendor.lines(report)
        } else {
            for entry in plan.paths {
                if let hold = entry.hold { lines.append(PowerShellExporter.holdNote(hold)) }
                lines.append("\(entry.form.rawValue):" + (entry.environmentPath ?? entry.path))
            }
            lines += plan.extensions.map { "ext:." + DefenderPathPattern.normaliseExtension($0.extension) }
            lines += plan.processes.map { "process:" + $0.path }
        }
        lines += report.fileServers.flatMap { server in
            server.shares.flatMap { $0.paths.map { "fileserver-path:" + $0.path } }
        }
        return lines.isEmpty ? "" : lines.map(oneLine).joined(separator: "\n") + "\n"
    }

    /// A value cannot hold a line break without breaking the format.
    package static func oneLine(_ text: String) -> String { String(text.map { $0.isNewline ? " " : $0 }) }
}
