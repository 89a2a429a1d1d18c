/// One self-contained HTML page a consultant hands to a customer: summary and what to do, the lock-up and detection
/// timeline, the VMs, each differencing chain drawn as inline SVG, the plan grouped by VM with every entry's reasons
/// and evidence folded out on demand (`<details>`, no script), the audit colour-coded, and the warnings.
///
/// Nothing is loaded from anywhere: a `Content-Security-Policy` of `default-src 'none'` (inline CSS only) forbids
/// every request, there is no script, font or image file, and it prints to PDF. Every string from the volume is
/// escaped (`&`, `<`, `>`, `"`, `'`), so a VM named `<script>…` renders as text.

import HVXBinary
import HVXDiagnosis
import HVXDiskImage
import HVXExclusions
import HVXFormats
import HVXInventory
import HVXScan
import HVXVolume

package enum HTMLExporter {
    /// The page.
    package static func render(_ report: Report) -> String {
        var page = Page()
        let host = hostName(report)
        page.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        page.raw(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">\n"
        )
        page.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        page.raw(
            "<title>Hyper-V antivirus exclusions — \(escape(host))</title>\n<style>\(style)</style>\n</head>\n<body>\n")
        page.raw("<header><h1>Antivirus exclusions for the Hyper-V host \(escape(host))</h1>")
        page.raw(
            "<p class=\"meta\">\(escape(report.tool.name)) \(escape(report.tool.version)) · scanned \(escape(report.scan.startedAt)) · "
        )
        page.raw(
            escape(report.scan.roots.map { "\($0.drive) = \($0.path)" }.joined(separator: ", ")) + "</p></header>\n")
        summary(report, &page)
        diagnosis(report, &page)
        machines(report, &page)
        chains(report, &page)
        plan(report, &page)
        audit(report, &page)
        warnings(report, &page)
        page.raw("</body>\n</html>\n")
        return page.text
    }

    // MARK: Sections

    package static func summary(_ report: Report, _ page: inout Page) {
        page.raw("<section id=\"summary\"><h2>Summary</h2><dl>")
        let windows = report.host?.windows
        let release = [windows?.productName?.value, windows?.build.map { "build \($0)" }].compactMap { $0 }.joined(
            separator: ", ")
        page.term("Windows", release.isEmpty ? "unknown (no SOFTWARE hive was read)" : release)
        page.term("Antivirus", report.host?.antivirus?.summary ?? "unknown (no SYSTEM hive was read)")
        if let diagnosis = report.diagnosis { page.term("Event logs", diagnosis.summary) }
        let held = report.exclusions.paths.filter { $0.hold != nil }
        let fix = report.audit?.configured.count { !$0.findings.isEmpty && $0.findings != ["notApplied"] } ?? 0
        let toAdd = report.audit?.missingCount ?? (report.exclusions.paths.count + report.exclusions.processes.count)
        page.raw("<dt>What to do</dt><dd><ul class=\"todo\">")
        for entry in held {
            page.raw(
                "<li class=\"held\">Malware was detected in a file <code>\(escape(entry.path))</code> covers"
                    + (entry.hold?.threat.map { " (<b>\(escape($0))</b>)" } ?? "")
                    + ": investigate before excluding it.</li>")
        }
        page.raw(
            "<li>Add <b>\(toAdd)</b> exclusion\(toAdd == 1 ? "" : "s") (the plan below: \(report.exclusions.paths.count) paths, \(report.exclusions.processes.count) processes).</li>"
        )
        page.raw(
            "<li>Fix <b>\(fix)</b> configured entr\(fix == 1 ? "y" : "ies") (stale, over-broad or mistyped: see the audit).</li>"
        )
        page.raw(
            "<li>Apply with the PowerShell script (<code>--format powershell</code>), reviewed, run elevated on the host; Group Policy and other consoles: <code>--format reg</code>, <code>--format list</code>.</li>"
        )
        page.raw("</ul></dd></dl></section>\n")
    }

    package static func diagnosis(_ report: Report, _ page: inout Page) {
        guard let diagnosis = report.diagnosis else { return }
        page.raw(
            "<section id=\"diagnosis\"><h2>Diagnosis: lock-ups and detections</h2><p>\(escape(diagnosis.summary))</p>")
        guard !diagnosis.findings.isEmpty else {
            page.raw("</section>\n")
            return
        }
        page.raw(
            "<table><thead><tr><th>When</th><th>VM</th><th>File</th><th>What</th><th>Covered</th></tr></thead><tbody>")
        for finding in diagnosis.findings.sorted(by: { $0.firstTime < $1.firstTime }) {
            let when =
                finding.firstTime == finding.lastTime ? finding.firstTime : finding.firstTime + " – " + finding.lastTime
            let detection = finding.signatures.contains { $0.lowercased().contains("detection") }
            let coverage =
                (finding.coveredByPlan ? "plan: yes" : "plan: no") + ", configured: "
                + (finding.coveredByConfigured.map { $0 ? "yes" : "no" } ?? "unknown")
            page.raw(
                "<tr class=\"\(detection ? "detection" : "lock")\"><td>\(escape(when))</td><td>\(escape(finding.vmName ?? finding.vm ?? "?"))</td>"
            )
            page.raw(
                "<td><code>\(escape(finding.file ?? "(all of its files)"))</code></td><td>\(escape(finding.signatures.joined(separator: ", "))) \(escape(finding.codes.joined(separator: ", "))) ×\(finding.count)</td><td>\(escape(coverage))</td></tr>"
            )
        }
        page.raw("</tbody></table></section>\n")
    }

    package static func machines(_ report: Report, _ page: inout Page) {
        let vms = report.virtualMachines.filter { $0.checkpointOf == nil }
        page.raw(
            "<section id=\"vms\"><h2>Virtual machines (\(vms.count))</h2><table><thead><tr><th>Name</th><th>State</th><th>Version</th><th>Configuration</th><th>Checkpoints</th></tr></thead><tbody>"
        )
        for vm in vms {
            let state = (vm.registered ? "registered" : "not registered") + (vm.exists ? "" : ", configuration missing")
            let checkpoints = report.virtualMachines.filter { $0.checkpointOf != nil && $0.checkpointOf == vm.id }.map {
                $0.name ?? $0.id ?? "?"
            }
            page.raw(
                "<tr class=\"\(vm.registered && vm.exists ? "" : "warn")\"><td>\(escape(vm.name ?? vm.id ?? "(unnamed)"))</td><td>\(escape(state))</td>"
            )
            page.raw(
                "<td>\(escape([vm.configurationVersion, vm.generation.map { "gen \($0)" }].compactMap { $0 }.joined(separator: ", ")))</td>"
            )
            page.raw(
                "<td><code>\(escape(vm.configurationFile))</code></td><td>\(checkpoints.map(escape).joined(separator: "<br>"))</td></tr>"
            )
        }
        page.raw("</tbody></table></section>\n")
    }

    /// Each differencing chain as a column of boxes, the disk on top, linked to its parent by a line whose colour
    /// says whether the link was verified.
    package static func chains(_ report: Report, _ page: inout Page) {
        let disks = report.artifacts.compactMap { artifact in artifact.disk.map { (artifact.path, $0) } }.filter {
            $0.1.chain.count > 1
        }
        let parents = Set(disks.flatMap { $0.1.chain.dropFirst().map(\.path) })
        let leaves = disks.filter { !parents.contains($0.0) }
        guard !leaves.isEmpty else { return }
        page.raw("<section id=\"chains\"><h2>Differencing disk chains</h2>")
        for (path, disk) in leaves {
            let height = disk.chain.count * 56
            page.raw(
                "<figure><svg class=\"chain\" viewBox=\"0 0 900 \(height)\" width=\"100%\" role=\"img\" aria-label=\"chain of \(escape(path))\">"
            )
            for (index, link) in disk.chain.enumerated() {
                let y = index * 56
                let ok = link.status == .start || link.status == .verified
                page.raw(
                    "<rect x=\"2\" y=\"\(y + 2)\" width=\"896\" height=\"34\" rx=\"4\" class=\"\(ok ? "disk" : "broken")\"/>"
                )
                page.raw(
                    "<text x=\"12\" y=\"\(y + 24)\">\(escape(middle(link.path.isEmpty ? "(unresolved)" : link.path, 110)))<title>\(escape(link.path))</title></text>"
                )
                if index > 0 {
                    page.raw(
                        "<line x1=\"40\" y1=\"\(y - 18)\" x2=\"40\" y2=\"\(y + 2)\" class=\"\(ok ? "verified" : "broken-link")\"/>"
                    )
                    page.raw(
                        "<text x=\"52\" y=\"\(y - 4)\" class=\"status\">\(escape(link.status.rawValue + (link.reason.map { ": " + $0 } ?? "")))</text>"
                    )
                }
            }
            page.raw("</svg><figcaption><code>\(escape(path))</code></figcaption></figure>")
        }
        page.raw("</section>\n")
    }

    /// The plan grouped by the VM each entry is first for; the host's own entries (data root, cluster, processes)
    /// last. Each entry folds out its reasons and evidence.
    package static func plan(_ report: Report, _ page: inout Page) {
        let plan = report.exclusions
        page.raw(
            "<section id=\"plan\"><h2>The plan (\(plan.paths.count) paths, \(plan.processes.count) processes, \(plan.extensions.count) extensions)</h2>"
        )
        page.raw(
            "<p>A pattern (<code>D:\\Disk_*.avhdx</code>) is Defender's syntax: a <code>*</code> in the last part matches file names in that folder only, never in its subfolders. “Not yet there” entries cover what Hyper-V writes at the next checkpoint, backup or start.</p>"
        )
        let statuses = Dictionary(
            (report.audit?.planned ?? []).map { ("\($0.type.rawValue) \($0.value)", $0.status) },
            uniquingKeysWith: { first, _ in first })
        var groups: [String] = []
        var members: [String: [PathExclusion]] = [:]
        // Longest labels first, so that `VM 'App01 test'` is not taken for `VM 'App01'`.
        var names: [(vm: String, label: String)] = []
        for vm in report.virtualMachines {
            guard let name = vm.name else { continue }
            let owner = vm.checkpointOf.flatMap { id in report.virtualMachines.first { $0.id == id }?.name } ?? name
            names.append((owner, (vm.checkpointOf == nil ? "VM '" : "checkpoint '") + name + "'"))
        }
        names.sort { $0.label.count > $1.label.count }
        for entry in plan.paths {
            let group = vmName(of: entry, names: names) ?? "The host"
            if members[group] == nil { groups.append(group) }
            members[group, default: []].append(entry)
        }
        groups.sort { ($0 == "The host" ? 1 : 0, $0) < ($1 == "The host" ? 1 : 0, $1) }
        for group in groups {
            page.raw("<h3>\(escape(group))</h3><ul class=\"plan\">")
            for entry in members[group]! { planEntry(entry, status: statuses["path \(entry.path)"], &page) }
            page.raw("</ul>")
        }
        if !plan.processes.isEmpty {
            page.raw("<h3>Processes</h3><ul class=\"plan\">")
            for entry in plan.processes {
                let status = statuses["process \(entry.path)"]
                page.raw(
                    "<li><span class=\"badge \(status?.rawValue ?? "none")\">\(escape(status?.rawValue ?? "planned"))</span> <code>\(escape(entry.path))</code> — \(escape(entry.reason))</li>"
                )
            }
            page.raw("</ul>")
        }
        if !plan.refused.isEmpty {
            page.raw("<h3>Not excluded as whole folders</h3><ul>")
            for item in plan.refused {
                page.raw(
                    "<li><code>\(escape(item.path))</code>: \(escape(item.reason)); instead: \(escape(item.instead))</li>"
                )
            }
            page.raw("</ul>")
        }
        page.raw("</section>\n")
    }

    /// One planned path: its status on the host, form and path, whether it is there yet, a hold, and its reasons and
    /// evidence folded below it.
    static func planEntry(_ entry: PathExclusion, status: DefenderAudit.Status?, _ page: inout Page) {
        page.raw(
            "<li><details><summary><span class=\"badge \(status?.rawValue ?? "none")\">\(escape(status?.rawValue ?? "planned"))</span> "
        )
        page.raw("<span class=\"form\">\(entry.form.rawValue)</span> <code>\(escape(entry.path))</code>")
        if !entry.verified {
            page.raw(" <span class=\"note\">\(entry.lifecycle != nil ? "not yet there" : "not verified")</span>")
        }
        if let hold = entry.hold {
            page.raw(" <span class=\"badge held\">held: \(escape(hold.threat ?? hold.reason))</span>")
        }
        page.raw("</summary><ul>")
        for reason in entry.reasons { page.raw("<li>\(escape(reason))</li>") }
        for evidence in entry.evidence {
            page.raw("<li class=\"evidence\">evidence: \(escape(evidence.source)) — \(escape(evidence.detail))</li>")
        }
        page.raw("</ul></details></li>")
    }

    package static func audit(_ report: Report, _ page: inout Page) {
        page.raw("<section id=\"audit\"><h2>Defender audit</h2>")
        guard let audit = report.audit else {
            page.raw("<p>Not done: no SOFTWARE hive was read.</p></section>\n")
            return
        }
        page.raw(
            "<p>Automatic Hyper-V exclusions \(audit.automaticExclusionsApply ? "apply" : "do not apply"): \(escape(audit.automaticExclusionsReason))</p>"
        )
        if let note = audit.engineNote { page.raw("<p class=\"warn\">\(escape(note))</p>") }
        page.raw(
            "<table class=\"audit\"><thead><tr><th>Status</th><th>Type</th><th>Entry</th><th>By</th></tr></thead><tbody>"
        )
        for entry in audit.planned {
            page.raw(
                "<tr><td><span class=\"badge \(entry.status.rawValue)\">\(entry.status.rawValue)</span></td><td>\(entry.type.rawValue)</td>"
            )
            page.raw(
                "<td><code>\(escape(entry.value))</code></td><td>\(escape(entry.matchedBy ?? ""))\(entry.note.map { " <small>" + escape($0) + "</small>" } ?? "")</td></tr>"
            )
        }
        page.raw(
            "</tbody></table><h3>Configured entries</h3><table class=\"configured\"><thead><tr><th>Findings</th><th>Entry</th><th>Why</th></tr></thead><tbody>"
        )
        for entry in audit.configured {
            let findings = entry.findings.isEmpty ? ["ok"] : entry.findings
            page.raw(
                "<tr><td>" + findings.map { "<span class=\"badge \($0)\">\($0)</span>" }.joined(separator: " ")
                    + "</td>")
            page.raw(
                "<td><code>\(escape(entry.value))</code> <small>(\(entry.type.rawValue), \(entry.origin.rawValue))</small></td><td>\(entry.messages.map(escape).joined(separator: "<br>"))</td></tr>"
            )
        }
        page.raw("</tbody></table></section>\n")
    }

    package static func warnings(_ report: Report, _ page: inout Page) {
        page.raw("<section id=\"warnings\"><h2>Warnings (\(report.scan.warnings.count))</h2><ul>")
        for warning in report.scan.warnings {
            page.raw(
                "<li class=\"\(warning.severity.rawValue)\"><b>\(warning.severity.rawValue)</b> <code>\(escape(warning.path))</code>: \(escape(warning.message))</li>"
            )
        }
        page.raw("</ul></section>\n")
    }

    // MARK: Helpers

    /// The VM an entry is first for: the first reason that starts with one of the report's VM labels
    /// (`VM 'X' …`, `checkpoint 'X - (…)' …`). Names may hold quotes, so they are matched, not parsed.
    package static func vmName(of entry: PathExclusion, names: [(vm: String, label: String)]) -> String? {
        for reason in entry.reasons {
            if let match = names.first(where: { reason.hasPrefix($0.label + " ") }) { return "VM " + match.vm }
        }
        return nil
    }

    package static func hostName(_ report: Report) -> String {
        let root: String = report.scan.roots.first?.path ?? "unknown"
        guard let product = report.host?.windows?.productName?.value else { return root }
        return root + " (" + product + ")"
    }

    /// Text safe in element content and attribute values.
    package static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A long path shortened in the middle for a drawing (the full path is in its title).
    package static func middle(_ text: String, _ count: Int) -> String {
        guard text.count > count else { return text }
        return String(text.prefix(count / 2)) + "…" + String(text.suffix(count - count / 2 - 1))
    }

    /// The page being written.
    package struct Page {
        package var text = ""
        package mutating func raw(_ html: String) { text += html }
        package mutating func term(_ name: String, _ value: String) {
            text += "<dt>\(escape(name))</dt><dd>\(escape(value))</dd>"
        }
    }

    /// Readable on screen and on paper; no web fonts.
    package static let style = """
        body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;max-width:1100px;margin:0 auto;padding:1.5em}
        h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.2em;border-bottom:2px solid #d8dee9;padding-bottom:.2em;margin-top:1.6em}
        h3{font-size:1em;margin:1em 0 .3em}.meta{color:#5b6573;overflow-wrap:anywhere}
        code{font:13px/1.3 ui-monospace,Menlo,Consolas,monospace;overflow-wrap:anywhere;word-break:break-all}
        table{border-collapse:collapse;width:100%;table-layout:fixed}th,td{border-bottom:1px solid #e5e9f0;padding:.3em .4em;text-align:left;vertical-align:top;overflow-wrap:anywhere}
        th{background:#f3f5f8}dl{display:grid;grid-template-columns:9em 1fr;gap:.3em 1em}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}
        ul.plan{list-style:none;padding-left:0}ul.plan li{margin:.15em 0}details summary{cursor:pointer;overflow-wrap:anywhere}
        details ul{margin:.2em 0 .6em 1.2em;font-size:.92em}li.evidence{color:#5b6573}
        .badge{display:inline-block;min-width:5.5em;text-align:center;border-radius:3px;padding:0 .4em;font-size:.85em;font-weight:600}
        .missing,.stale,.typo,.invalid,.broken-status{background:#fde2e1;color:#9b1c1c}.present,.ok{background:#dcf5e3;color:#146c2e}
        .covered{background:#fff4d6;color:#7a5300}.overBroad{background:#ffe4cc;color:#8a3b00}.unknown,.none,.notApplied{background:#eceff4;color:#3b4252}
        .held{background:#9b1c1c;color:#fff}tr.detection td{background:#fde2e1;color:#6b1111}tr.lock td{background:#fffaf0}tr.warn td{color:#8a3b00}
        .form{display:inline-block;min-width:4.5em;color:#5b6573;font-size:.85em}.note{color:#8a3b00;font-size:.85em}
        li.error{color:#9b1c1c}li.warning{color:#8a3b00}li.info{color:#3b4252}
        svg.chain{max-width:100%;height:auto;font:12px ui-monospace,Menlo,Consolas,monospace}svg .disk{fill:#eef4ff;stroke:#5e81ac}
        svg .broken{fill:#fde2e1;stroke:#bf616a}svg .verified{stroke:#2e7d32;stroke-width:3}svg .broken-link{stroke:#bf616a;stroke-width:3;stroke-dasharray:4 3}
        svg .status{fill:#5b6573;font-size:11px}figure{margin:.6em 0}figcaption{font-size:.85em;color:#5b6573}
        ul.todo{margin:0;padding-left:1.2em}table.audit th:nth-child(1){width:7em}table.audit th:nth-child(2){width:5em}
        table.audit th:nth-child(3){width:45%}table.configured th:nth-child(1){width:9em}table.configured th:nth-child(2){width:35%}
        @media print{body{max-width:none;padding:0}details::details-content{display:block;content-visibility:visible}h2{break-after:avoid}tr,li{break-inside:avoid}}
        """
}
