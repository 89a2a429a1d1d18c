import HVXBinary
import HVXInventory
import HVXVolume

/// Derives the exact exclusions a host needs (docs/exclusion-policy.md):
/// Hyper-V's processes, the files and folders registered VMs really use, and the folders Microsoft names — never
/// a folder that holds anything but Hyper-V files, never a protected place, never something that does not exist.
///
/// Input is plain values (``PolicyInput``) and ``VolumeQueries``; the planner reads nothing else, so every rule
/// is tested by building its input in Swift.
package struct ExclusionPlanner {
    /// What the plan is derived from.
    package let input: PolicyInput
    /// The scanned volumes.
    package let volume: any VolumeQueries

    /// The planner's output.
    package struct Result: Sendable {
        /// The host's plan.
        package var plan: ExclusionPlan
        /// What to exclude on each SMB file server that holds VM files.
        package var fileServers: [FileServerPlan]
        /// Notes on entries that were refused, narrowed, inferred or could not be verified.
        package var findings: [Finding]
        /// Files no VM names directly that a rule attributed to VMs (VHD Set members, replica files still
        /// arriving): no longer unreferenced.
        package var claimed: [ClaimedFile]
    }

    /// A file a rule attributed to VMs although no configuration names it.
    package struct ClaimedFile: Sendable, Equatable {
        /// The file.
        package var path: WindowsPath
        /// The VMs (ids) it belongs to; empty when only its place is known (replica storage).
        package var vms: [String]
        /// Why.
        package var reason: String
    }

    /// The plan.
    package func plan() -> Result {
        var state = PlanState(input: input, volume: volume)
        state.warnings = input.findings
        state.plan.processes = processes(&state)
        extensions(&state)
        hostFolders(&state)
        for vm in input.virtualMachines where vm.registered || input.options.includeUnregistered {
            virtualMachine(vm, &state)
        }
        replicaLogs(&state)
        vhdSets(&state)
        cluster(&state)
        // After the folders Microsoft names are known: what Hyper-V will write (policy v3).
        let replicated = replicatedVMs()
        for vm in input.virtualMachines where vm.registered || input.options.includeUnregistered {
            lifecycle(vm, replicated: replicated.contains(vm.checkpointOf ?? vm.id ?? vm.label), &state)
        }
        defaultFolders(&state)
        if input.options.includeUnregistered {
            for file in input.unreferenced where volume.kind(of: file.path) != nil {
                state.add(
                    PathCandidate(
                        path: volume.spelling(of: file.path), kind: .file,
                        reason: "--include-unregistered: \(file.reason)",
                        evidence: [Evidence(source: file.path.description, detail: "found on the volume")],
                        verified: true))
            }
        }
        return state.finish()
    }

    /// The memberwise initialiser, `package` for the layers above (Swift synthesises it internal).
    package init(input: PolicyInput, volume: any VolumeQueries) {
        self.input = input
        self.volume = volume
    }
}

