import FoundationEssentials

/// Runs a whole scan: walk every mapped root, classify what was found, read the evidence, build the report.
///
/// The one entry point the CLI calls. Each stage takes values and returns values; only the walker and the
/// readers touch the file system, and only for reading.
public final class HostScanner: Sendable {
    /// The options of this scan.
    public let options: ScanOptions
    /// The volume map built from them.
    public let map: VolumeMap
    /// The walker, exposed so a caller can show its progress.
    public let walker: DirectoryWalker

    /// Prepares a scan.
    public init(options: ScanOptions) {
        self.options = options
        self.map = VolumeMap(options.mappings)
        self.walker = DirectoryWalker(options: WalkOptions(jobs: options.jobs, crossMounts: options.crossMounts))
    }

    /// Scans and returns the report.
    /// - Throws: ``ScanError`` when a root cannot be read at all.
    public func run() throws -> Report {
        let clock = ContinuousClock()
        let started = clock.now
        let startedAt = Date()
        let roots = map.mappings.sorted { $0.prefix < $1.prefix }
        let walk: WalkResult
        do {
            walk = try walker.walk(roots: roots.map(\.hostRoot), match: ArtifactClassifier.mayMatch)
        } catch let error as SystemError {
            throw ScanError.rootUnreadable(error)
        }
        var warnings = walk.issues.map { issue in
            ReportWarning(
                path: map.windowsPath(forHostPath: issue.path)?.description ?? issue.path,
                message: "\(issue.operation): \(issue.message)",
                severity: issue.severity == .info ? .info : .error)
        }
        var artifacts: [Artifact] = []
        var links: [LinkRecord] = []
        var seen = Set<String>()
        for entry in walk.entries where seen.insert(entry.hostPath).inserted {
            guard let windows = map.windowsPath(forHostPath: entry.hostPath) else {
                warnings.append(ReportWarning(
                    path: entry.hostPath,
                    message: "has no Windows path: a name holds '\\', which Windows reads as a folder separator (a copied tree or a POSIX name); not classified",
                    severity: .warning))
                continue
            }
            if entry.kind == .symlink {
                let target = LinkReader.target(ofLinkAt: entry.hostPath, linkPath: windows, map: map)
                links.append(LinkRecord(
                    path: windows.description, hostPath: entry.hostPath, target: target.windowsPath?.description,
                    targetText: target.text, targetSource: target.source, linkKind: target.kind))
                if let problem = target.problem {
                    warnings.append(ReportWarning(path: windows.description, message: "link: \(problem)", severity: .warning))
                }
                continue
            }
            guard let kind = ArtifactClassifier.classify(windows, kind: entry.kind) else { continue }
            artifacts.append(Artifact(path: windows.description, hostPath: entry.hostPath, kind: kind))
        }
        artifacts.sort { ($0.path.uppercased(), $0.path) < ($1.path.uppercased(), $1.path) }
        links.sort { $0.path < $1.path }

        let inventory = InventoryBuilder(map: map, jobs: options.jobs, hiveDirectory: options.hiveDirectory).build(artifacts: artifacts)
        let planned = ExclusionPlanner(map: map, options: options.planner).plan(inventory)
        // The audit compares with the host's configured exclusions, which only a SOFTWARE hive can tell.
        let audit = inventory.softwareHiveRead && inventory.facts != nil
            ? DefenderAuditor.audit(plan: planned.plan, facts: inventory.facts!, map: map, environment: inventory.environment)
            : nil
        warnings += inventory.warnings + planned.warnings
        warnings = Array(Set(warnings))
        warnings.sort()
        let summary = ScanSummary(
            roots: roots.map { ScanRoot(drive: $0.prefix.components.isEmpty ? $0.prefix.rootDescription : $0.prefix.description, path: $0.hostRoot) },
            entriesVisited: walk.entriesVisited,
            directoriesVisited: walk.directoriesVisited,
            durationSeconds: HostScanner.seconds(clock.now - started),
            startedAt: startedAt.formatted(.iso8601),
            links: links,
            warnings: warnings)
        var report = Report(
            scan: summary, host: inventory.facts, virtualMachines: inventory.virtualMachines, artifacts: inventory.artifacts,
            exclusions: planned.plan, unreferenced: inventory.unreferenced, audit: audit)
        // The event-log diagnosis reads the finished report's values (docs/diagnosis.md).
        let (diagnosis, logWarnings) = EventLogDiagnosis.run(report: report, map: map)
        report.diagnosis = diagnosis
        report.scan.warnings = (report.scan.warnings + logWarnings).sorted()
        report.scan.durationSeconds = HostScanner.seconds(clock.now - started)
        return report
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return ((Double(seconds) + Double(attoseconds) / 1e18) * 1000).rounded() / 1000
    }
}

/// Why a scan could not run at all (exit code 2).
public enum ScanError: Error, CustomStringConvertible, Sendable {
    /// A mapped root cannot be opened as a folder.
    case rootUnreadable(SystemError)

    public var description: String {
        switch self {
        case .rootUnreadable(let error): return "cannot read the root folder: \(error)"
        }
    }
}
