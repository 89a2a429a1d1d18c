// Reference: RFC 4180 (Common Format and MIME Type for CSV Files).

import HVXBinary
import HVXDiagnosis
import HVXDiskImage
import HVXExclusions
import HVXFormats
import HVXInventory
import HVXScan
import HVXVolume

/// Writes the host's plan as CSV for any antivirus console that imports a table: one row per entry, the columns
/// `form` (`folder`, `file`, `pattern`, `process`, `extension`), `path` (the Windows path, a pattern in Defender's
/// syntax, or `.ext`), `reason` (the entry's reasons joined with `; `), `verified` (`true`/`false`) and `hold` (the
/// threat when a Defender detection holds the entry, else empty).
///
/// RFC 4180: CRLF line ends, a header row, a field quoted when it holds `,`, `"`, CR or LF (a `"` doubled inside).
/// Paths are the real Windows paths, never `%VAR%` forms, since a console may not expand them. File servers'
/// entries are not rows: they belong to the server (`--format list` names them).
package enum CSVExporter {
    /// The columns, in order.
    package static let header = ["form", "path", "reason", "verified", "hold"]

    /// The rows, header first, without quoting.
    package static func rows(_ report: Report) -> [[String]] {
        let plan = report.exclusions
        var rows = [header]
        for entry in plan.paths {
            rows.append([
                entry.form.rawValue, entry.path, entry.reasons.joined(separator: "; "), String(entry.verified),
                entry.hold.map { $0.threat ?? $0.reason } ?? "",
            ])
        }
        for entry in plan.extensions {
            rows.append([
                "extension", "." + DefenderPathPattern.normaliseExtension(entry.extension), entry.reason, "true", "",
            ])
        }
        for entry in plan.processes {
            rows.append(["process", entry.path, entry.reason, String(entry.verified), ""])
        }
        return rows
    }

    /// The CSV text, CRLF line ends.
    package static func render(_ report: Report) -> String {
        rows(report).map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// One field, quoted when RFC 4180 requires it.
    package static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacing("\"", with: "\"\"") + "\""
    }
}