/// The plan being built: candidates, refusals, deferred folders and notes, and the folder-rule decisions made so
/// far (each folder is checked once).
package struct PlanState {
    package let input: PolicyInput
    package let volume: any VolumeQueries
    package let protected: ProtectedPlaces
    package var plan = ExclusionPlan()
    package var candidates: [PathCandidate] = []
    package var fileServerEntries: [String: (server: String, share: String, entry: FileServerPlan.Entry)] = [:]
    package var refused: [String: RefusedFolder] = [:]
    package var deferred: [String: DeferredPath] = [:]
    package var warnings: [Finding] = []
    package var claimed: [ExclusionPlanner.ClaimedFile] = []
    /// Folder key → whether the folder rule lets it be excluded whole.
    package var decisions: [String: Bool] = [:]
    /// Folders Microsoft names that are planned whatever they hold (keys).
    package var namedFolders: [WindowsPath] = []
    /// Folders a configuration or the registry names as Hyper-V roots (keys).
    package let ownedRoots: Set<String>
    /// Keys of the ISOs registered VMs attach (Hyper-V files for the folder rule).
    package let attachedISOs: Set<String>

    package init(input: PolicyInput, volume: any VolumeQueries) {
        self.input = input
        self.volume = volume
        protected = ProtectedPlaces(environment: input.environment, dataRoot: input.dataRoot, shares: input.shares)
        let vms = input.virtualMachines.filter { $0.registered || input.options.includeUnregistered }
        var roots = Set(vms.flatMap { $0.paths.filter(\.role.isRoot).map(\.path.key) })
        roots.formUnion(input.defaultFolders.map(\.path.key))
        roots.formUnion((input.cluster?.vmStores ?? []).map(\.path.key))
        roots.insert(input.dataRoot.key)
        ownedRoots = roots
        attachedISOs = Set(vms.flatMap { $0.paths.filter { $0.role == .iso }.map(\.path.key) })
    }

    package mutating func add(_ candidate: PathCandidate) { candidates.append(candidate) }

    /// The reason every folder the folder rule admits carries.
    package static let onlyHyperV =
        "Hyper-V owns this folder and it holds only Hyper-V files (checked on the scanned volume)"

    package mutating func warn(_ path: WindowsPath, _ message: String, _ severity: Finding.Severity = .warning) {
        warnings.append(Finding(.exclusion, at: .windows(path), message: message, severity: severity))
    }

    package mutating func refuse(_ folder: WindowsPath, _ reason: String, instead: String) {
        guard refused[folder.key] == nil else { return }
        refused[folder.key] = RefusedFolder(path: folder.description, reason: reason, instead: instead)
    }

    /// Whether the Hyper-V-owned `folder` may be excluded whole; records the refusal when not.
    package mutating func folderRule(_ folder: WindowsPath) -> Bool {
        if let decided = decisions[folder.key] { return decided }
        var allowed = true
        if let why = protected.reason(folder) {
            refuse(folder, "not excluded as a folder: \(why)", instead: "its Hyper-V subfolders and files, one by one")
            allowed = false
        } else if let foreign = HyperVFiles.firstForeignEntry(
            in: folder, volume: volume, attachedISOs: attachedISOs, ownedRoots: ownedRoots)
        {
            refuse(
                folder,
                "not excluded as a folder: \(foreign.path) \(foreign.why); an exclusion would hide it and anything put beside it",
                instead: "its Hyper-V subfolders and files, one by one")
            allowed = false
        }
        decisions[folder.key] = allowed
        return allowed
    }

    /// Whether `folder` is Hyper-V's: by name, or named as a root by a configuration, the registry or the cluster.
    package func isOwned(_ folder: WindowsPath) -> Bool {
        HyperVFiles.isOwnedByName(folder) || ownedRoots.contains(folder.key)
            || input.replicaStorage.contains { $0.path == folder }
    }

    /// The folder Microsoft names that already covers `path`, if any.
    package func namedCover(_ path: WindowsPath) -> WindowsPath? {
        namedFolders.first { $0.contains(path) }
    }

    /// Covers one existing item (a file, or a runtime folder) on a scanned volume: by the highest Hyper-V-owned
    /// folder above it that passes the folder rule, else by the item itself (a folder that fails: its Hyper-V
    /// files one by one).
    package mutating func cover(
        _ item: WindowsPath, isFolder: Bool, reason: String, evidence: [Evidence], verified: Bool = true
    ) {
        if namedCover(item) != nil {
            add(
                PathCandidate(
                    path: item, kind: isFolder ? .directory : .file, reason: reason, evidence: evidence,
                    verified: verified))
            return
        }
        if wholeFolder(containing: item, orItself: isFolder, reason: reason, evidence: evidence, verified: verified) {
            return
        }
        if isFolder {
            for entry in volume.children(of: item) ?? [] {
                if entry.kind == .file && HyperVFiles.isHyperVFile(entry.path, attachedISOs: attachedISOs) {
                    cover(entry.path, isFolder: false, reason: reason, evidence: evidence, verified: verified)
                } else if entry.kind == .directory && HyperVFiles.isHyperVFolder(entry.path, ownedRoots: ownedRoots) {
                    cover(entry.path, isFolder: true, reason: reason, evidence: evidence, verified: verified)
                }
            }
            return
        }
        add(PathCandidate(path: item, kind: .file, reason: reason, evidence: evidence, verified: verified))
        if let parent = item.parent, refused[parent.key] == nil, !isOwned(parent) {
            let why =
                protected.reason(parent).map { "it is not a folder Hyper-V owns, and \($0)" }
                ?? "it is not a folder Hyper-V owns (no configuration or registry value names it, and its name is not one Hyper-V gives)"
            refuse(parent, "not excluded as a folder: \(why)", instead: "the file \(item.lastComponent ?? "")")
        }
    }

    /// Plans the highest Hyper-V-owned folder above `item` (or `item` itself, with `orItself`) that passes the folder
    /// rule, with `reason`; false when there is none. Every caller's `item` exists (or its parent does), so the
    /// folders tried exist too.
    package mutating func wholeFolder(
        containing item: WindowsPath, orItself: Bool, reason: String, evidence: [Evidence], verified: Bool = true,
        lifecycle: PathExclusion.Lifecycle? = nil
    ) -> Bool {
        let count = item.components.count
        let depths = Array(1..<max(count, 1)) + (orItself && count > 0 ? [count] : [])
        for depth in depths {
            let folder = WindowsPath(root: item.root, components: Array(item.components.prefix(depth)))
            guard isOwned(folder), folderRule(folder) else { continue }
            add(
                PathCandidate(
                    path: folder, kind: .directory, reason: reason, evidence: evidence, verified: verified,
                    lifecycle: lifecycle))
            add(
                PathCandidate(
                    path: folder, kind: .directory, reason: PlanState.onlyHyperV, evidence: [], verified: verified,
                    lifecycle: lifecycle))
            return true
        }
        return false
    }

    /// Covers a Hyper-V root a VM, the registry or the cluster names: the whole folder when the folder rule allows,
    /// else the Hyper-V folders it holds (`Virtual Machines`, `Snapshots`, `Virtual Hard Disks`, …).
    package mutating func coverRoot(_ root: WindowsPath, reason: String, evidence: [Evidence]) {
        if namedCover(root) != nil {
            // Inside a folder Microsoft names: the minimal cover folds the reason into it.
            add(PathCandidate(path: root, kind: .directory, reason: reason, evidence: evidence, verified: true))
            return
        }
        // A higher owned folder that passes covers this one too (a VM's root inside DefaultExternalDataRoot).
        if wholeFolder(containing: root, orItself: true, reason: reason, evidence: evidence) { return }
        // Refused: the Hyper-V folders it holds, each by the same rule.
        for entry in volume.children(of: root) ?? []
        where entry.kind == .directory && HyperVFiles.isOwnedByName(entry.path) {
            coverRoot(entry.path, reason: reason, evidence: evidence)
        }
    }

    /// A path on an SMB share: recorded for that file server, never in the host's plan.
    package mutating func fileServer(
        _ path: WindowsPath, kind: PathExclusion.Kind, reason: String, evidence: [Evidence]
    ) {
        guard case .unc(let server, let share) = path.root else { return }
        let key = path.key
        if var existing = fileServerEntries[key] {
            if !existing.entry.reasons.contains(reason) { existing.entry.reasons.append(reason) }
            existing.entry.evidence = Array(Set(existing.entry.evidence + evidence)).sorted()
            if kind == .directory { existing.entry.kind = .directory }
            fileServerEntries[key] = existing
        } else {
            fileServerEntries[key] = (
                server, share,
                FileServerPlan.Entry(
                    path: path.description, relativePath: path.components.joined(separator: "\\"), kind: kind,
                    reasons: [reason],
                    evidence: evidence.sorted())
            )
        }
    }

    /// The result: minimal covers, sorted lists.
    package mutating func finish() -> ExclusionPlanner.Result {
        for candidate in candidates where !candidate.verified {
            let scanned = volume.isScanned(candidate.path)
            if scanned && candidate.lifecycle != nil && candidate.kind == .directory {
                warn(candidate.path, "planned before it exists: \(candidate.reason)", .info)
            } else if scanned && candidate.lifecycle != nil
                && volume.kind(of: candidate.path.parent ?? candidate.path) == .directory
            {
                // What Hyper-V will write in a folder that exists: nothing to check yet; a rule no source confirms says so.
                if candidate.evidence.contains(where: { $0.detail.hasPrefix("inferred") }) {
                    warn(
                        candidate.path,
                        "excluded before Hyper-V writes it, by a naming rule no source confirms: \(candidate.reason)",
                        .info)
                }
            } else {
                warn(
                    candidate.path,
                    scanned
                        ? "excluded, but inferred: \(candidate.reason)"
                        : "excluded, but \(candidate.path.rootDescription) was not scanned, so it could not be checked (add --drive or --map): \(candidate.reason)"
                )
            }
        }
        plan.paths = MinimalCover.cover(candidates)
        for entry in plan.paths {
            guard let path = WindowsPath(entry.path), path.hasEnvironmentForm else { continue }
            warn(
                path,
                "the path holds a %NAME% form, which Defender expands as an environment variable where the name is one: the exclusion may then name another path; check it with MpCmdRun -CheckExclusion -path, or rename the folder"
            )
        }
        let planned = plan.paths.compactMap { entry in entry.kind == .directory ? WindowsPath(entry.path) : nil }
        plan.deferred = deferred.values.filter { item in
            guard let path = WindowsPath(item.path) else { return true }
            return !planned.contains { $0.contains(path) }
        }.sorted { $0.path < $1.path }
        plan.refused = refused.values.filter { item in
            // A refusal inside a folder excluded anyway (a named one) explains nothing.
            guard let path = WindowsPath(item.path) else { return true }
            return !planned.contains { $0.isAncestor(of: path) }
        }.sorted { $0.path < $1.path }
        for item in plan.refused {
            warnings.append(
                Finding(
                    .exclusion, at: .windowsPath(item.path),
                    message: "\(item.reason); excluded instead: \(item.instead)",
                    severity: .info))
        }
        if input.options.environmentPaths {
            for index in plan.paths.indices {
                guard let path = WindowsPath(plan.paths[index].path) else { continue }
                plan.paths[index].environmentPath = input.environment.environmentForm(of: path)
            }
        }
        var servers: [String: [String: [FileServerPlan.Entry]]] = [:]
        var serverNames: [String: String] = [:]
        var shareNames: [String: String] = [:]
        // Minimal cover inside each share, as on the host.
        let folders = fileServerEntries.values.filter { $0.entry.kind == .directory }.compactMap {
            WindowsPath($0.entry.path)
        }
        for (key, value) in fileServerEntries.sorted(by: { $0.key < $1.key }) {
            guard let path = WindowsPath(value.entry.path) else { continue }
            if folders.contains(where: { $0.isAncestor(of: path) }) { continue }
            let server = NTFSName.fold(value.server)
            serverNames[server] = serverNames[server] ?? value.server
            let share = server + "\\" + NTFSName.fold(value.share)
            shareNames[share] = shareNames[share] ?? value.share
            servers[server, default: [:]][share, default: []].append(value.entry)
            _ = key
        }
        let fileServers = servers.keys.sorted().map { server in
            FileServerPlan(
                server: serverNames[server]!,
                shares: servers[server]!.keys.sorted().map { share in
                    FileServerPlan.Share(name: shareNames[share]!, paths: servers[server]![share]!)
                })
        }
        return ExclusionPlanner.Result(
            plan: plan, fileServers: fileServers,
            findings: Array(Set(warnings)).sorted { ($0.path, $0.message) < ($1.path, $1.message) }, claimed: claimed)
    }
}
