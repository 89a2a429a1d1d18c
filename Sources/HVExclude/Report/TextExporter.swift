import HVXExclusions
import HVXInventory

/// A readable summary of a ``Report``: the host, its VMs, disks with their chains, the exclusions with their
/// reasons, the Defender audit, unreferenced items and warnings.
///
/// Colour (ANSI SGR) only when asked: the CLI asks on a terminal without `NO_COLOR`.
package enum TextExporter {
    /// `C: = /mnt/c`, and for a mounted image partition which one it was (the mount point is gone by now).
    static func rootText(_ root: ScanRoot) -> String {
        guard let partition = root.partition else { return "\(root.drive) = \(root.path)" }
        let identity =
            partition.gptPartitionGuid.map { "GPT partition GUID \($0)" }
            ?? partition.mbrDiskSignature.map { "MBR signature \($0)" } ?? "no partition identity"
        return
            "\(root.drive) = partition \(partition.index) of \(partition.device) (offset \(partition.offset), \(identity); "
            + "\(partition.basis))"
    }

    /// The text report.
    /// - Parameters:
    ///   - report: the scan's result.
    ///   - color: whether to emit ANSI colour and bold sequences.
    ///   - width: the widest a line may be (the terminal's width; 120 when not a terminal).
    ///   - verbose: the full report (every reason, its evidence, every warning) instead of the summary.
    package static func render(_ report: Report, color: Bool = false, width: Int = 120, verbose: Bool = false) -> String
    {
        verbose ? renderVerbose(report, color: color, width: width) : renderSummary(report, color: color, width: width)
    }

    /// The full report: host, VMs, disks with their chains, every exclusion with all its reasons and evidence,
    /// the audit, the diagnosis, unreferenced items and every warning; long lines wrapped at `width`.
    package static func renderVerbose(_ report: Report, color: Bool, width: Int) -> String {
        var out = Output(color: color, width: width, wrap: true)
        // The answer admins come for first: did an antivirus lock VM files, and do the exclusions cover them.
        if let diagnosis = report.diagnosis { out.line(out.bold("Diagnosis: ") + diagnosis.summary) }
        engines(report, &out)
        header(report, &out)
        host(report, &out)
        machines(report, &out)
        disks(report, &out)
        exclusions(report, &out)
        audit(report, &out)
        diagnosis(report, &out)
        unreferenced(report, &out)
        warnings(report, &out)
        return out.text
    }

    // MARK: Sections

    package static func header(_ report: Report, _ out: inout Output) {
        out.line(
            out.bold("\(report.tool.name) \(report.tool.version)") + " — scan of "
                + (report.scan.roots.isEmpty ? "nothing" : report.scan.roots.map(rootText).joined(separator: ", ")))
        let seconds = (report.scan.durationSeconds * 100).rounded() / 100
        out.line(
            "started \(report.scan.startedAt); \(report.scan.entriesVisited) entries in \(report.scan.directoriesVisited) folders, \(seconds) s"
        )
        let counts = Dictionary(grouping: report.artifacts, by: \.kind).sorted { $0.key < $1.key }
        if !counts.isEmpty {
            out.line(
                "found: " + counts.map { "\($0.value.count) \(title($0.key).lowercased())" }.joined(separator: ", "))
        }
    }

    package static func host(_ report: Report, _ out: inout Output) {
        out.section("Host")
        guard let host = report.host else {
            out.line("  no registry hive was read: Windows version, Hyper-V defaults and Defender settings are unknown")
            return
        }
        var rows = windowsRows(host.windows)
        func defaultFolder(_ fact: HostFacts.PathFact?, builtIn: String) -> String {
            guard let fact else { return "\(builtIn) (built-in default: the value is absent)" }
            if let expanded = fact.expanded, expanded != fact.raw { return "\(fact.raw) = \(expanded)" }
            return fact.raw
        }
        rows.append([
            "New VMs",
            defaultFolder(
                host.hyperVDefaults.virtualMachinePath, builtIn: "%ProgramData%\\Microsoft\\Windows\\Hyper-V"),
        ])
        rows.append([
            "New disks",
            defaultFolder(
                host.hyperVDefaults.virtualHardDiskPath, builtIn: "%Public%\\Documents\\Hyper-V\\Virtual Hard Disks"),
        ])
        if !host.services.isEmpty {
            rows.append([
                "Services",
                host.services.map { service in
                    let state = service.present.map { $0 ? (service.startType ?? "present") : "absent" } ?? "unknown"
                    return "\(service.name) \(state)"
                }.joined(separator: ", "),
            ])
        }
        if let cluster = host.cluster {
            rows.append([
                "Cluster",
                "\(cluster.virtualMachineResources.count) VM resources, shared volumes: "
                    + (cluster.sharedVolumes.isEmpty ? "none" : cluster.sharedVolumes.joined(separator: ", ")),
            ])
        }
        let defender = host.defender
        func count(_ set: HostFacts.ExclusionSet?) -> String {
            guard let set else { return "none" }
            return "\(set.paths.count) paths, \(set.extensions.count) extensions, \(set.processes.count) processes"
        }
        rows.append([
            "Defender",
            "preferences: \(count(defender.preferences)); policies: \(count(defender.policies))"
                + (defender.mdm.map { "; MDM: \(count($0))" } ?? ""),
        ])
        for replay in host.logReplays ?? [] { rows.append(["Hive logs", "\(replay.hive): \(replay.summary)"]) }
        out.table(rows, indent: "  ")
    }

    /// The Windows row of the host table: product, release, build, installation type and the rules used; and how the
    /// release was inferred when SOFTWARE cannot say.
    static func windowsRows(_ windows: HostFacts.Windows?) -> [[String]] {
        guard let windows else { return [["Windows", "unknown (no SOFTWARE CurrentVersion key)"]] }
        var facts: [String] = []
        if windows.isServer == false, let release = windows.release { facts.append(release) }
        if let build = windows.build { facts.append("build \(build)") }
        if let type = windows.installationType?.value { facts.append(type) }
        if let generation = windows.generation {
            facts.append("rules for \(generation.rawValue)" + (windows.exactBuild ? "" : ", nearest release"))
        }
        var rows = [
            [
                "Windows",
                (windows.productName?.value ?? "unknown product")
                    + (facts.isEmpty ? "" : " (" + facts.joined(separator: "; ") + ")"),
            ]
        ]
        if let evidence = windows.evidence { rows.append(["", "inferred: " + evidence]) }
        return rows
    }

    package static func machines(_ report: Report, _ out: inout Output) {
        out.section("Virtual machines (\(report.virtualMachines.count))")
        if report.virtualMachines.isEmpty { out.line("  none") }
        for vm in report.virtualMachines {
            var state: [String] = [
                vm.registered ? "registered" : out.yellow("not registered"), vm.exists ? "exists" : out.red("missing"),
            ]
            if let version = vm.configurationVersion { state.append("version \(version)") }
            if let generation = vm.generation { state.append("generation \(generation)") }
            if let parent = vm.checkpointOf { state.append("checkpoint of \(parent)") }
            out.line(
                "  " + out.bold(vm.name ?? "(unnamed)") + "  " + (vm.id ?? "(no id)") + "  "
                    + state.joined(separator: ", "))
            var rows: [[String]] = [["config", vm.configurationFile]]
            for folder in vm.folders {
                rows.append([folder.role, folder.path + (folder.exists ? "" : "  " + out.yellow("(not found)"))])
            }
            for disk in vm.disks {
                rows.append(["disk \(disk.controller)", disk.path + (disk.exists ? "" : "  " + out.red("(missing)"))])
            }
            for dvd in vm.dvds {
                rows.append(["dvd", dvd.path + (dvd.exists ? "" : "  " + out.yellow("(not found)"))])
            }
            for floppy in vm.floppies { rows.append(["floppy", floppy.path]) }
            out.table(rows, indent: "      ")
            for warning in vm.warnings { out.line("      " + out.yellow("! ") + warning) }
        }
    }

    package static func disks(_ report: Report, _ out: inout Output) {
        let disks = report.artifacts.filter { $0.disk != nil }
        out.section("Virtual disks (\(disks.count))")
        if disks.isEmpty { out.line("  none") }
        for artifact in disks {
            guard let disk = artifact.disk else { continue }
            var facts: [String] = []
            if let format = disk.format { facts.append(format.rawValue) }
            if let type = disk.type { facts.append(type.rawValue) }
            if let size = disk.virtualSize { facts.append(byteCount(size)) }
            out.line("  " + artifact.path + (facts.isEmpty ? "" : "  (" + facts.joined(separator: ", ") + ")"))
            if let error = disk.error { out.line("      " + out.red("unreadable: ") + error) }
            // The first chain entry is the disk itself; show the parents below it.
            for (depth, link) in disk.chain.enumerated().dropFirst() {
                let status = statusText(link.status, &out)
                var line = String(repeating: "  ", count: depth + 2) + "└ " + link.path + "  " + status
                if let reason = link.reason { line += " — " + reason }
                out.line(line)
                for candidate in link.candidates ?? [] where candidate != link.path {
                    out.line(String(repeating: "  ", count: depth + 4) + "candidate " + candidate)
                }
            }
        }
    }

    package static func exclusions(_ report: Report, _ out: inout Output) {
        let plan = report.exclusions
        out.section(
            "Exclusions (\(plan.paths.count) paths, \(plan.extensions.count) extensions, \(plan.processes.count) processes)"
        )
        if !plan.paths.isEmpty { paths(plan.paths, &out) }
        if !plan.extensions.isEmpty {
            out.line("  Extensions")
            out.table(
                plan.extensions.map { ["." + DefenderPathPattern.normaliseExtension($0.extension), $0.reason] },
                indent: "    ")
        }
        if !plan.processes.isEmpty {
            out.line("  Processes")
            out.table(
                plan.processes.map { [$0.path, $0.verified ? "" : out.yellow("not verified"), $0.reason] },
                indent: "    ")
        }
        if plan.paths.isEmpty && plan.extensions.isEmpty && plan.processes.isEmpty { out.line("  none") }
        if !plan.extensionPolicy.isEmpty { out.line("  Extensions: " + plan.extensionPolicy) }
        if !plan.deferred.isEmpty {
            out.line("  Deferred (not planned; --plan-deferred plans them)")
            out.table(plan.deferred.map { [$0.path, $0.reason] }, indent: "    ")
        }
        if !plan.refused.isEmpty {
            out.line("  Not excluded as folders")
            out.table(plan.refused.map { [$0.path, $0.reason + "; instead: " + $0.instead] }, indent: "    ")
        }
        for server in report.fileServers {
            out.section(
                "On the file server \(server.server) (KB 3105657: exclude VM files on the SMB 3.0 server, not on this host)"
            )
            for share in server.shares {
                out.line("  Share \(share.name)")
                out.table(
                    share.paths.map { entry in
                        [
                            entry.path, entry.kind == .directory ? "folder" : "file",
                            entry.reasons.joined(separator: "; "),
                        ]
                    }, indent: "    ")
            }
        }
    }

    /// The planned paths: each with its form, whether it is there yet, a hold, its reasons and evidence; and what a
    /// pattern means when there is one.
    static func paths(_ paths: [PathExclusion], _ out: inout Output) {
        out.line("  Paths")
        for entry in paths {
            let status = entry.verified ? "" : out.yellow(entry.lifecycle != nil ? "not yet there" : "not verified")
            out.line(
                "    "
                    + [
                        entry.path, entry.form.rawValue + (entry.lifecycle.map { " (\($0.rawValue))" } ?? ""),
                        status,
                    ].filter { !$0.isEmpty }.joined(separator: "  "))
            if let hold = entry.hold {
                out.line("        " + out.red("held: \(hold.reason)") + (hold.threat.map { " \($0)" } ?? ""))
            }
            for reason in entry.reasons { out.line("        why: " + reason) }
            for evidence in entry.evidence { out.line("        evidence: \(evidence.source) — \(evidence.detail)") }
        }
        if paths.contains(where: { $0.form == .pattern }) {
            out.line(
                "    (pattern: Defender's syntax — a * or ? in the last part matches file names in that folder only; for a product without wildcards, see --format list)"
            )
        }
    }

    package static func diagnosis(_ report: Report, _ out: inout Output) {
        guard let diagnosis = report.diagnosis, !diagnosis.logs.isEmpty else { return }
        let detections = diagnosis.findings.filter { $0.kind == "detection" }.count
        out.section(
            "Diagnosis from the event logs (\(diagnosis.findings.count - detections) lock\(diagnosis.findings.count - detections == 1 ? "" : "s"), \(detections) malware detection\(detections == 1 ? "" : "s"), \(diagnosis.logs.count) logs)"
        )
        out.table(
            diagnosis.findings.map { finding in
                let what = finding.file ?? "(all of its files)"
                let times =
                    finding.firstTime == finding.lastTime
                    ? String(finding.firstTime.prefix(19)) + "Z"
                    : String(finding.firstTime.prefix(19)) + "Z – " + String(finding.lastTime.prefix(19)) + "Z"
                var coverage = finding.coveredByPlan ? "plan covers" : "plan misses"
                switch finding.coveredByConfigured {
                case true?: coverage += ", configured covers"
                case false?:
                    coverage +=
                        ", configured misses"
                        + (finding.plannedEntries.isEmpty ? "" : " → " + finding.plannedEntries.joined(separator: ", "))
                case nil: coverage += ", configured unknown"
                }
                var signature =
                    finding.signatures.joined(separator: ", ")
                    + (finding.codes.isEmpty ? "" : " " + finding.codes.joined(separator: ", "))
                if finding.kind == "detection" {
                    // Malware, not a lock: what Defender found and did, and whether the plan entry is held.
                    signature =
                        "MALWARE \(finding.threat ?? "(threat not named)")"
                        + (finding.severity.map { " (\($0))" } ?? "")
                        + (finding.action.map { ", action \($0)" } ?? "")
                        + (finding.process.map { ", process \($0)" } ?? "")
                        + (finding.remediated == true ? "; quarantined or removed" : "; investigate before excluding")
                }
                return [
                    finding.vmName ?? finding.vm ?? "unknown VM", what, "\(finding.count)× \(times)", signature,
                    coverage,
                ]
            }, indent: "  ")
        for change in diagnosis.exclusionChanges {
            out.line(
                "  exclusions changed \(change.time.prefix(19))Z: \(change.oldValue.isEmpty ? "(none)" : change.oldValue) → \(change.newValue)"
            )
        }
    }

    package static func audit(_ report: Report, _ out: inout Output) {
        guard let audit = report.audit else {
            out.section("Defender audit")
            out.line("  not done: no SOFTWARE hive was read")
            return
        }
        let present = audit.planned.count { $0.status == .present }
        let covered = audit.planned.count { $0.status == .covered }
        out.section("Defender audit (\(audit.missingCount) missing, \(present) present, \(covered) covered)")
        out.line(
            "  automatic Hyper-V exclusions: " + (audit.automaticExclusionsApply ? "apply" : "do not apply") + " — "
                + audit.automaticExclusionsReason)
        auditContext(audit, &out)
        var notes: [String] = []
        out.table(
            audit.planned.map { entry in
                var by = ""
                if let matched = entry.matchedBy {
                    by = "by " + matched + (entry.matchedOrigin.map { " (\($0.rawValue))" } ?? "")
                }
                if let note = entry.note {
                    if !notes.contains(note) { notes.append(note) }
                    by += (by.isEmpty ? "" : " ") + "[\(notes.firstIndex(of: note)! + 1)]"
                }
                let status: String
                switch entry.status {
                case .missing: status = out.red("missing")
                case .present: status = out.green("present")
                case .covered: status = out.yellow("covered")
                case .unknown: status = out.yellow("unknown")
                }
                return [status, entry.type.rawValue, entry.type == .extension ? "." + entry.value : entry.value, by]
            }, indent: "  ")
        for (index, note) in notes.enumerated() { out.line("  [\(index + 1)] \(note)") }
        let flagged = audit.configured.filter { !$0.findings.isEmpty || !$0.messages.isEmpty }
        out.line(
            "  configured entries: \(audit.configured.count), with findings: \(audit.configured.count { !$0.findings.isEmpty })"
        )
        for entry in flagged {
            let findings = entry.findings.isEmpty ? "note" : entry.findings.joined(separator: ", ")
            out.line(
                "    " + (entry.findings.isEmpty ? findings : out.red(findings))
                    + "  \(entry.type.rawValue) \(entry.value) (\(entry.origin.rawValue))")
            for message in entry.messages { out.line("        " + message) }
        }
    }

    package static func unreferenced(_ report: Report, _ out: inout Output) {
        out.section("Unreferenced (\(report.unreferenced.count)) — not excluded")
        if report.unreferenced.isEmpty { out.line("  none") }
        out.table(report.unreferenced.map { [$0.path, $0.kind.rawValue, $0.reason] }, indent: "  ")
    }

    package static func warnings(_ report: Report, _ out: inout Output) {
        let warnings = report.scan.warnings
        out.section("Warnings (\(warnings.count))")
        if warnings.isEmpty { out.line("  none") }
        for warning in warnings {
            let severity: String
            switch warning.severity {
            case .error: severity = out.red("error")
            case .warning: severity = out.yellow("warning")
            case .info: severity = "info"
            }
            out.line("  [\(severity)] \(warning.path): \(warning.message)")
        }
    }

    // MARK: Helpers

    package static func statusText(_ status: DiskChainLink.Status, _ out: inout Output) -> String {
        switch status {
        case .start, .verified: return out.green(status.rawValue)
        case .unverifiable: return out.yellow(status.rawValue)
        case .broken, .unresolved, .unreadable, .loop, .tooDeep: return out.red(status.rawValue)
        }
    }

    /// "40 GiB", "3.5 MiB".
    package static func byteCount(_ bytes: UInt64) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) bytes" }
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? "\(Int(rounded)) \(units[unit])" : "\(rounded) \(units[unit])"
    }

    package static func title(_ kind: ArtifactKind) -> String {
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
        case .replicaLog: return "Hyper-V Replica logs"
        case .replicaFolder: return "Hyper-V Replica folders"
        }
    }

    /// The text being built, whether it may hold colour, and the width no line may pass: longer lines are cut
    /// with `…` (the summary) or wrapped with an indent (`--verbose`).
    package struct Output {
        package let color: Bool
        package var width: Int = .max
        package var wrap = false
        package var compact = false
        package var text = ""

        package init(color: Bool, width: Int = .max, wrap: Bool = false) {
            self.color = color
            self.width = max(width, 40)
            self.wrap = wrap
        }

        package mutating func line(_ line: String) {
            let flat = String(line.map { $0.isNewline ? " " : $0 })
            for piece in fit(flat) { text += piece + "\n" }
        }

        /// `line` as lines no wider than `width`.
        package func fit(_ line: String) -> [String] {
            guard width != .max, Output.visibleWidth(line) > width else { return [line] }
            let reset = color ? "\u{1B}[0m" : ""
            if !wrap { return [Output.prefix(line, width - 1) + reset + "…"] }
            // Break after the last space that fits (keeping it at the line's end, so that removing the newline and
            // the six-space indent gives the line back), else mid-word.
            var pieces: [String] = []
            var rest = line
            var first = true
            while Output.visibleWidth(rest) > (first ? width : width - 6) {
                let room = first ? width : width - 6
                var head = Output.prefix(rest, room)
                if let space = head.lastIndex(of: " "), head.distance(from: head.startIndex, to: space) > room / 2 {
                    head = String(head[...space])
                }
                pieces.append((first ? "" : "      ") + head + reset)
                rest = String(rest.dropFirst(head.count))
                first = false
            }
            pieces.append((first ? "" : "      ") + rest)
            return pieces
        }

        /// The first `count` visible characters of `text`, colour sequences kept.
        package static func prefix(_ text: String, _ count: Int) -> String {
            var out = ""
            var shown = 0
            var escaped = false
            for character in text {
                if escaped {
                    out.append(character)
                    if character == "m" { escaped = false }
                } else if character == "\u{1B}" {
                    escaped = true
                    out.append(character)
                } else {
                    if shown == count { break }
                    out.append(character)
                    shown += 1
                }
            }
            return out
        }

        /// `text` shortened in the middle to `count` characters (`D:\VMs\App01\…\disk.vhdx`), when longer.
        package static func middle(_ text: String, _ count: Int) -> String {
            guard text.count > count, count >= 5 else { return text }
            let tail = (count - 1) / 2 + (count - 1) % 2
            let head = count - 1 - tail
            return String(text.prefix(head)) + "…" + String(text.suffix(tail))
        }

        /// A section title: after a blank line in the full report; the summary saves lines (`compact`).
        package mutating func section(_ title: String) {
            if !compact { text += "\n" }
            line(bold(title))
        }

        package func paint(_ code: String, _ text: String) -> String {
            color && !text.isEmpty ? "\u{1B}[\(code)m" + text + "\u{1B}[0m" : text
        }
        package func bold(_ text: String) -> String { paint("1", text) }
        package func red(_ text: String) -> String { paint("31", text) }
        package func green(_ text: String) -> String { paint("32", text) }
        package func yellow(_ text: String) -> String { paint("33", text) }

        /// Rows with aligned columns (the last column is not padded); widths ignore colour sequences and are
        /// capped so one long path does not push every other row far right.
        package mutating func table(_ rows: [[String]], indent: String, maximumWidth: Int = 64) {
            table(rows, indent: indent, pathColumn: nil, maximumWidth: maximumWidth)
        }

        /// Rows with aligned columns where column `pathColumn` holds paths: shortened in the middle so that the
        /// other columns and at least 24 characters of the last one fit in `width`; the rest is cut by ``line(_:)``.
        /// `maximumWidth` caps every column but the last (the full report's tables).
        package mutating func table(
            _ rows: [[String]], indent: String, pathColumn: Int?, pathLimit: Int = .max, maximumWidth: Int = .max
        ) {
            // A line break inside a cell (a reason, a message) would break the table.
            let rows = rows.map { $0.map { String($0.map { $0.isNewline ? " " : $0 }) } }
            guard let columns = rows.map(\.count).max(), columns > 0 else { return }
            var widths = Array(repeating: 0, count: columns)
            for row in rows {
                for (index, cell) in row.enumerated() where index < columns - 1 {
                    widths[index] = min(maximumWidth, max(widths[index], Output.visibleWidth(cell)))
                }
            }
            if let pathColumn, width != .max && pathColumn < columns - 1 {
                let others = widths.enumerated().filter { $0.offset != pathColumn && $0.offset < columns - 1 }.map(
                    \.element
                ).reduce(0, +)
                let room = width - indent.count - others - 2 * (columns - 1) - 24
                widths[pathColumn] = min(widths[pathColumn], max(room, 24), pathLimit)
            }
            for row in rows {
                var cells: [String] = []
                for (index, cell) in row.enumerated() {
                    let shown = index == pathColumn ? Output.middle(cell, widths[index]) : cell
                    if index == row.count - 1 {
                        cells.append(shown)
                    } else {
                        cells.append(
                            shown + String(repeating: " ", count: max(0, widths[index] - Output.visibleWidth(shown))))
                    }
                }
                var joined = indent + cells.joined(separator: "  ")
                while joined.last == " " { joined.removeLast() }
                line(joined)
            }
        }

        /// Characters shown, without ANSI sequences.
        package static func visibleWidth(_ text: String) -> Int {
            var count = 0
            var escaped = false
            for character in text {
                if escaped {
                    if character == "m" { escaped = false }
                } else if character == "\u{1B}" {
                    escaped = true
                } else {
                    count += 1
                }
            }
            return count
        }
    }
}
