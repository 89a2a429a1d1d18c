/// The scan's one seam to the event-log diagnosis: finds the Hyper-V and Defender logs on the scanned volume,
/// reads them, and runs ``DiagnosisEngine`` with the report's VMs, its plan and the host's configured
/// exclusions. It takes the finished report's values only, so the layers below stay unaware of it.
public enum EventLogDiagnosis {
    /// The diagnosis section and the warnings of the logs that could not be read whole.
    public static func run(report: Report, map: VolumeMap) -> (DiagnosisReport, [ReportWarning]) {
        var environment = WindowsEnvironment.defaults
        for (name, value) in report.host?.environment ?? [:] { environment.set(name, value) }
        let systemRoot = WindowsPath(environment.value("SystemRoot") ?? "C:\\Windows") ?? WindowsPath("C:\\Windows")!
        let folder = systemRoot.appending("System32\\winevt\\Logs")!
        var warnings: [ReportWarning] = []
        var logs: [DiagnosisReport.Log] = []
        var events: [EVTXEvent] = []
        for channel in DiagnosisChannels.all {
            guard let path = folder.appending(DiagnosisChannels.fileName(channel)), let host = map.hostPath(for: path) else {
                continue  // a host without the role has no such channel: not a finding
            }
            do {
                let log = try EVTXLog(path: host, include: relevant)
                events += log.events
                logs.append(DiagnosisReport.Log(channel: channel, path: path.description, records: log.recordsRead))
                for warning in log.warnings {
                    warnings.append(ReportWarning(path: path.description, message: "event log: \(warning)", severity: .warning))
                }
            } catch {
                warnings.append(ReportWarning(path: path.description, message: "event log cannot be read: \(error)", severity: .error))
            }
        }
        let diagnosis = DiagnosisEngine.diagnose(
            events: events, vms: vms(report), plannedEntry: planned(report.exclusions),
            configuredCovers: report.audit.map { configured($0, environment: environment) })
        return (DiagnosisReport(diagnosis, logs: logs), warnings)
    }

    /// Only what a signature can use is kept in memory: Hyper-V failures and Defender's detections and changes.
    static func relevant(_ event: EVTXEvent) -> Bool {
        if DiagnosisEngine.isDefender(event) { return [1116, 1117, 1118, 1119, 5007].contains(event.eventId ?? 0) }
        return (event.level ?? 4) < 4
    }

    /// The report's VMs with every path they use.
    static func vms(_ report: Report) -> [DiagnosisVM] {
        report.virtualMachines.compactMap { vm in
            guard let id = vm.id.flatMap({ GUID($0) }) else { return nil }
            var paths = [vm.configurationFile] + vm.folders.map(\.path) + vm.files.map(\.path) + vm.otherPaths.map(\.path)
            paths += vm.disks.flatMap { [$0.path] + $0.chain.map(\.path) } + vm.dvds.map(\.path)
            return DiagnosisVM(id: id, name: vm.name ?? id.description, files: paths.compactMap { WindowsPath($0) })
        }
    }

    /// The planned entry that covers a path: a folder entry holding it, a file entry equal to it, or an extension.
    static func planned(_ plan: ExclusionPlan) -> (WindowsPath) -> WindowsPath? {
        let entries = plan.paths.compactMap { entry in WindowsPath(entry.path).map { ($0, entry.kind != .file) } }
        let extensions = Set(plan.extensions.map { WindowsPath.fold($0.extension.hasPrefix(".") ? $0.extension : "." + $0.extension) })
        return { path in
            if let hit = entries.first(where: { $0.1 ? $0.0.contains(path) : $0.0 == path }) { return hit.0 }
            if let ext = path.extensionKey, extensions.contains(ext), let name = path.lastComponent {
                return WindowsPath("*" + name[name.lastIndex(of: ".")!...]) ?? path
            }
            return nil
        }
    }

    /// Whether the host's configured Defender exclusions (and the automatic ones, when they apply) cover a path.
    static func configured(_ audit: DefenderAudit, environment: WindowsEnvironment) -> (WindowsPath) -> Bool {
        var folders: [WindowsPath] = []
        var extensions: Set<String> = []
        func add(path text: String) { if let path = WindowsPath(environment.expand(text)) { folders.append(path) } }
        func add(extension text: String) {
            let trimmed = text.hasPrefix("*") ? String(text.dropFirst()) : text
            extensions.insert(WindowsPath.fold(trimmed.hasPrefix(".") ? trimmed : "." + trimmed))
        }
        for entry in audit.configured {
            switch entry.type {
            case .path: add(path: entry.value)
            case .extension: add(extension: entry.value)
            case .process: break  // a process exclusion covers what vmwp opens, not what a scan of the file does
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
    var extensionKey: String? {
        guard let name = lastComponent, let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        return WindowsPath.fold(name[dot...])
    }
}
