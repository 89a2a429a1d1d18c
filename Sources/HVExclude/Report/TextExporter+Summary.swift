import HVXBinary
import HVXDiagnosis
import HVXDiskImage
import HVXExclusions
import HVXFormats
import HVXInventory
import HVXScan
import HVXVolume

extension TextExporter {
    /// The default text: what to do first (diagnosis, antivirus, the count of exclusions to add, entries to fix and
    /// holds, with the command that applies them), then the plan one line per entry with its audit status, the
    /// configured entries to fix, the lock-ups, the VMs with their checkpoints nested and disks as chains, what is
    /// not excluded, and the warnings not already shown — each line fitted to `width` (paths shortened in the
    /// middle, text cut at the end). `--verbose` gives the full report (``renderVerbose(_:color:width:)``).
    package static func renderSummary(_ report: Report, color: Bool, width: Int) -> String {
        var out = Output(color: color, width: width)
        out.compact = true
        // What to do comes first, whole: these lines wrap rather than lose their end.
        out.wrap = true
        // The coverage half of the summary ("not covered today by …") is in the event-log lines below, per finding.
        if let diagnosis = report.diagnosis {
            out.line(
                out.bold("Diagnosis: ")
                    + (diagnosis.summary.components(separatedBy: "; not covered today").first ?? diagnosis.summary))
        }
        out.line(out.bold("Antivirus: ") + (report.host?.antivirus?.summary ?? "unknown (no SYSTEM hive was read)"))
        toDo(report, &out)
        out.line(
            "\(report.tool.name) \(report.tool.version) — scan of "
                + (report.scan.roots.isEmpty ? "nothing" : report.scan.roots.map(rootText).joined(separator: ", "))
                + " (\(report.scan.entriesVisited) entries)")
        out.wrap = false
        plan(report, &out)
        fixes(report, &out)
        lockups(report, &out)
        machineTree(report, &out)
        notExcluded(report, &out)
        remainingWarnings(report, &out)
        return out.text
    }

    /// "To do: …" with the command that writes the script.
    package static func toDo(_ report: Report, _ out: inout Output) {
        let held = report.exclusions.paths.count { $0.hold != nil }
        let fix = report.audit?.configured.count { !$0.findings.isEmpty && $0.findings != ["notApplied"] } ?? 0
        let toAdd =
            report.audit.map { $0.missingCount }
            ?? (report.exclusions.paths.count + report.exclusions.processes.count + report.exclusions.extensions.count)
        let what =
            "\(toAdd) exclusion\(toAdd == 1 ? "" : "s") to add\(report.audit == nil ? " (no audit: nothing known to be configured)" : ""), "
            + "\(fix) configured entr\(fix == 1 ? "y" : "ies") to fix, \(held) held"
        out.line(out.bold("To do: ") + what)
        out.line("  apply: this scan with --format powershell -o exclusions.ps1; review the script; run it elevated")
    }

