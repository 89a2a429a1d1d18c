import HVXBinary
import HVXDiagnosis
import HVXExclusions
import HVXFormats
import HVXInventory
import HVXVolume
import HVXWalk

/// The scan's one seam to the event-log diagnosis: finds the Hyper-V and Defender logs on the scanned volume,
/// reads them, and runs ``DiagnosisEngine`` with the inventory's VMs, the plan and the host's configured
/// exclusions. It takes the finished stages' values only, so the layers below stay unaware of it.
package enum EventLogDiagnosis {
    /// One log read.
    package struct LogRead: Sendable, Equatable {
        /// Channel name.
        package var channel: String
        /// Windows path of the file.
        package var path: WindowsPath
        /// Records read.
        package var records: Int
        /// Records found but not read (each named in a warning).
        package var recordsSkipped: Int = 0
    }

    /// The diagnosis, the logs read, and a finding for each log that could not be read whole.
    package static func run(
        inventory: HostInventory, plan: ExclusionPlan, audit: DefenderAudit?, map: VolumeMap,
        progress: WalkProgress? = nil
    ) -> (diagnosis: Diagnosis, logs: [LogRead], findings: [Finding]) {
        let environment = inventory.environment
        let systemRoot = WindowsPath(environment.value("SystemRoot") ?? "C:\\Windows") ?? WindowsPath("C:\\Windows")!
        guard let folder = systemRoot.appending("System32\\winevt\\Logs") else { return (Diagnosis(), [], []) }
        var findings: [Finding] = []
        var logs: [LogRead] = []
        var events: [EVTXEvent] = []
        for channel in DiagnosisChannels.all {
            let configured = inventory.facts?.eventLogFiles(of: channel) ?? []
            var located = locate(configured, environment: environment, map: map, findings: &findings)
            if located == nil, let path = folder.appending(DiagnosisChannels.fileName(channel)),
                case .found(let host, .file) = map.resolve(path)
            {
                located = (path, host)
            }
            // A host without the role has no such channel: not a finding (a configured file that is missing is).
            guard let (path, host) = located else { continue }
            do {
                let file = try map.openFile(host, readBudget: EVTXLog.readBudget(EVTXLimits()))
                let log = try EVTXLog(file: file, include: relevant)
                progress?.add(bytes: Int(clamping: file.size))
                events += log.events
                logs.append(
                    LogRead(channel: channel, path: path, records: log.recordsRead, recordsSkipped: log.recordsSkipped))
                for warning in log.warnings {
                    findings.append(
                        Finding(
                            .eventLog, at: .eventLog(path.description, record: warning.location.logRecord),
                            message: "event log: \(warning)", severity: .warning, code: warning.code)
                    )
                }
            } catch {
                findings.append(
                    Finding(
                        .eventLog, at: .eventLog(path.description, record: nil),
                        message: "event log cannot be read: \(error)",
                        severity: .error))
            }
        }
        let diagnosis = DiagnosisEngine.diagnose(
            events: events, vms: vms(inventory.virtualMachines), plannedEntry: planned(plan),
            configuredCovers: audit.map { configured($0, environment: environment) })
        return (diagnosis, logs, findings)
    }

    /// The first configured file of a channel that exists; each configured file that does not is a warning with
    /// its path, where it is configured, and why it cannot be read. Nil: none exists (the default folder is next).
    package static func locate(
        _ configured: [HostFacts.EventLogFile], environment: WindowsEnvironment, map: VolumeMap,
        findings: inout [Finding]
    ) -> (path: WindowsPath, host: String)? {
        for file in configured {
            let expanded = environment.expand(file.raw)
            let whereFrom = "configured in \(file.source.hive) \(file.source.key)\\\(file.source.value ?? "File")"
            func problem(_ reason: String) {
                findings.append(
                    Finding(
                        .eventLog, at: .eventLog(expanded, record: nil),
                        message: "event log \(file.channel) \(whereFrom) cannot be read: \(reason)",
                        severity: .warning))
            }
            guard !expanded.contains("%") else {
                problem("\(file.raw) names a variable the host's registry does not define"); continue
            }
            guard let path = WindowsPath(expanded) else { problem("not an absolute Windows path"); continue }
            switch map.resolve(path) {
            case .found(let host, .file): return (path, host)
            case .found(_, let kind): problem("it is a \(kind.rawValue), not a file")
            case .missing(let reason): problem("the file does not exist (\(reason))")
            case .unmapped: problem("its drive is not mapped (give it with --drive or --map)")
            }
        }
        return nil
    }

    /// Only what a signature can use is kept in memory: Hyper-V failures and Defender's detections and changes.
    package static func relevant(_ event: EVTXEvent) -> Bool {
        if DiagnosisEngine.isDefender(event) {
            let id = Int(event.eventId ?? 0)
            return id == 5007 || DetectionFacts.eventIds.contains(id)
        }
        return (event.level ?? 4) < 4
    }

    /// The VMs with every path they use.
    package static func vms(_ machines: [VirtualMachine]) -> [DiagnosisVM] {
        machines.compactMap { vm in
            guard let id = vm.id else { return nil }
            var paths: [WindowsPath?] = [vm.configuration.path]
            paths += (vm.folders + vm.isos + vm.stateFiles + vm.otherPaths).map(\.path)
            paths += vm.disks.flatMap { [$0.path] + $0.chain.map { WindowsPath($0.path) } }
            return DiagnosisVM(id: id, name: vm.name ?? id.description, files: paths.compactMap { $0 })
        }
    }

    /// The planned entry that covers a path as Defender reads it (``DefenderPathPattern``: a folder holding it, the
    /// file itself, a pattern matching it), or an extension.
    package static func planned(_ plan: ExclusionPlan) -> (WindowsPath) -> WindowsPath? {
        let entries = plan.paths.compactMap { entry in
            WindowsPath(entry.path).map { ($0, DefenderPathPattern(path: $0)) }
        }
        let extensions = Set(
            plan.extensions.map { NTFSName.fold($0.extension.hasPrefix(".") ? $0.extension : "." + $0.extension) })
        return { path in
            if let hit = entries.first(where: { $0.1.covers(path) }) { return hit.0 }
            if let ext = path.extensionKey, extensions.contains(ext), let name = path.lastComponent {
                return WindowsPath("*" + name[name.lastIndex(of: ".")!...]) ?? path
            }
            return nil
        }
    }

    /// The plan with a hold on every path entry that covers a file whose detection still stands (no quarantine or
    /// removal after it): the entry stays, marked, so that no export applies it unseen (docs/diagnosis.md).
    package static func holding(_ plan: ExclusionPlan, _ diagnosis: Diagnosis) -> ExclusionPlan {
        let held = diagnosis.heldDetections.compactMap { finding in finding.file.map { ($0, finding) } }
        guard !held.isEmpty else { return plan }
        var plan = plan
        for index in plan.paths.indices {
            guard let path = WindowsPath(plan.paths[index].path) else { continue }
            let pattern = DefenderPathPattern(path: path)
            let hits = held.filter { pattern.covers($0.0) }
            guard !hits.isEmpty else { continue }
            var events: [HoldEvent] = []
            for (file, finding) in hits {
                for event in finding.detection?.events ?? [] {
                    events.append(
                        HoldEvent(
                            id: event.id, time: event.time.description, file: file.description, action: event.action))
                }
            }
            events.sort { ($0.time, $0.file, $0.id) < ($1.time, $1.file, $1.id) }
            let threats = hits.compactMap { $0.1.detection?.threat }
            plan.paths[index].hold = EntryHold(reason: "detection", threat: threats.last, events: events)
        }
        return plan
    }

    /// Whether the host's configured Defender exclusions (and the automatic ones, when they apply) cover a path.
    package static func configured(_ audit: DefenderAudit, environment: WindowsEnvironment) -> (WindowsPath) -> Bool {
        var folders: [WindowsPath] = []
        var extensions: Set<String> = []
        func add(path text: String) { if let path = WindowsPath(environment.expand(text)) { folders.append(path) } }
        func add(extension text: String) {
            let trimmed = text.hasPrefix("*") ? String(text.dropFirst()) : text
            extensions.insert(NTFSName.fold(trimmed.hasPrefix(".") ? trimmed : "." + trimmed))
        }
        for entry in audit.configured {
            switch entry.type {
            case .path: add(path: entry.value)
            case .extension: add(extension: entry.value)
            case .process: break  // a process exclusion covers what vmwp opens, not a scan of the file by others
            }
        }
        if audit.automaticExclusionsApply {
            DefenderAuditor.automaticFolders.forEach(add(path:))
            DefenderAuditor.automaticExtensions.forEach(add(extension:))
        }
        return { path in
            folders.contains { $0.contains(path) } || path.extensionKey.map(extensions.contains) == true
        }
    }
}

extension WindowsPath {
    /// The folded extension of the last component, with its dot (`.VHDX`).
    package var extensionKey: String? {
        guard let name = lastComponent, let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        return NTFSName.fold(name[dot...])
    }
}
