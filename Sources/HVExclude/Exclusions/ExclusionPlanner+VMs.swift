import HVXBinary
import HVXInventory
import HVXVolume

extension ExclusionPlanner {
    /// Everything one VM (or checkpoint) uses: existing items on scanned drives are covered by the folder rule,
    /// items on drives that were not scanned are planned unverified, items on shares go to their file server,
    /// and missing items are reported, never planned.
    func virtualMachine(_ vm: PolicyInput.VMInput, _ state: inout PlanState) {
        let unregistered = vm.registered ? "" : " (unregistered; --include-unregistered)"
        if !vm.exists, let config = vm.configurationFile, volume.isScanned(config) {
            state.warn(
                config,
                "\(vm.label)\(vm.name != nil ? " (\(vm.id ?? "?"))" : "") is registered, but its configuration does not exist on the scanned volume: nothing of it is planned (a folder that does not exist would only be a place to hide)"
            )
        }
        for item in vm.paths {
            let reason = "\(vm.label) \(item.what)\(unregistered)"
            var evidence = [item.evidence]
            if item.inferred {
                evidence.append(
                    Evidence(
                        source: "hvexclude",
                        detail: "inferred: the folder above the configuration's 'Virtual Machines' folder"))
            }
            let isFolder = item.role.isRoot || item.role == .runtimeFolder
            if case .unc = item.path.root {
                state.fileServer(item.path, kind: isFolder ? .directory : .file, reason: reason, evidence: evidence)
                // The configuration's folder is where Hyper-V writes runtime files next to it.
                if item.role == .configuration, let folder = item.path.parent {
                    state.fileServer(
                        folder, kind: .directory, reason: "\(vm.label) configuration folder\(unregistered)",
                        evidence: evidence)
                }
                continue
            }
            guard volume.isScanned(item.path) else {
                unscanned(item, isFolder: isFolder, reason: reason, evidence: evidence, &state)
                continue
            }
            guard let kind = volume.kind(of: item.path) else {
                // A missing configuration was reported once above; its folders follow from it.
                if vm.exists || !(item.role == .dataRoot || item.role == .configuration) {
                    state.warn(
                        item.path,
                        "\(vm.label) names \(item.path), which does not exist on the scanned volume: not planned (\(item.what))",
                        item.role.isRoot ? .info : .warning)
                }
                continue
            }
            let path = volume.spelling(of: item.path)
            if item.role.isRoot {
                guard kind == .directory else { continue }
                state.coverRoot(path, reason: reason, evidence: evidence)
            } else {
                state.cover(
                    path, isFolder: kind == .directory, reason: reason, evidence: evidence, verified: !item.inferred)
            }
        }
    }

    /// A path on a drive that was not scanned: the folder rule cannot be checked, so what the VM names is planned as
    /// it names it.
    func unscanned(
        _ item: PolicyInput.VMPath, isFolder: Bool, reason: String, evidence: [Evidence], _ state: inout PlanState
    ) {
        var path = item.path
        var kind: PathExclusion.Kind = isFolder ? .directory : .file
        if item.role == .configuration, let folder = item.path.parent, HyperVFiles.isOwnedByName(folder) {
            path = folder
            kind = .directory
        }
        if item.role.isRoot { return }  // its files are planned one by one
        state.add(
            PathCandidate(path: path, kind: kind, basis: .file, reason: reason, evidence: evidence, verified: false))
    }

    /// Replica log files (`.hrl`) in the folder of a disk a registered VM uses: Hyper-V Replica keeps them beside
    /// the disks they track (azure-docs `hyper-v-azure-architecture.md`).
    func replicaLogs(_ state: inout PlanState) {
        guard !input.replicaLogs.isEmpty else { return }
        var diskFolders: [String: (vm: PolicyInput.VMInput, disk: WindowsPath)] = [:]
        for vm in input.virtualMachines where vm.registered || input.options.includeUnregistered {
            for item in vm.paths where item.role == .disk || item.role == .parentDisk {
                if let folder = item.path.parent, diskFolders[folder.key] == nil {
                    diskFolders[folder.key] = (vm, item.path)
                }
            }
        }
        for log in input.replicaLogs {
            guard let folder = log.parent, let owner = diskFolders[folder.key], volume.kind(of: log) == .file else {
                continue
            }
            state.cover(
                volume.spelling(of: log), isFolder: false,
                reason: "Hyper-V Replica log beside \(owner.vm.label)'s disk \(owner.disk.lastComponent ?? "")",
                evidence: [
                    Evidence(
                        source: owner.disk.description,
                        detail:
                            "Replica log files sit in the same folder as the disks they track (azure-docs hyper-v-azure-architecture)"
                    )
                ])
        }
    }

    /// The `.avhdx` files of a VHD Set a registered VM attaches: the `.vhds` file's layout is not published, so
    /// the set is taken to be the `.avhdx` files beside it that no VM attaches directly (inferred, DOMAIN.md).
    func vhdSets(_ state: inout PlanState) {
        let attached = Set(
            input.virtualMachines.flatMap {
                $0.paths.filter { $0.role == .disk || $0.role == .parentDisk }.map(\.path.key)
            })
        var sets: [String: (set: WindowsPath, vms: [PolicyInput.VMInput])] = [:]
        for vm in input.virtualMachines where vm.registered || input.options.includeUnregistered {
            for item in vm.paths
            where item.role == .disk && HyperVFiles.fileExtension(item.path.lastComponent ?? "") == "vhds" {
                sets[item.path.key, default: (item.path, [])].vms.append(vm)
            }
        }
        for (_, entry) in sets.sorted(by: { $0.key < $1.key }) {
            guard let folder = entry.set.parent, volume.kind(of: entry.set) == .file else { continue }
            let stem = NTFSName.fold(String((entry.set.lastComponent ?? "").dropLast(5)))
            for file in input.setFiles where file.parent == folder && !attached.contains(file.key) {
                guard HyperVFiles.fileExtension(file.lastComponent ?? "") == "avhdx" else { continue }
                // Prefer the `<set name>_<GUID>.avhdx` files when the name says so; otherwise every unattached one.
                let name = NTFSName.fold(file.lastComponent ?? "")
                let named = name.hasPrefix(stem + "_")
                let others = input.setFiles.contains {
                    $0.parent == folder && NTFSName.fold($0.lastComponent ?? "").hasPrefix(stem + "_")
                }
                if others && !named { continue }
                let labels = entry.vms.map(\.label).joined(separator: ", ")
                state.cover(
                    volume.spelling(of: file), isFolder: false,
                    reason: "VHD Set \(entry.set.lastComponent ?? "") of \(labels): its data file",
                    evidence: [
                        Evidence(
                            source: entry.set.description,
                            detail:
                                "inferred: an .avhdx beside the .vhds that no VM attaches directly (the .vhds layout is not published)"
                        )
                    ],
                    verified: false)
                state.claimed.append(
                    ExclusionPlanner.ClaimedFile(
                        path: file, vms: entry.vms.compactMap { $0.checkpointOf ?? $0.id },
                        reason: "inferred member of the VHD Set \(entry.set)"))
            }
        }
    }
}