    /// One line per planned entry: audit status (when audited), form, path, a short reason.
    package static func plan(_ report: Report, _ out: inout Output) {
        let plan = report.exclusions
        let statuses = Dictionary(
            (report.audit?.planned ?? []).map { ("\($0.type.rawValue) \($0.value)", $0) },
            uniquingKeysWith: { first, _ in first })
        let patterns =
            plan.paths.contains { $0.form == .pattern }
            ? "; pattern: Defender's syntax, a * in the last part matches file names in that folder only" : ""
        out.section(
            "Plan (\(plan.paths.count) paths, \(plan.processes.count) processes, \(plan.extensions.count) extensions\(patterns))"
        )
        var rows: [[String]] = []
        for entry in plan.paths {
            let status = statuses["path \(entry.path)"].map { statusWord($0.status, &out) } ?? ""
            var note = entry.verified ? "" : (entry.lifecycle != nil ? "not yet there" : "not verified")
            if let hold = entry.hold { note = out.red("HELD: \(hold.reason) \(hold.threat ?? "")") }
            rows.append([
                status, entry.form.rawValue, entry.path,
                [out.yellow(note), shortReason(entry)].filter { !$0.isEmpty }.joined(separator: "; "),
            ])
        }
        // Processes one line per folder: `C:\Windows\System32\ vmms.exe (covered), vmsp.exe (missing), …`.
        var folders: [String] = []
        var spelling: [String: String] = [:]
        var byFolder: [String: [String]] = [:]
        for entry in plan.processes {
            let parent = WindowsPath(entry.path)?.parent
            let folder = parent?.key ?? ""
            let name = WindowsPath(entry.path)?.lastComponent ?? entry.path
            let status = statuses["process \(entry.path)"].map { statusWord($0.status, &out) }
            if byFolder[folder] == nil {
                folders.append(folder)
                spelling[folder] = parent.map { $0.description + "\\" } ?? ""
            }
            byFolder[folder, default: []].append(
                name + (status.map { " (\($0))" } ?? "") + (entry.verified ? "" : " not verified"))
        }
        for entry in plan.extensions {
            let ext = DefenderPathPattern.normaliseExtension(entry.extension)
            let status = statuses["extension \(ext)"].map { statusWord($0.status, &out) } ?? ""
            rows.append([status, "extension", "." + ext, entry.reason])
        }
        if rows.isEmpty && folders.isEmpty { out.line("  none") }
        // Plan paths are shortened only when the terminal is too narrow to show them whole with 24 columns of reason.
        out.table(rows, indent: "  ", pathColumn: 2)
        for folder in folders {
            out.line("  processes in " + spelling[folder]! + ": " + byFolder[folder]!.joined(separator: ", "))
        }
    }

    /// A plan entry's reason in a few words: a VM's reason before a checkpoint's, `VM 'X' …` as `X: …`, and how
    /// many more reasons the full report (`--verbose`) gives.
    package static func shortReason(_ entry: PathExclusion) -> String {
        let reasons = entry.reasons.filter {
            $0 != "Hyper-V owns this folder and it holds only Hyper-V files (checked on the scanned volume)"
        }
        guard let first = reasons.first(where: { $0.hasPrefix("VM ") }) ?? reasons.first else { return "" }
        var text = first
        if text.hasPrefix("VM '"), let close = text.dropFirst(4).firstIndex(of: "'") {
            text =
                String(text[text.index(text.startIndex, offsetBy: 4)..<close]) + ":"
                + String(text[text.index(after: close)...])
        }
        return reasons.count > 1 ? text + " (+\(reasons.count - 1))" : text
    }

    package static func statusWord(_ status: DefenderAudit.Status, _ out: inout Output) -> String {
        switch status {
        case .missing: return out.red("missing")
        case .present: return out.green("present")
        case .covered: return out.yellow("covered")
        case .unknown: return out.yellow("unknown")
        }
    }

    /// Configured entries with findings, each once with its first message.
    package static func fixes(_ report: Report, _ out: inout Output) {
        guard let audit = report.audit else {
            out.section("Defender audit: not done (no SOFTWARE hive was read)")
            return
        }
        let flagged = audit.configured.filter { !$0.findings.isEmpty }
        var header = "Configured exclusions (\(audit.configured.count), \(flagged.count) to fix)"
        header +=
            "; automatic Hyper-V exclusions "
            + (audit.automaticExclusionsApply ? "apply (real-time only)" : "do not apply")
        out.section(header)
        if let note = audit.engineNote { out.line("  " + out.red("Defender is not the active engine: ") + note) }
        for spot in audit.blindSpots ?? [] { out.line("  cannot be known offline: " + spot) }
        out.table(
            flagged.map { entry in
                [
                    out.red(entry.findings.joined(separator: ", ")), entry.type.rawValue, entry.value,
                    "(\(entry.origin.rawValue)) " + (entry.messages.last ?? ""),
                ]
            }, indent: "  ", pathColumn: 2, pathLimit: 56)
    }

