/// Derives the exact exclusions a host needs from its inventory (docs/exclusion-policy.md):
/// processes whose binaries exist, the version's extensions, and the minimal set of paths real VMs use.
struct ExclusionPlanner {
    /// The scanned volumes.
    let map: any VolumeQueries
    /// The user's choices.
    let options: PlannerOptions

    /// Creates a planner.
    init(map: any VolumeQueries, options: PlannerOptions) {
        self.map = map
        self.options = options
    }

    /// The plan, and notes about entries that were narrowed or could not be verified.
    func plan(_ inventory: HostInventory) -> (plan: ExclusionPlan, findings: [Finding]) {
        var warnings: [Finding] = []
        let environment = inventory.environment
        let generation = windowsGeneration(inventory)
        var plan = ExclusionPlan()
        plan.processes = processes(inventory, environment: environment)
        plan.extensions = ExclusionPolicy.extensions(for: generation.generation).map {
            ExtensionExclusion(extension: $0, reason: "Hyper-V file type on Windows Server \(generation.generation.rawValue) (\(generation.evidence); KB 3105657)")
        }
        if options.broadExtensions {
            for ext in ExclusionPolicy.broadExtensions {
                plan.extensions.append(ExtensionExclusion(extension: ext, reason: "--broad-extensions: host-wide and far too broad; the paths above already cover Hyper-V's own files"))
            }
            warnings.append(Finding(
                .exclusion, path: "exclusions", message: "--broad-extensions lists .xml .bin .iso host-wide: every such file on the host escapes scanning, not only Hyper-V's",
                severity: .warning))
        }
        var candidates = pathCandidates(inventory, warnings: &warnings)
        candidates.sort { $0.path < $1.path }
        // One note per unverified path, with the rule that asked for it: a warning for what a VM uses, an
        // info for a default folder Hyper-V creates only on first use.
        for candidate in candidates where !candidate.verified {
            warnings.append(Finding(
                .exclusion, path: candidate.path.description,
                message: "excluded, but not found on the scanned volumes: \(candidate.reason)",
                severity: candidate.mayNotExistYet ? .info : .warning))
        }
        let forbidden = MinimalCover.forbiddenFolders(environment)
        let covered = MinimalCover.cover(candidates, forbidden: forbidden)
        plan.paths = covered.paths
        warnings += covered.notes
        if options.environmentPaths {
            for index in plan.paths.indices {
                guard let path = WindowsPath(plan.paths[index].path) else { continue }
                plan.paths[index].environmentPath = environment.environmentForm(of: path)
            }
        }
        return (plan, warnings)
    }

    /// The Windows generation whose extension list applies, and what said so.
    func windowsGeneration(_ inventory: HostInventory) -> (generation: HostFacts.WindowsGeneration, evidence: String) {
        if let generation = inventory.facts?.windows?.generation {
            return (generation, inventory.facts?.windows?.evidence
                ?? "SOFTWARE hive CurrentBuild \(inventory.facts?.windows?.build.map(String.init) ?? "?")")
        }
        let hasVMCX = inventory.artifacts.contains { $0.kind == .registrationStore || NTFSName.hasSuffix($0.path.description, ".vmcx") }
        return hasVMCX ? (.v2016, "no SOFTWARE hive; .vmcx files mean 2016 or later") : (.v2012R2, "no SOFTWARE hive and no .vmcx files: 2012 R2 rules")
    }

    /// Process exclusions for the binaries present on the volume.
    func processes(_ inventory: HostInventory, environment: WindowsEnvironment) -> [ProcessExclusion] {
        var result: [ProcessExclusion] = []
        let clusterService = inventory.facts?.services.contains { NTFSName.equal($0.name, "clussvc") && $0.present == true } == true
        let sets: [(folder: String, names: [String])] = [("%SystemRoot%\\System32", ArtifactClassifier.hyperVProcesses)]
            + (clusterService ? [("%SystemRoot%\\Cluster", ArtifactClassifier.clusterProcesses)] : [])
        for set in sets {
            for name in set.names {
                guard let path = environment.path(set.folder + "\\" + name),
                      case .found(let host, .file) = map.resolve(path) else { continue }
                result.append(ProcessExclusion(
                    path: (map.windowsPath(forHostPath: host) ?? path).description,
                    reason: ExclusionPolicy.processReasons[name] ?? "Hyper-V process"))
            }
        }
        return result
    }

