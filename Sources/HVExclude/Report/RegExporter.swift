import HVXBinary
import HVXExclusions

/// Writes the plan as a `.reg` file of Defender's Group Policy exclusion keys, for import with regedit or into
/// an offline image / GPO.
///
/// Layout (the same keys the "Windows Defender Antivirus > Exclusions" policies write):
/// `HKLM\SOFTWARE\Policies\Microsoft\Windows Defender\Exclusions` holds `Exclusions_Paths`,
/// `Exclusions_Extensions`, `Exclusions_Processes` = 1 (list enabled); its subkeys `Paths`, `Extensions`,
/// `Processes` hold one value per item, the item being the value NAME (data 0; Defender reads only names).
/// regedit writes version 5.00 files as UTF-16LE with a BOM and CRLF line ends: ``renderBytes(_:)`` gives
/// exactly that; ``render(_:)`` gives the same text as a String for display and tests.
///
/// File servers: a `.reg` file is imported on one machine and would need each share's local folder on the
/// server, which this host cannot know, so their entries are not keys here; the header says so in comment lines
/// and names each UNC path (the PowerShell output has a function to run on the server).
package enum RegExporter {
    /// The policy key.
    package static let policyKey = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows Defender\\Exclusions"

    /// The `.reg` text, with `\n` line ends.
    package static func render(_ report: Report) -> String {
        let plan = report.exclusions
        var lines = [
            "Windows Registry Editor Version 5.00",
            "",
            "; Microsoft Defender exclusions (Group Policy keys) for a Hyper-V host, written by \(report.tool.name) \(report.tool.version)",
            "; Scanned: \(oneLine(report.scan.startedAt)); host: \(oneLine(PowerShellExporter.hostDescription(report)))",
        ]
        lines += fileServerComments(report.fileServers)
        lines += ["", "[\(policyKey)]"]
        let lists: [(name: String, items: [String])] = [
            ("Paths", plan.paths.map { $0.environmentPath ?? $0.path }),
            ("Extensions", plan.extensions.map { "." + DefenderPathPattern.normaliseExtension($0.extension) }),
            ("Processes", plan.processes.map(\.path)),
        ]
        for list in lists where !list.items.isEmpty {
            lines.append("\(quote("Exclusions_" + list.name))=dword:00000001")
        }
        for list in lists where !list.items.isEmpty {
            lines.append("")
            // Comments go above the key: some importers (hivexregedit) end a key's block at a comment line, and
            // a line ending in a backslash continues on the next, so each comment ends with a word.
            if list.name == "Paths" {
                for entry in plan.paths where !entry.verified {
                    lines.append(
                        "; \(oneLine(entry.environmentPath ?? entry.path)) was not verified on the scanned volumes")
                }
            }
            lines.append("[\(policyKey)\\\(list.name)]")
            lines += list.items.map { "\(quote($0))=dword:00000000" }
        }
        return lines.joined(separator: "\n") + "\n\n"
    }

    /// Comment lines for the file servers' entries, which this file cannot apply (see the type's note). Each
    /// ends with a word, never a backslash (a trailing backslash continues a `.reg` line).
    package static func fileServerComments(_ servers: [FileServerPlan]) -> [String] {
        var lines: [String] = []
        for (index, server) in servers.enumerated() {
            lines.append(
                "; Not in this file: the SMB file server \(oneLine(server.server)) holds VM files; KB 3105657 asks for their "
                    + "exclusions on that server, where each share's local folder is known (--format powershell: "
                    + "Add-HvxFileServerExclusions\(index + 1))")
            for share in server.shares {
                for entry in share.paths {
                    lines.append(
                        "; on \(oneLine(server.server)): \(oneLine(entry.path)) (\(entry.kind == .directory ? "folder" : "file"))"
                    )
                }
            }
        }
        return lines
    }

    /// The file as regedit writes it: UTF-16LE with a byte-order mark, CRLF line ends.
    package static func renderBytes(_ report: Report) -> [UInt8] {
        let text = render(report).replacing("\n", with: "\r\n")
        return [0xFF, 0xFE] + UTF16Text.encode(text, .little)
    }

    /// A quoted `.reg` string: `\` and `"` escaped with a backslash.
    package static func quote(_ text: String) -> String {
        var out = "\""
        for character in oneLine(text) {
            if character == "\\" || character == "\"" { out.append("\\") }
            out.append(character)
        }
        return out + "\""
    }

    /// A `.reg` line cannot hold a line break.
    package static func oneLine(_ text: String) -> String { String(text.map { $0.isNewline ? " " : $0 }) }
}