    /// The lock-ups and detections from the event logs, one line each.
    package static func lockups(_ report: Report, _ out: inout Output) {
        guard let diagnosis = report.diagnosis, !diagnosis.findings.isEmpty || !diagnosis.exclusionChanges.isEmpty
        else { return }
        out.section("Event logs (\(diagnosis.findings.count) findings in \(diagnosis.logs.count) logs)")
        out.table(
            diagnosis.findings.map { finding in
                let times =
                    finding.firstTime == finding.lastTime
                    ? String(finding.firstTime.prefix(16))
                    : String(finding.firstTime.prefix(16)) + "–" + String(finding.lastTime.prefix(16))
                let coverage =
                    finding.coveredByConfigured == false
                    ? "configured misses it" : (finding.coveredByPlan ? "plan covers" : "plan misses")
                return [
                    finding.vmName ?? finding.vm ?? "?", finding.file ?? "(all of its files)",
                    "\(finding.count)× \(times)",
                    finding.signatures.joined(separator: ", ") + "; " + coverage,
                ]
            }, indent: "  ", pathColumn: 1)
        for change in diagnosis.exclusionChanges {
            out.line(
                "  exclusions changed \(change.time.prefix(16)): \(change.oldValue.isEmpty ? "(none)" : change.oldValue) → \(change.newValue)"
            )
        }
    }

    /// VMs with their checkpoints nested under them (a checkpoint is not a VM), each disk as its chain.
    package static func machineTree(_ report: Report, _ out: inout Output) {
        let vms = report.virtualMachines.filter { $0.checkpointOf == nil }
        let checkpoints = report.virtualMachines.filter { $0.checkpointOf != nil }
        let registered = vms.count { $0.registered && $0.exists }
        let missing = vms.count { $0.registered && !$0.exists }
        let unregistered = vms.count { !$0.registered }
        var parts = ["\(registered) registered"]
        if missing > 0 { parts.append("\(missing) registered but missing") }
        if unregistered > 0 { parts.append("\(unregistered) not registered") }
        parts.append("\(checkpoints.count) checkpoint\(checkpoints.count == 1 ? "" : "s")")
        out.section("Virtual machines (" + parts.joined(separator: ", ") + ")")
        for vm in vms {
            var facts: [String] = []
            if !vm.registered { facts.append(out.yellow("not registered")) }
            if !vm.exists { facts.append(out.red("configuration missing")) }
            if let version = vm.configurationVersion { facts.append("v\(version)") }
            if let generation = vm.generation { facts.append("gen \(generation)") }
            out.table(
                [[out.bold(vm.name ?? vm.id ?? "(unnamed)"), facts.joined(separator: " "), vm.configurationFile]],
                indent: "  ", pathColumn: 2)
            for disk in vm.disks {
                let chain = disk.chain.dropFirst().map { link in
                    (link.path.isEmpty ? "?" : link.path)
                        + (link.status == .verified || link.status == .start ? "" : " (\(link.status.rawValue))")
                }
                out.line(
                    fitted(
                        "    disk " + disk.controller + "  ", [disk.path] + chain, separator: " → ",
                        missing: !disk.exists, &out))
            }
            for checkpoint in checkpoints where checkpoint.checkpointOf == vm.id {
                out.table(
                    [["    checkpoint", checkpoint.name ?? checkpoint.id ?? "?", checkpoint.configurationFile]],
                    indent: "", pathColumn: 2)
            }
        }
        for checkpoint in checkpoints where !vms.contains(where: { $0.id == checkpoint.checkpointOf }) {
            out.line("  checkpoint " + (checkpoint.name ?? "?") + " of a VM not found: " + checkpoint.configurationFile)
        }
    }