    /// Every path some rule asks for, before the minimal cover.
    func pathCandidates(_ inventory: HostInventory, warnings: inout [Finding]) -> [PathCandidate] {
        var candidates: [PathCandidate] = []
        let environment = inventory.environment

        // The Hyper-V data root: registrations, the 2012 R2 default VM and snapshot folders.
        if case .found(_, .directory) = map.resolve(inventory.dataRoot) {
            candidates.append(PathCandidate(
                path: inventory.dataRoot, kind: .directory, reason: "Hyper-V data root: VM registrations and default configurations (KB 3105657)",
                evidence: [Evidence(source: inventory.dataRoot.description, detail: "exists on the volume")], verified: true))
        }

        // Default folders for new VMs and disks: the registry's values, else the built-in defaults.
        let defaults = inventory.facts?.hyperVDefaults
        let folders: [(fact: HostFacts.PathFact?, builtIn: String, what: String, value: String)] = [
            (defaults?.virtualMachinePath, "%ProgramData%\\Microsoft\\Windows\\Hyper-V", "new VMs", "DefaultExternalDataRoot"),
            (defaults?.virtualHardDiskPath, "%Public%\\Documents\\Hyper-V\\Virtual Hard Disks", "new virtual disks", "DefaultVirtualHardDiskPath"),
        ]
        for folder in folders {
            let text = folder.fact?.raw ?? folder.builtIn
            guard let path = environment.path(text) else {
                warnings.append(Finding(.exclusion, path: text, message: "\(folder.value) '\(text)' is not an absolute Windows path; not excluded", severity: .warning))
                continue
            }
            let spelled = map.spelling(of: path)
            let exists = map.resolve(path).hostPath != nil
            let evidence = folder.fact.map { Evidence(source: $0.source.hive, detail: "\($0.source.key)\\\($0.source.value ?? folder.value)") }
                ?? Evidence(source: "built-in default", detail: inventory.facts == nil ? "no SOFTWARE hive: \(folder.value) unknown" : "\(folder.value) absent")
            candidates.append(PathCandidate(
                path: spelled, kind: .directory,
                reason: "where Hyper-V creates \(folder.what) (\(folder.fact == nil ? "built-in default" : folder.value))",
                evidence: [evidence], verified: exists, mayNotExistYet: true))
        }

        // Per VM: its folders, disks and their chains, ISOs, state files.
        for record in inventory.virtualMachines where record.registered || options.includeUnregistered {
            candidates += vmCandidates(record, warnings: &warnings)
        }
        if options.includeUnregistered {
            for item in inventory.unreferenced where item.kind == .virtualDisk || item.kind == .iso {
                candidates.append(PathCandidate(
                    path: item.path, kind: .file, reason: "--include-unregistered: \(item.reason)",
                    evidence: [Evidence(source: item.path.description, detail: "found on the volume")], verified: true))
            }
        }

        // Cluster storage and the cluster folder (KB 250355).
        for artifact in inventory.artifacts where artifact.kind == .clusterStorage {
            candidates.append(PathCandidate(
                path: artifact.path, kind: .directory, reason: "Cluster Shared Volumes mount point (KB 3105657, KB 250355)",
                evidence: [Evidence(source: artifact.path.description, detail: "exists on the volume")], verified: true))
        }
        // Clustered VMs run on whichever node owns them: this node's registrations may not name them, the
        // cluster database does (from documentation: Resources\{id}\Parameters).
        for resource in inventory.facts?.cluster?.virtualMachineResources ?? [] {
            let stores = [(resource.configStoreRootPath, "ConfigStoreRootPath"), (resource.vmStoreRootPath, "VmStoreRootPath")]
            for (text, value) in stores {
                guard let text, let path = environment.path(text) else { continue }
                candidates.append(PathCandidate(
                    path: map.spelling(of: path), kind: .directory,
                    reason: "clustered VM \(resource.name ?? resource.vmId ?? resource.id) store; it runs here after a failover (cluster database \(value))",
                    evidence: [Evidence(source: resource.source.hive, detail: "\(resource.source.key)\\Parameters\\\(value)")],
                    verified: map.resolve(path).hostPath != nil))
            }
        }
        if let clusterService = inventory.facts?.services.first(where: { NTFSName.equal($0.name, "clussvc") && $0.present == true }),
           let path = environment.path("%SystemRoot%\\Cluster") {
            candidates.append(PathCandidate(
                path: map.spelling(of: path), kind: .directory, reason: "Failover Cluster database and logs (KB 250355)",
                evidence: [Evidence(source: clusterService.source.hive, detail: clusterService.source.key)],
                verified: map.resolve(path).hostPath != nil))
        }
        return candidates
    }

