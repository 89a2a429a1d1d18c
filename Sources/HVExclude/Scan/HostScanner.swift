import FoundationEssentials
import HVXBinary
import HVXExclusions
import HVXInventory
import HVXVolume
import HVXWalk

/// Runs a whole scan: walk every mapped root, classify what was found, read the evidence, build the report.
///
/// The one entry point the CLI calls. Each stage takes values and returns values; only the walker and the
/// readers touch the file system, and only for reading.
package final class HostScanner: Sendable {
    /// The options of this scan.
    package let options: ScanOptions
    /// The volume map built from them.
    package let map: VolumeMap
    /// The walker, exposed so a caller can show its progress.
    package let walker: DirectoryWalker

    /// Prepares a scan.
    package init(options: ScanOptions) {
        self.options = options
        self.map = VolumeMap(options.mappings)
        self.walker = DirectoryWalker(options: WalkOptions(jobs: options.jobs, crossMounts: options.crossMounts))
    }

    /// Scans and returns what it found.
    /// - Throws: ``ScanError`` when a root cannot be read at all.
    package func run() throws -> ScanResult {
        let clock = ContinuousClock()
        let started = clock.now
        let startedAt = Date()
        let roots = map.mappings.sorted { $0.prefix < $1.prefix }
        let walk: WalkResult
        walker.progress.enter("walking")
        do {
            walk = try HostScanner.walk(roots, walker: walker, match: ArtifactClassifier.mayMatch)
        } catch let error as SystemError {
            // Name the drive or prefix whose folder failed, not only the folder (`--drive D=/nope`).
            let root = roots.first { DirectoryWalker.trimmingTrailingSlashes($0.hostRoot) == error.path }
            throw ScanError.rootUnreadable(drive: root?.name, error)
        }
        var findings = walk.issues.map { issue in
            Finding(
                .walk,
                at: map.windowsPath(forHostPath: issue.path).map(Finding.Location.windows) ?? .hostPath(issue.path),
                message: "\(issue.operation): \(issue.message)", severity: issue.severity == .info ? .info : .error,
                code: issue.diagnostic)
        }
        let (artifacts, links) = classify(walk, findings: &findings)
        walker.progress.enter("reading hives, configurations and disks")
        var inventory = InventoryBuilder(map: map, jobs: options.jobs, hiveDirectory: options.hiveDirectory).build(
            artifacts: artifacts)
        let input = PolicyInput(inventory: inventory, map: map, options: options.planner)
        let planned = ExclusionPlanner(input: input, volume: map).plan()
        HostScanner.apply(planned.claimed, to: &inventory)
        // The audit compares with the host's configured exclusions, which only a SOFTWARE hive can tell.
        var audit: DefenderAudit?
        if inventory.softwareHiveRead, let facts = inventory.facts {
            audit = DefenderAuditor.audit(
                plan: planned.plan, facts: facts, map: map, environment: inventory.environment)
        }
        // The event-log diagnosis reads the finished stages' values (docs/diagnosis.md).
        walker.progress.enter("reading event logs")
        let diagnosed = EventLogDiagnosis.run(
            inventory: inventory, plan: planned.plan, audit: audit, map: map, progress: walker.progress)
        findings += inventory.findings + planned.findings + diagnosed.findings
        if options.dataOnly {
            findings.append(
                Finding(.walk, at: .windowsPath("C:"), message: ScanResult.dataOnlyNote, severity: .warning))
        }
        var seen = Set<Finding>()
        findings = findings.filter { seen.insert($0).inserted }
        var result = ScanResult(
            roots: roots, entriesVisited: walk.entriesVisited, directoriesVisited: walk.directoriesVisited,
            durationSeconds: HostScanner.seconds(clock.now - started), startedAt: startedAt, links: links,
            inventory: inventory, plan: EventLogDiagnosis.holding(planned.plan, diagnosed.diagnosis),
            fileServers: planned.fileServers, audit: audit, findings: findings)
        result.diagnosis = diagnosed.diagnosis
        result.eventLogs = diagnosed.logs
        result.dataOnly = options.dataOnly
        return result
    }

    /// The walk's entries as Hyper-V artifacts (sorted by Windows path) and links (with their true targets).
    package func classify(
        _ walk: WalkResult, findings: inout [Finding]
    ) -> (artifacts: [FoundArtifact], links: [FoundLink]) {
        var artifacts: [FoundArtifact] = []
        var links: [FoundLink] = []
        var seen = Set<String>()
        for entry in walk.entries where seen.insert(entry.hostPath).inserted {
            guard let windows = map.windowsPath(forHostPath: entry.hostPath) else {
                findings.append(
                    Finding(
                        .walk, at: .hostPath(entry.hostPath),
                        message:
                            "has no Windows path: a name holds '\\', which Windows reads as a folder separator (a copied tree or a POSIX name); not classified",
                        severity: .warning))
                continue
            }
            if entry.kind == .symlink {
                let target = LinkReader.target(ofLinkAt: entry.hostPath, linkPath: windows, map: map)
                links.append(FoundLink(path: windows, hostPath: entry.hostPath, target: target))
                if let problem = target.problem {
                    findings.append(
                        Finding(.link, at: .windows(windows), message: "link: \(problem)", severity: .warning))
                }
                continue
            }
            guard let kind = ArtifactClassifier.classify(windows, kind: entry.kind) else { continue }
            artifacts.append(FoundArtifact(path: windows, hostPath: entry.hostPath, kind: kind))
        }
        artifacts.sort {
            (NTFSName.fold($0.path.description), $0.path.description) < (
                NTFSName.fold($1.path.description), $1.path.description
            )
        }
        links.sort { $0.path.description < $1.path.description }
        return (artifacts, links)
    }

    /// Walks each root with its own file system: the POSIX ones together (one walker, cancellable), each native
    /// volume through its MFT; the results merged.
    package static func walk(
        _ roots: [VolumeMap.Mapping], walker: DirectoryWalker,
        match: @escaping @Sendable (UnsafeBufferPointer<UInt8>, EntryKind) -> Bool
    ) throws -> WalkResult {
        var groups: [(fileSystem: any VolumeFileSystem, roots: [String])] = []
        for root in roots {
            if let index = groups.firstIndex(where: { $0.fileSystem === root.fileSystem }) {
                groups[index].roots.append(root.hostRoot)
            } else {
                groups.append((root.fileSystem, [root.hostRoot]))
            }
        }
        if groups.count == 1, groups[0].fileSystem === POSIXFileSystem.shared {
            return try walker.walk(roots: groups[0].roots, match: match)
        }
        var results: [WalkResult] = []
        for group in groups {
            if group.fileSystem === POSIXFileSystem.shared {
                results.append(try walker.walk(roots: group.roots, match: match))
            } else {
                results.append(
                    try group.fileSystem.walk(
                        roots: group.roots, options: walker.options, progress: walker.progress, match: match))
            }
        }
        return WalkResult.merged(results)
    }

    /// Files a policy rule attributed to VMs (VHD Set members, replica files still arriving) are no longer
    /// unreferenced; a set member's artifact names the set's VMs.
    package static func apply(_ claimed: [ExclusionPlanner.ClaimedFile], to inventory: inout HostInventory) {
        guard !claimed.isEmpty else { return }
        var byKey: [String: [GUID]] = [:]
        for claim in claimed { byKey[claim.path.key, default: []] += claim.vms.compactMap { GUID($0) } }
        for index in inventory.artifacts.indices {
            guard let vms = byKey[inventory.artifacts[index].path.key], !vms.isEmpty else { continue }
            let users = Set((inventory.artifacts[index].users ?? []) + vms)
            inventory.artifacts[index].users = users.sorted { $0.description < $1.description }
        }
        inventory.unreferenced.removeAll { byKey[$0.path.key] != nil }
    }

    /// A duration in seconds, rounded to milliseconds (as the report gives it).
    package static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return ((Double(seconds) + Double(attoseconds) / 1e18) * 1000).rounded() / 1000
    }
}

/// Why a scan could not run at all (exit code 2).
package enum ScanError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A mapped root cannot be opened as a folder; `drive` names its mapping (`C:`, `D:`, a `--map` prefix).
    case rootUnreadable(drive: String?, SystemError)
    /// ROOT is a folder without `Windows\System32\config` or `ProgramData\Microsoft\Windows\Hyper-V`;
    /// `candidates` are subfolders that have one (at most three).
    case notASystemVolume(root: String, candidates: [String])

    package var description: String {
        switch self {
        case .rootUnreadable(let drive?, let error):
            return "cannot read the folder of \(drive) (\(error.path)): \(error)"
        case .rootUnreadable(nil, let error):
            return "cannot read the root folder: \(error)"
        case .notASystemVolume(let root, let candidates):
            var text =
                "ROOT \(root) does not look like a Windows system volume: it has neither Windows\\System32\\config nor "
                + "ProgramData\\Microsoft\\Windows\\Hyper-V."
            if !candidates.isEmpty {
                text +=
                    " Subfolders that do: " + candidates.joined(separator: ", ") + " (ROOT is the C: volume itself)."
            }
            text += " To scan a copy that holds only VM data on purpose, add --data-only."
            return text
        }
    }
}
