import HVXFormats
import HVXVolume

/// Finds and reads the host's registry hives: SOFTWARE and SYSTEM under `Windows\System32\config` (or a
/// `--hive-dir`), and the cluster database `Windows\Cluster\CLUSDB`, all case-insensitively.
package struct HiveLocator {
    package let map: VolumeMap
    package let hiveDirectory: String?

    /// The hives found, what they say, and what went wrong.
    package struct Result {
        package var facts: HostFacts?
        var softwareRead: Bool
        package var findings: [Finding]
        /// Why SOFTWARE told nothing about the release ("missing", "unreadable: …", "not a machine hive: …").
        var softwareProblem: String?

        /// The memberwise initialiser, `package` for the layers above (Swift synthesises it internal).
        package init(facts: HostFacts?, softwareRead: Bool, findings: [Finding], softwareProblem: String?) {
            self.facts = facts
            self.softwareRead = softwareRead
            self.findings = findings
            self.softwareProblem = softwareProblem
        }
    }

    package func read() -> Result {
        var findings: [Finding] = []
        var problems: [String: String] = [:]
        func open(_ name: String, windows: String, optional: Bool = false) -> RegistryHive? {
            guard let location = locate(name, windows: windows, optional: optional, findings: &findings) else {
                return nil
            }
            do {
                let hive = try RegistryHive(
                    file: map.openFile(location.host, readBudget: RegistryHive.readBudget),
                    fileSystem: map.fileSystem(forHostPath: location.host))
                for warning in hive.warnings {
                    findings.append(
                        Finding(.hive, at: .registry(hive: location.display, key: nil), warning))
                }
                if let recovery = hive.recovery {
                    // Not a problem: the record that the facts include the changes only the logs held.
                    findings.append(
                        Finding(
                            .hive, at: .registry(hive: location.display, key: nil),
                            message: "dirty hive: \(recovery.summary) in memory before reading it",
                            severity: .info))
                }
                return hive
            } catch {
                findings.append(
                    Finding(
                        .hive, at: .registry(hive: location.display, key: nil), message: "unreadable hive: \(error)",
                        severity: .error))
                problems[name] = "unreadable (\(error))"
                return nil
            }
        }
        let software = open("SOFTWARE", windows: "C:\\Windows\\System32\\config\\SOFTWARE")
        let system = open("SYSTEM", windows: "C:\\Windows\\System32\\config\\SYSTEM")
        let clusdb =
            hiveDirectory == nil ? open("CLUSDB", windows: "C:\\Windows\\Cluster\\CLUSDB", optional: true) : nil
        guard software != nil || system != nil || clusdb != nil else {
            return Result(
                facts: nil, softwareRead: false, findings: findings, softwareProblem: problems["SOFTWARE"] ?? "missing")
        }
        let facts = HostFacts.read(software: software, system: system, clusdb: clusdb)
        var softwareProblem = software == nil ? problems["SOFTWARE"] ?? "missing" : nil
        if software != nil, facts.windows == nil {
            softwareProblem = "not a machine hive: it has no \(HostFacts.currentVersionKey) key"
        }
        for warning in facts.warnings + (facts.cluster?.warnings ?? []) {
            findings.append(Finding(.hive, at: .subject("registry"), message: warning, severity: .warning))
        }
        for error in facts.errors {
            findings.append(Finding(.hive, at: .subject("registry"), message: error, severity: .error))
        }
        return Result(facts: facts, softwareRead: software != nil, findings: findings, softwareProblem: softwareProblem)
    }

    /// Where hive `name` is (its path as shown, and on the host): in `--hive-dir`, else at `windows` on the volume;
    /// nil with a finding when it is missing (unless `optional`) or not a file.
    private func locate(
        _ name: String, windows: String, optional: Bool, findings: inout [Finding]
    ) -> (display: String, host: String)? {
        let location: (display: String, host: String)?
        if let hiveDirectory {
            let hostDirectory =
                hiveDirectory.hasSuffix("/") && hiveDirectory.count > 1
                ? String(hiveDirectory.dropLast()) : hiveDirectory
            let entry = map.listing(of: hostDirectory).find(name)
            location = entry.map { (hostDirectory + "/" + $0.name, hostDirectory + "/" + $0.name) }
            if entry == nil && !optional {
                findings.append(
                    Finding(
                        .hive, at: .registry(hive: hostDirectory + "/" + name, key: nil),
                        message: "no \(name) hive in --hive-dir; its facts are unknown and defaults apply",
                        severity: .warning))
            }
        } else {
            let path = WindowsPath(windows)!
            switch map.resolve(path) {
            case .found(let host, .file):
                location = (map.windowsPath(forHostPath: host)?.description ?? windows, host)
            case .found(let host, let kind):
                location = nil
                findings.append(
                    Finding(
                        .hive, at: .registry(hive: windows, key: nil),
                        message: "\(host) is a \(kind.rawValue), not a hive file; not read",
                        severity: .error))
            case .missing(let reason):
                location = nil
                if !optional {
                    findings.append(
                        Finding(
                            .hive, at: .registry(hive: windows, key: nil),
                            message: "hive not found (\(reason)); its facts are unknown and defaults apply",
                            severity: .warning))
                }
            case .unmapped:
                location = nil
            }
        }
        return location
    }
}
