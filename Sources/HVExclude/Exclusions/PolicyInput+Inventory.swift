import HVXBinary
import HVXFormats
import HVXInventory
import HVXVolume

extension PolicyInput {
    /// The policy's input from a scan's inventory: the one place report-shaped records become typed values.
    package init(inventory: HostInventory, map: VolumeMap, options: PlannerOptions) {
        let environment = inventory.environment
        let facts = inventory.facts
        self.init(environment: environment, dataRoot: inventory.dataRoot, options: options)
        if let windows = facts?.windows, let generation = windows.generation {
            // A release inferred without SOFTWARE (the kernel's version, a VM configuration version) has no name
            // from the hive: it is named from its build, and its evidence says what it was inferred from.
            let name =
                windows.release ?? windows.build.flatMap {
                    HostFacts.Windows.releaseName(build: $0, isServer: windows.isServer)
                }
                ?? "Windows Server \(generation.rawValue)"
            let evidence =
                windows.evidence.map { Evidence(source: "inferred", detail: $0) }
                ?? Evidence(
                    source: windows.currentBuild?.source.hive ?? "SOFTWARE",
                    detail: "CurrentVersion CurrentBuild \(windows.build.map(String.init) ?? "?")")
            release = WindowsRelease(
                name: name, generation: generation, isClient: windows.isServer == false, evidence: evidence)
        }
        // Where new VMs and disks go: the registry's values, else the built-in defaults.
        let folders: [(fact: HostFacts.PathFact?, builtIn: String, value: String)] = [
            (
                facts?.hyperVDefaults.virtualMachinePath, "%ProgramData%\\Microsoft\\Windows\\Hyper-V",
                "DefaultExternalDataRoot"
            ),
            (
                facts?.hyperVDefaults.virtualHardDiskPath, "%Public%\\Documents\\Hyper-V\\Virtual Hard Disks",
                "DefaultVirtualHardDiskPath"
            ),
        ]
        for folder in folders {
            let text = folder.fact.map { $0.expanded ?? $0.raw } ?? folder.builtIn
            guard let path = environment.path(text) else {
                // The value's words are not a path of any kind: text is all there is to print.
                findings.append(
                    Finding(
                        .exclusion, at: .text(text),
                        message: "\(folder.value) '\(text)' is not an absolute Windows path; not excluded"))
                continue
            }
            let evidence =
                folder.fact.map {
                    Evidence(source: $0.source.hive, detail: "\($0.source.key)\\\($0.source.value ?? folder.value)")
                }
                ?? Evidence(
                    source: "built-in default",
                    detail: facts == nil ? "no SOFTWARE hive: \(folder.value) unknown" : "\(folder.value) absent")
            defaultFolders.append(
                DefaultFolder(path: path, valueName: folder.value, fromRegistry: folder.fact != nil, evidence: evidence)
            )
        }
        // A service whose key could not be read (present nil) is reported as an error by the inventory; the policy
        // plans nothing on it, as for an absent one.
        services = (facts?.services ?? []).map {
            ServiceFact(
                name: $0.name, present: $0.present == true, imagePath: $0.imagePath,
                evidence: Evidence(source: $0.source.hive, detail: $0.source.key))
        }
        shares = (facts?.shares ?? []).compactMap { share in
            guard let path = environment.path(share.path) else { return nil }
            return Share(
                name: share.name, path: path,
                evidence: Evidence(source: share.source.hive, detail: "\(share.source.key)\\\(share.name)"))
        }
        virtualMachines = inventory.virtualMachines.map(PolicyInput.vmInput)
        unreferenced = inventory.unreferenced.compactMap { item in
            guard item.kind == .virtualDisk || item.kind == .iso else { return nil }
            return UnreferencedFile(path: item.path, reason: item.reason.description)
        }
        // Replica storage: what the user names, and every folder that holds a `Hyper-V Replica` folder.
        for path in options.replicaStorage {
            replicaStorage.append(
                ReplicaStorage(
                    path: path, evidence: Evidence(source: "--replica-storage", detail: path.description),
                    confirmed: true))
        }
        for fact in facts?.cluster?.replicaStorage ?? [] {
            guard let path = environment.path(fact.value), !replicaStorage.contains(where: { $0.path == path }) else {
                continue
            }
            replicaStorage.append(
                ReplicaStorage(
                    path: path,
                    evidence: Evidence(
                        source: fact.source.hive, detail: "\(fact.source.key)\\\(fact.source.value ?? "")"),
                    confirmed: false))
        }
        for artifact in inventory.artifacts {
            let path = artifact.path
            switch artifact.kind {
            case .replicaFolder:
                guard let parent = path.parent, !replicaStorage.contains(where: { $0.path == parent }) else { continue }
                replicaStorage.append(
                    ReplicaStorage(
                        path: parent,
                        evidence: Evidence(
                            source: path.description,
                            detail: "a 'Hyper-V Replica' folder: replica VM files go below the storage location"),
                        confirmed: false))
            case .replicaLog:
                replicaLogs.append(path)
            case .virtualDisk:
                let ext = HyperVFiles.fileExtension(path.lastComponent ?? "")
                if ext == "vhds" || ext == "avhdx" { setFiles.append(path) }
            default:
                break
            }
        }
        cluster = PolicyInput.clusterInput(facts: facts, map: map, environment: environment)
    }

