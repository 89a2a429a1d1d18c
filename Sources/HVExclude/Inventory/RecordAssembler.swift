import HVXBinary
import HVXVolume

/// Turns configurations into ``VirtualMachine``s and relates them to the artifacts of the walk.
package struct RecordAssembler {
    package let volume: any VolumeQueries
    package let environment: WindowsEnvironment
    /// Host path → chain (first link: the disk itself).
    package let chains: [String: [DiskChainLink]]
    package let artifacts: [FoundArtifact]

    /// The folder a VM's files hang from without data-root keys: the one above `Virtual Machines` (or
    /// `Snapshots`), else the configuration's own folder.
    package static func folderAboveVirtualMachines(_ configuration: WindowsPath) -> WindowsPath? {
        guard let folder = configuration.parent else { return nil }
        let name = folder.lastComponent ?? ""
        if NTFSName.equal(name, "Virtual Machines") || NTFSName.equal(name, "Snapshots") {
            return folder.parent ?? folder
        }
        return folder
    }

    /// Whether the configuration sits in a `Snapshots` folder (a checkpoint's configuration).
    package static func isCheckpointFolder(_ configuration: WindowsPath) -> Bool {
        NTFSName.equal(configuration.parent?.lastComponent ?? "", "Snapshots")
    }

    /// A used path for `text`, checked on the volumes.
    package func usedPath(_ text: String, role: PathRole, keyPath: String) -> UsedPath {
        guard let path = environment.literalPath(text) else {
            return UsedPath(
                path: nil, text: text, role: role, exists: false, problem: "not an absolute Windows path",
                keyPath: keyPath)
        }
        switch volume.resolve(path) {
        case .found(let host, _):
            let spelled = volume.windowsPath(forHostPath: host) ?? path
            return UsedPath(
                path: spelled, text: spelled.description, role: role, exists: true, problem: nil, keyPath: keyPath)
        case .missing(let reason):
            return UsedPath(
                path: path, text: path.description, role: role, exists: false, problem: reason, keyPath: keyPath)
        case .unmapped:
            return UsedPath(
                path: path, text: path.description, role: role, exists: false,
                problem: "on \(path.rootDescription), which was not given (add --drive or --map)", keyPath: keyPath)
        }
    }

    /// The VM of a registration whose path could not be worked out at all.
    package func unresolvedRegistration(_ registration: Registration) -> VirtualMachine {
        VirtualMachine(
            id: registration.id, name: nil, configurationVersion: nil, generation: nil,
            configuration: ConfigurationFile(
                path: nil, text: registration.rawPath, hostPath: nil, outcome: .unresolvableRegistration),
            registered: true, registration: [registration.evidence], checkpointOf: nil, checkpoints: [], folders: [],
            disks: [],
            isos: [], floppies: [], stateFiles: [], otherPaths: [],
            problems: ["registered, but its configuration path '\(registration.rawPath)' cannot be resolved"])
    }

    /// The VM of one configuration file that was looked for (`file.path` is set), with what it said when it parsed.
    package func record(
        _ file: ConfigurationFile, configuration: VMConfiguration?, registered: Bool, registrations: [Registration]
    ) -> VirtualMachine {
        var record = VirtualMachine(
            id: configuration?.id ?? registrations.first?.id, name: configuration?.name,
            configurationVersion: configuration?.configurationVersion, generation: configuration?.generation,
            configuration: file, registered: registered, registration: registrations.map(\.evidence).sorted(),
            checkpointOf: nil, checkpoints: configuration?.snapshots.map { GUID($0)?.description ?? $0 } ?? [],
            folders: [], disks: [], isos: [], floppies: [], stateFiles: [], otherPaths: [],
            problems: configuration?.warnings.map(\.message) ?? [])
        if let problem = file.outcome.problem {
            record.problems.append(registered ? "registered, but \(problem)" : problem)
        }
        record.folders = folders(configuration, path: file.path)
        addDrives(configuration, to: &record)
        addPaths(configuration, to: &record)
        if let path = file.path { addRuntimeFiles(beside: path, to: &record) }
        return record
    }

    /// The data roots when the configuration sets them, else the folder above `Virtual Machines`.
    private func folders(_ configuration: VMConfiguration?, path: WindowsPath?) -> [UsedPath] {
        var folders: [UsedPath] = []
        if let root = configuration?.dataRoot {
            folders.append(usedPath(root.path, role: .dataRoot, keyPath: root.keyPath))
        } else if let path, let folder = RecordAssembler.folderAboveVirtualMachines(path) {
            folders.append(
                usedPath(
                    folder.description, role: .vmFolder,
                    keyPath: "folder above the configuration's 'Virtual Machines' folder"))
        }
        if let root = configuration?.snapshotDataRoot {
            folders.append(usedPath(root.path, role: .snapshotDataRoot, keyPath: root.keyPath))
        }
        if let root = configuration?.smartPagingDataRoot {
            folders.append(usedPath(root.path, role: .smartPagingDataRoot, keyPath: root.keyPath))
        }
        return folders
    }

    /// Disks, ISOs, floppies and other drive paths, by the drive slot's type.
    private func addDrives(_ configuration: VMConfiguration?, to record: inout VirtualMachine) {
        for drive in configuration?.drives ?? [] {
            guard let text = drive.path else { continue }
            let controller = "\(drive.controllerKind.rawValue) \(drive.controller):\(drive.drive)"
            switch drive.kind {
            case .hardDisk: record.disks.append(attachedDisk(text, controller: controller, keyPath: drive.keyPath))
            case .iso: record.isos.append(usedPath(text, role: .iso, keyPath: drive.keyPath))
            case .floppy: record.floppies.append(usedPath(text, role: .floppy, keyPath: drive.keyPath))
            case let kind: record.otherPaths.append(usedPath(text, role: .drive(kind), keyPath: drive.keyPath))
            }
        }
    }

    /// State files and every other path the configuration names.
    private func addPaths(_ configuration: VMConfiguration?, to record: inout VirtualMachine) {
        for reference in configuration?.paths ?? [] {
            switch reference.role {
            case .guestState:
                record.stateFiles.append(usedPath(reference.path, role: .guestState, keyPath: reference.keyPath))
            case .savedState:
                record.stateFiles.append(usedPath(reference.path, role: .savedState, keyPath: reference.keyPath))
            case .other: record.otherPaths.append(usedPath(reference.path, role: .other, keyPath: reference.keyPath))
            default: break
            }
        }
    }

    /// Runtime files the walk found beside the configuration: `<id>.vmrs/.vmgs/.bin/.vsv` and the `<id>` folder.
    private func addRuntimeFiles(beside configuration: WindowsPath, to record: inout VirtualMachine) {
        guard let id = record.id?.description, let folder = configuration.parent else { return }
        let known = Set(record.stateFiles.map { NTFSName.fold($0.display) })
        for artifact in artifacts where artifact.kind == .runtimeState || artifact.kind == .runtimeFolder {
            let path = artifact.path
            guard let parent = path.parent, let name = path.lastComponent else { continue }
            let stem = name.split(separator: ".").first.map(String.init) ?? name
            let besideConfig = parent == folder && NTFSName.equal(stem, id)
            let inRuntimeFolder = parent.lastComponent.map { NTFSName.equal($0, id) } == true && parent.parent == folder
            guard besideConfig || inRuntimeFolder, !known.contains(path.key) else { continue }
            record.stateFiles.append(
                UsedPath(
                    path: path, text: path.description,
                    role: artifact.kind == .runtimeFolder ? .runtimeFolder : .runtimeFile,
                    exists: true, problem: nil, keyPath: "found beside the configuration"))
        }
    }

    /// A disk a configuration names, with its chain.
    package func attachedDisk(_ text: String, controller: String, keyPath: String) -> AttachedDisk {
        func missing(_ path: WindowsPath?, _ text: String, _ reason: String) -> AttachedDisk {
            let link = DiskChainLink(
                path: text, hostPath: nil, exists: false, verified: false, status: .unresolved, reason: reason)
            return AttachedDisk(
                path: path, text: text, controller: controller, keyPath: keyPath, exists: false, chain: [link])
        }
        guard let path = environment.literalPath(text) else {
            return missing(nil, text, "not an absolute Windows path")
        }
        switch volume.resolve(path) {
        case .found(let host, _):
            let spelled = volume.windowsPath(forHostPath: host) ?? path
            let chain =
                chains[host]
                ?? [
                    DiskChainLink(
                        path: spelled.description, hostPath: host, exists: true, verified: false, status: .unreadable,
                        reason: spelled.lastComponent?.lowercased().hasSuffix(".vhds") == true
                            ? "a VHD Set file: its format is not published, so it is not read (its data files are grouped by name)"
                            : "not read")
                ]
            return AttachedDisk(
                path: spelled, text: spelled.description, controller: controller, keyPath: keyPath, exists: true,
                chain: chain)
        case .missing(let reason):
            return missing(path, path.description, reason)
        case .unmapped:
            return missing(
                path, path.description, "on \(path.rootDescription), which was not given (add --drive or --map)")
        }
    }

    /// Marks checkpoint configurations with the VM they belong to: the VM whose checkpoint list names them,
    /// else the one VM whose snapshot folder holds them (several VMs sharing a folder, as in the 2012 R2
    /// default layout, decide nothing). A checkpoint of a registered VM is registered with it.
    package static func attachCheckpoints(_ records: inout [VirtualMachine]) {
        let vms = records.indices.filter { index in
            records[index].configuration.path.map { !isCheckpointFolder($0) } ?? true
        }
        for index in records.indices {
            guard let path = records[index].configuration.path, isCheckpointFolder(path), let folder = path.parent
            else { continue }
            let id = records[index].id?.description
            let listed = vms.filter { candidate in
                id != nil && records[candidate].checkpoints.contains { NTFSName.equal($0, id!) }
            }
            let byFolder = vms.filter { candidate in
                let folders = records[candidate].folders
                let roots = folders.filter { $0.role == .snapshotDataRoot }.compactMap(\.path)
                let base =
                    roots.isEmpty
                    ? folders.filter { $0.role == .dataRoot || $0.role == .vmFolder }.compactMap(\.path) : roots
                return base.contains { $0.appending("Snapshots") == folder }
            }
            let owner = listed.first ?? (byFolder.count == 1 ? byFolder.first : nil)
            guard let owner else { continue }
            records[index].checkpointOf = records[owner].id
            if records[owner].registered && !records[index].registered {
                records[index].registered = true
                records[index].registration = records[owner].registration
            }
        }
    }

    /// Adds to each artifact the VMs that use it and its chain; lists what no registered VM uses.
    package func relate(_ records: [VirtualMachine]) -> (artifacts: [FoundArtifact], unreferenced: [UnreferencedFile]) {
        var users: [String: Set<GUID>] = [:]
        var registeredUse = Set<String>()
        func use(_ text: String, _ record: VirtualMachine) {
            let key = NTFSName.fold(text)
            if let id = record.id { users[key, default: []].insert(id) }
            if record.registered { registeredUse.insert(key) }
        }
        for record in records {
            use(record.configuration.text, record)
            for disk in record.disks { for link in disk.chain where !link.path.isEmpty { use(link.path, record) } }
            for item in record.isos + record.floppies + record.stateFiles { use(item.display, record) }
        }
        var unreferenced: [UnreferencedFile] = []
        var artifacts = artifacts
        for index in artifacts.indices {
            let key = artifacts[index].path.key
            if let ids = users[key] { artifacts[index].users = ids.sorted { $0.description < $1.description } }
            if artifacts[index].kind == .virtualDisk {
                artifacts[index].chain = chains[artifacts[index].hostPath] ?? []
            }
            guard !registeredUse.contains(key) else { continue }
            switch artifacts[index].kind {
            case .virtualDisk:
                let ids = users[key].map { Array($0) } ?? []
                unreferenced.append(
                    UnreferencedFile(
                        path: artifacts[index].path, kind: .virtualDisk,
                        reason: ids.isEmpty ? .diskUnused : .diskUsedOnlyByUnregistered(ids)))
            case .iso:
                unreferenced.append(UnreferencedFile(path: artifacts[index].path, kind: .iso, reason: .imageUnattached))
            default:
                break
            }
        }
        for record in records where !record.registered && record.configuration.exists {
            guard let path = record.configuration.path else { continue }
            unreferenced.append(
                UnreferencedFile(
                    path: path, kind: .vmConfiguration,
                    reason: .configurationUnregistered(name: record.name, id: record.id)))
        }
        unreferenced.sort { $0.path.key < $1.path.key }
        return (artifacts, unreferenced)
    }
}
