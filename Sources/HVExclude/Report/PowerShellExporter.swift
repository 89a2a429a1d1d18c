import HVXExclusions

/// Writes the plan as a PowerShell script of `Add-MpPreference` calls for Microsoft Defender.
///
/// The script reads `Get-MpPreference` once and adds only what is not there yet (PowerShell's `-contains` is
/// case-insensitive), so it can be run again safely. Every value is a single-quoted literal, where nothing but
/// the quote itself is special.
public enum PowerShellExporter {
    /// The characters PowerShell accepts as a single quote (its tokenizer treats the typographic ones alike).
    static let singleQuotes: Set<Character> = ["'", "\u{2018}", "\u{2019}", "\u{201A}", "\u{201B}"]

    /// The script text, with `\n` line ends.
    public static func render(_ report: Report) -> String {
        let plan = report.exclusions
        var lines: [String] = [
            "#Requires -RunAsAdministrator",
            "# Microsoft Defender exclusions for a Hyper-V host, written by \(report.tool.name) \(report.tool.version).",
            "# Host: \(comment(hostDescription(report)))",
            "# Scanned: \(comment(report.scan.startedAt))" + (report.scan.roots.isEmpty ? "" : " (" + comment(report.scan.roots.map { "\($0.drive) = \($0.path)" }.joined(separator: ", ")) + ")"),
            "# Each exclusion is added only when Get-MpPreference does not list it yet: running the script again changes nothing.",
            "# Review it before running: entries marked 'not verified' were not found on the scanned volumes.",
            "",
            "$ErrorActionPreference = 'Stop'",
            "$preference = Get-MpPreference",
            "$existingPaths = @($preference.ExclusionPath | Where-Object { $_ } | ForEach-Object { $_.TrimEnd('\\') })",
            "$existingExtensions = @($preference.ExclusionExtension | Where-Object { $_ } | ForEach-Object { $_.TrimStart('*').TrimStart('.') })",
            "$existingProcesses = @($preference.ExclusionProcess | Where-Object { $_ })",
            "$added = 0",
        ]
        if !plan.paths.isEmpty {
            lines += ["", "# Paths (\(plan.paths.count))"]
            for entry in plan.paths {
                for reason in entry.reasons { lines.append("# " + comment(reason)) }
                if !entry.verified {
                    lines.append("# not verified: \(comment(entry.path)) was not found on the scanned volumes (unmapped drive, or missing); check it on the host")
                }
                let value = entry.environmentPath ?? entry.path
                var tests = ["$existingPaths -notcontains \(quote(trimmedPath(value)))"]
                if value != entry.path { tests.append("$existingPaths -notcontains \(quote(trimmedPath(entry.path)))") }
                lines.append("if (\(tests.joined(separator: " -and "))) { Add-MpPreference -ExclusionPath \(quote(value)); $added++ }")
            }
        }
        if !plan.extensions.isEmpty {
            lines += ["", "# Extensions (\(plan.extensions.count))"]
            for entry in plan.extensions {
                let bare = AuditPattern.normaliseExtension(entry.extension)
                lines.append("# " + comment(entry.reason))
                lines.append("if ($existingExtensions -notcontains \(quote(bare))) { Add-MpPreference -ExclusionExtension \(quote("." + bare)); $added++ }")
            }
        }
        if !plan.processes.isEmpty {
            lines += ["", "# Processes (\(plan.processes.count))"]
            for entry in plan.processes {
                lines.append("# " + comment(entry.reason))
                lines.append("if ($existingProcesses -notcontains \(quote(entry.path))) { Add-MpPreference -ExclusionProcess \(quote(entry.path)); $added++ }")
            }
        }
        lines += ["", "Write-Output \"hvexclude: $added Defender exclusion(s) added\""]
        lines += fileServerScripts(report.fileServers)
        return lines.joined(separator: "\n") + "\n"
    }

    /// A separate script for each SMB file server: KB 3105657 asks for these exclusions on the server, so they
    /// are a function this script defines but never calls on the host; run it there, e.g. with
    /// `Invoke-Command -ComputerName <server> -ScriptBlock ${function:…}`. Each share's local folder is looked up
    /// on the server with `Get-SmbShare`, which this host cannot know.
    static func fileServerScripts(_ servers: [FileServerPlan]) -> [String] {
        var lines: [String] = []
        for (index, server) in servers.enumerated() {
            let function = "Add-HvxFileServerExclusions\(index + 1)"
            lines += [
                "", "# ---- File server \(comment(server.server)): run there, not on this host ----",
                "# Invoke-Command -ComputerName \(quote(server.server)) -ScriptBlock ${function:\(function)}",
                "function \(function) {",
                "    $ErrorActionPreference = 'Stop'",
                "    $existingPaths = @((Get-MpPreference).ExclusionPath | Where-Object { $_ } | ForEach-Object { $_.TrimEnd('\\') })",
                "    $added = 0",
            ]
            for share in server.shares {
                lines.append("    $root = (Get-SmbShare -Name \(quote(share.name))).Path")
                for entry in share.paths {
                    for reason in entry.reasons { lines.append("    # " + comment(reason)) }
                    let target = entry.relativePath.isEmpty ? "$root" : "(Join-Path $root \(quote(entry.relativePath)))"
                    lines.append("    $path = \(target).TrimEnd('\\')")
                    lines.append("    if ($existingPaths -notcontains $path) { Add-MpPreference -ExclusionPath $path; $added++ }")
                }
            }
            lines += ["    Write-Output \"hvexclude: $added Defender exclusion(s) added on $env:COMPUTERNAME\"", "}"]
        }
        return lines
    }

    /// `text` as a PowerShell single-quoted string literal: every single-quote character doubled, nothing else
    /// touched (`$`, backticks and double quotes are literal there).
    static func quote(_ text: String) -> String {
        var out = "'"
        for character in text {
            out.append(character)
            if singleQuotes.contains(character) { out.append(character) }
        }
        return out + "'"
    }

    /// One line of comment text: line breaks would end the comment and start code.
    static func comment(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }

    /// The path without trailing backslashes, as the script compares existing entries (never empties a root).
    static func trimmedPath(_ path: String) -> String {
        var text = Substring(path)
        while text.count > 1, text.last == "\\" { text = text.dropLast() }
        return String(text)
    }

    /// "Windows Server 2019 Datacenter, build 17763" or what is known.
    static func hostDescription(_ report: Report) -> String {
        guard let windows = report.host?.windows else { return "unknown (no SOFTWARE hive was read)" }
        var parts: [String] = [windows.productName?.value ?? "Windows"]
        if let build = windows.build { parts.append("build \(build)") }
        return parts.joined(separator: ", ")
    }
}