    /// Folders refused, deferred folders, file servers and unreferenced files, each once.
    package static func notExcluded(_ report: Report, _ out: inout Output) {
        let plan = report.exclusions
        if !plan.refused.isEmpty {
            out.section("Not excluded as whole folders (\(plan.refused.count))")
            out.table(
                plan.refused.map { [$0.path, shortRefusal($0.reason)] }, indent: "  ", pathColumn: 0, pathLimit: 56)
        }
        if !plan.deferred.isEmpty {
            out.section("Deferred (\(plan.deferred.count)): --plan-deferred plans them")
            out.table(plan.deferred.map { [$0.path, $0.reason] }, indent: "  ", pathColumn: 0, pathLimit: 56)
        }
        for server in report.fileServers {
            out.section("On the file server \(server.server), not this host (KB 3105657)")
            out.table(
                server.shares.flatMap { share in
                    share.paths.map { [$0.path, $0.kind == .directory ? "folder" : "file"] }
                }, indent: "  ", pathColumn: 0, pathLimit: 56)
        }
        if !report.unreferenced.isEmpty {
            out.section("Unreferenced, not excluded (\(report.unreferenced.count))")
            out.table(report.unreferenced.map { [$0.path, $0.reason] }, indent: "  ", pathColumn: 0, pathLimit: 56)
        }
    }

    /// "not excluded as a folder: X is not a Hyper-V file; an exclusion would hide it…" → "X is not a Hyper-V file".
    package static func shortRefusal(_ reason: String) -> String {
        var text = reason
        for prefix in ["not excluded as a folder: "] where text.hasPrefix(prefix) { text.removeFirst(prefix.count) }
        if let cut = text.firstRange(of: "; an exclusion would hide it") { text = String(text[..<cut.lowerBound]) }
        return text
    }

    /// The warnings the sections above do not already say (a refusal, a folder planned before it exists), each
    /// once, errors first.
    package static func remainingWarnings(_ report: Report, _ out: inout Output) {
        let shown = Set(report.exclusions.refused.map(\.path))
            .union(report.exclusions.paths.filter { $0.lifecycle != nil && !$0.verified }.map(\.path))
        // One line per severity and path, its messages joined: the same thing said twice is said once.
        var rows: [[String]] = []
        var count = 0
        for severity in [ReportWarning.Severity.error, .warning, .info] {
            var paths: [String] = []
            var messages: [String: [String]] = [:]
            for warning in report.scan.warnings where warning.severity == severity {
                if severity == .info && shown.contains(warning.path) { continue }
                if messages[warning.path] == nil { paths.append(warning.path) }
                if !(messages[warning.path] ?? []).contains(warning.message) {
                    messages[warning.path, default: []].append(warning.message)
                }
                count += 1
            }
            let word = severity == .error ? out.red("error") : severity == .warning ? out.yellow("warning") : "info"
            rows += paths.map { [word, $0, messages[$0]!.joined(separator: "; ")] }
        }
        out.section(
            "Warnings (\(count))"
                + (count < report.scan.warnings.count ? "; the others are shown above (--verbose: all)" : ""))
        if rows.isEmpty { out.line("  none") }
        out.table(rows, indent: "  ", pathColumn: 1, pathLimit: 56)
    }

    /// A chain of paths on one line: shortened in the middle, the deepest first, until the line fits.
    package static func fitted(
        _ prefix: String, _ paths: [String], separator: String, missing: Bool, _ out: inout Output
    ) -> String {
        let suffix = missing ? "  " + out.red("(missing)") : ""
        var parts = paths
        let room = max(20, out.width - Output.visibleWidth(prefix) - Output.visibleWidth(suffix))
        var share = room / max(parts.count, 1) - separator.count
        while Output.visibleWidth(parts.joined(separator: separator)) > room && share >= 12 {
            parts = paths.map { Output.middle($0, share) }
            share -= 4
        }
        return prefix + parts.joined(separator: separator) + suffix
    }

}