    /// One VM of the inventory as the policy's typed paths.
    package static func vmInput(_ vm: VirtualMachine) -> VMInput {
        var paths: [VMPath] = []
        let source = vm.configuration.text
        func add(_ path: WindowsPath?, _ role: VMPath.Role, _ what: String, _ detail: String, inferred: Bool = false) {
            guard let path else { return }
            paths.append(
                VMPath(
                    path: path, role: role, what: what, evidence: Evidence(source: source, detail: detail),
                    inferred: inferred))
        }
        for folder in vm.folders {
            switch folder.role {
            case .dataRoot:
                add(folder.path, .dataRoot, "data root (configuration, checkpoints, runtime state)", folder.keyPath)
            case .vmFolder:
                add(folder.path, .dataRoot, "folder (configuration, checkpoints, runtime state)", folder.keyPath)
            case .snapshotDataRoot: add(folder.path, .snapshotRoot, "checkpoint data root", folder.keyPath)
            case .smartPagingDataRoot: add(folder.path, .smartPagingRoot, "smart paging folder", folder.keyPath)
            default: add(folder.path, .dataRoot, "folder", folder.keyPath)
            }
        }
        add(vm.configuration.path, .configuration, "configuration", "configuration file")
        for file in vm.stateFiles {
            if file.role == .runtimeFolder {
                add(file.path, .runtimeFolder, "runtime folder", file.keyPath)
            } else {
                add(file.path, .state, "runtime/state file", file.keyPath)
            }
        }
        for iso in vm.isos { add(iso.path, .iso, "attached ISO image", iso.keyPath) }
        for floppy in vm.floppies { add(floppy.path, .floppy, "attached virtual floppy", floppy.keyPath) }
        for disk in vm.disks {
            add(disk.path, .disk, "virtual disk (\(disk.controller))", disk.keyPath)
            for (index, link) in disk.chain.enumerated() where index > 0 {
                // An unresolved parent is named at the first path its child gives (absolute first).
                let text = link.path.isEmpty ? (link.candidates?.first ?? "") : link.path
                guard let path = WindowsPath(text) else { continue }
                let child = disk.chain[index - 1].path
                paths.append(
                    VMPath(
                        path: path, role: .parentDisk, what: "parent disk of \(child) (\(link.status.rawValue))",
                        evidence: Evidence(source: child, detail: "parent locator")))
            }
        }
        return VMInput(
            id: vm.id?.description, name: vm.name, registered: vm.registered,
            checkpointOf: vm.checkpointOf?.description,
            configurationFile: vm.configuration.path, exists: vm.configuration.exists, registration: vm.registration,
            paths: paths,
            configurationVersion: vm.configurationVersion)
    }

    /// The scanned drive (not the system drive) whose root `\Cluster` folder holds a registry hive — the cluster
    /// database copy on a disk witness — with the file as evidence; nil when there is none.
    package static func witnessVolume(map: VolumeMap, environment: WindowsEnvironment) -> ClusterInput.Witness? {
        let systemDrive = environment.path("%SystemDrive%\\")
        for mapping in map.mappings
        where mapping.prefix.isRoot && mapping.prefix.driveLetter != nil && mapping.prefix != systemDrive {
            guard let folder = mapping.prefix.appending("Cluster") else { continue }
            for entry in (map.children(of: folder) ?? []).sorted(by: { $0.path < $1.path }) where entry.kind == .file {
                guard let host = map.resolve(entry.path).hostPath,
                    let bytes = try? map.openFile(host).read(at: 0, count: 4),
                    bytes == Array("regf".utf8)
                else { continue }
                return ClusterInput.Witness(
                    drive: mapping.prefix,
                    evidence: [
                        Evidence(
                            source: entry.path.description,
                            detail:
                                "inferred: a registry hive in the volume's root \\Cluster folder, the copy of the cluster database a disk witness keeps; the cluster service (ClusSvc) is installed"
                        )
                    ])
            }
        }
        return nil
    }