    /// The candidates one VM (or checkpoint) contributes.
    func vmCandidates(_ record: VirtualMachine, warnings: inout [Finding]) -> [PathCandidate] {
        var candidates: [PathCandidate] = []
        let label = record.name.map { "'\($0)'" } ?? record.id?.description ?? "?"
        let who = record.checkpointOf == nil ? "VM \(label)" : "checkpoint \(label)"
        let state = record.registered ? "" : " (unregistered; --include-unregistered)"
        let source = record.configuration.text
        guard record.configuration.exists else {
            // A registered VM whose configuration is missing or on an unmapped drive still gets its folder.
            guard let config = record.configuration.path, let folder = RecordAssembler.folderAboveVirtualMachines(config) else { return [] }
            candidates.append(PathCandidate(
                path: folder, kind: .directory, reason: "\(who): folder of a registered VM whose configuration is missing\(state)",
                evidence: record.registration, verified: false))
            return candidates
        }
        for folder in record.folders {
            guard let path = folder.path else { continue }
            let what: String
            switch folder.role {
            case .dataRoot: what = "data root (configuration, checkpoints, runtime state)"
            case .snapshotDataRoot: what = "checkpoint data root"
            case .smartPagingDataRoot: what = "smart paging folder"
            default: what = "folder (configuration, checkpoints, runtime state)"
            }
            candidates.append(PathCandidate(
                path: path, kind: .directory, reason: "\(who) \(what)\(state)",
                evidence: [Evidence(source: source, detail: folder.keyPath)], verified: folder.exists,
                fallbackFiles: []))
        }
        if let config = record.configuration.path, let folder = config.parent {
            candidates.append(PathCandidate(
                path: folder, kind: .directory, reason: "\(who) configuration folder\(state)",
                evidence: [Evidence(source: source, detail: "configuration file")], verified: true,
                fallbackFiles: [config]))
        }
        for file in record.stateFiles + record.isos + record.floppies {
            guard let path = file.path else { continue }
            candidates.append(PathCandidate(
                path: path, kind: file.role == .runtimeFolder ? .directory : .file,
                reason: "\(who) \(file.role == .iso ? "attached ISO image" : file.role == .floppy ? "attached virtual floppy" : "runtime/state file")\(state)",
                evidence: [Evidence(source: source, detail: file.keyPath)], verified: file.exists))
        }
        for disk in record.disks {
            for (index, link) in disk.chain.enumerated() {
                // An unresolved parent is excluded, unverified, at the first path its child names (absolute first).
                let text = link.path.isEmpty ? link.candidates?.first : link.path
                if let text, let path = WindowsPath(text) {
                    let role = index == 0 ? "virtual disk (\(disk.controller))" : "parent disk of \(disk.chain[index - 1].path) (\(link.status.rawValue))"
                    let evidence = index == 0
                        ? Evidence(source: source, detail: disk.keyPath)
                        : Evidence(source: disk.chain[index - 1].path, detail: "parent locator")
                    candidates.append(diskCandidate(path, exists: link.exists, reason: "\(who) \(role)\(state)", evidence: evidence))
                }
            }
        }
        return candidates
    }

    /// A disk's folder when that folder holds only Hyper-V files, else the file itself.
    func diskCandidate(_ path: WindowsPath, exists: Bool, reason: String, evidence: Evidence) -> PathCandidate {
        if exists, let folder = path.parent, onlyHyperVFiles(folder) {
            return PathCandidate(
                path: folder, kind: .directory, reason: reason + "; its folder holds only Hyper-V files",
                evidence: [evidence], verified: true, fallbackFiles: [path])
        }
        return PathCandidate(path: path, kind: .file, reason: reason, evidence: [evidence], verified: exists)
    }

    /// Whether every entry of `folder` is a Hyper-V file or folder (by name and place).
    func onlyHyperVFiles(_ folder: WindowsPath) -> Bool {
        let entries = map.entries(of: folder)
        guard !entries.isEmpty else { return false }
        return entries.allSatisfy { entry in
            switch entry.kind {
            case .file: return ArtifactClassifier.classify(entry.path, kind: .file).map { $0 != .iso && $0 != .processBinary } ?? false
            case .directory: return ArtifactClassifier.classify(entry.path, kind: .directory) != nil
            default: return false
            }
        }
    }
}