    /// Cluster facts: CSVs from the database and `--map`, clustered VM stores, the witness disk's drive.
    package static func clusterInput(
        facts: HostFacts?, map: VolumeMap, environment: WindowsEnvironment
    ) -> ClusterInput? {
        var cluster = ClusterInput()
        var any = false
        if let database = facts?.cluster {
            any = true
            cluster.sharedVolumes = database.sharedVolumes
            if !database.sharedVolumes.isEmpty {
                cluster.sharedVolumeEvidence.append(
                    Evidence(
                        source: "CLUSDB",
                        detail: "VM resources store on C:\\ClusterStorage\\"
                            + database.sharedVolumes.joined(separator: ", ")))
            }
            cluster.vmStores = vmStores(database.virtualMachineResources, environment: environment)
            if let witness = database.witness, witness.type.map({ RegistryName.equal($0, "Physical Disk") }) ?? true {
                let (drive, problem) = diskWitness(witness, facts: facts)
                (cluster.witness, cluster.witnessProblem) = (drive, problem)
            }
        }
        // No disk witness in the database (or none tied to a letter), but the cluster service is installed: a scanned
        // volume whose root `\Cluster` folder holds a registry hive holds the copy of the cluster database a disk
        // witness keeps (inferred: the witness folder's layout is not a Microsoft document).
        let clusterService =
            facts?.services.contains { RegistryName.equal($0.name, "ClusSvc") && $0.present == true } ?? false
        if clusterService && cluster.witness == nil, let found = witnessVolume(map: map, environment: environment) {
            any = true
            cluster.witness = found
            cluster.witnessProblem = nil
        }
        // A --map under X:\ClusterStorage: the user says CSVs exist.
        for mapping in map.mappings
        where mapping.prefix.components.count >= 2 && NTFSName.fold(mapping.prefix.components[0]) == "CLUSTERSTORAGE" {
            any = true
            cluster.sharedVolumeEvidence.append(Evidence(source: "--map", detail: mapping.prefix.description))
        }
        return any ? cluster : nil
    }

    /// The clustered VMs' store roots (`ConfigStoreRootPath`, `VmStoreRootPath`) the cluster database names.
    static func vmStores(
        _ resources: [HostFacts.Cluster.Resource], environment: WindowsEnvironment
    ) -> [VMPath] {
        var stores: [VMPath] = []
        for resource in resources {
            let name = resource.name ?? resource.vmId ?? resource.id
            for (text, value) in [
                (resource.configStoreRootPath, "ConfigStoreRootPath"),
                (resource.vmStoreRootPath, "VmStoreRootPath"),
            ] {
                guard let text, let path = environment.path(text) else { continue }
                stores.append(
                    VMPath(
                        path: path, role: .dataRoot, what: "VM \(name) store (cluster database \(value))",
                        evidence: Evidence(
                            source: resource.source.hive, detail: "\(resource.source.key)\\Parameters\\\(value)")))
            }
        }
        return stores
    }

    /// A disk witness's drive, tied to a letter through MountedDevices by the disk's MBR signature; or why it cannot
    /// be.
    static func diskWitness(
        _ witness: HostFacts.Cluster.WitnessResource, facts: HostFacts?
    ) -> (witness: ClusterInput.Witness?, problem: String?) {
        let evidence = witness.sources.map {
            Evidence(source: $0.hive, detail: $0.key + ($0.value.map { "\\" + $0 } ?? ""))
        }
        guard let signature = witness.diskSignature,
            let device = facts?.mountedDevices.first(where: {
                $0.driveLetter != nil && $0.diskSignature == signature
            }),
            let letter = device.driveLetter?.first
        else {
            let problem =
                "the witness disk \(witness.name ?? witness.id) has no drive letter this scan can tie it to (MountedDevices has no MBR entry with its DiskSignature\(witness.diskIdGuid != nil ? "; a GPT DiskIdGuid names the disk, not a partition" : "")): exclude the \\Cluster folder on it by hand (KB 250355)"
            return (nil, problem)
        }
        let witnessDrive = ClusterInput.Witness(
            drive: WindowsPath(root: .drive(letter), components: []),
            evidence: evidence + [
                Evidence(
                    source: device.source.hive,
                    detail: "MountedDevices\\\(device.name): disk signature \(String(signature, radix: 16))"
                )
            ])
        return (witnessDrive, nil)
    }
}
