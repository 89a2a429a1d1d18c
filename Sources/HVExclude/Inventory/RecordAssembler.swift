/// Turns configurations into ``VirtualMachineRecord``s and relates them to the artifacts of the walk.
struct RecordAssembler {
    let map: VolumeMap
    let environment: WindowsEnvironment
    /// Host path → chain (first link: the disk itself).
    let chains: [String: [DiskChainLink]]
    let artifacts: [Artifact]

    /// The folder a VM's files hang from without data-root keys: the one above `Virtual Machines` (or
    /// `Snapshots`), else the configuration's own folder.
    func vmFolder(of configuration: WindowsPath) -> WindowsPath? {
        RecordAssembler.folderAboveVirtualMachines(configuration)
    }

    /// See ``vmFolder(of:)``.
    static func folderAboveVirtualMachines(_ configuration: WindowsPath) -> WindowsPath? {
        guard let folder = configuration.parent else { return nil }
        let name = WindowsPath.fold(folder.lastComponent ?? "")
        if name == "VIRTUAL MACHINES" || name == "SNAPSHOTS" { return folder.parent ?? folder }
        return folder
    }

    /// Whether the configuration sits in a `Snapshots` folder (a checkpoint's configuration).
    func isCheckpointFolder(_ configuration: WindowsPath) -> Bool {
        WindowsPath.fold(configuration.parent?.lastComponent ?? "") == "SNAPSHOTS"
    }

    /// A path record for `text`, checked on the volumes.
    func pathRecord(_ text: String, role: String, keyPath: String) -> PathRecord {
        guard let path = environment.path(text) else {
            return PathRecord(path: text, role: role, exists: false, problem: "not an absolute Windows path", keyPath: keyPath)
        }
        switch map.resolve(path) {
        case .found(let host, _):
            return PathRecord(path: (map.windowsPath(forHostPath: host) ?? path).description, role: role, exists: true, problem: nil, keyPath: keyPath)
        case .missing(let reason):
            return PathRecord(path: path.description, role: role, exists: false, problem: reason, keyPath: keyPath)
        case .unmapped:
            return PathRecord(path: path.description, role: role, exists: false, problem: "on \(path.rootDescription), which was not given (add --drive or --map)", keyPath: keyPath)
        }
    }

    /// The record of a registration whose path could not be worked out at all.
    func unresolvedRegistration(_ registration: Registration) -> VirtualMachineRecord {
        VirtualMachineRecord(
            id: registration.id?.description, name: nil, configurationVersion: nil, generation: nil,
            configurationFile: registration.rawPath, hostPath: nil, format: nil, registered: true,
            registration: [registration.evidence], exists: false, checkpointOf: nil, checkpoints: [], folders: [], disks: [], dvds: [],
            floppies: [], files: [], otherPaths: [],
            warnings: ["registered, but its configuration path '\(registration.rawPath)' cannot be resolved"])
    }

    /// The record of one configuration.
    func record(_ read: ConfigurationRead, registered: Bool, registrations: [Registration]) -> VirtualMachineRecord {
        var record = VirtualMachineRecord(
            id: read.configuration?.id?.description ?? registrations.first?.id?.description,
            name: read.configuration?.name, configurationVersion: read.configuration?.configurationVersionString,
            generation: read.configuration?.generation, configurationFile: read.path.description, hostPath: read.hostPath,
            format: read.configuration.map { $0.format == .vmcx ? "vmcx" : "xml" }, registered: registered,
            registration: registrations.map(\.evidence).sorted(), exists: read.exists, checkpointOf: nil,
            checkpoints: read.configuration?.snapshots.map { GUID($0)?.description ?? $0 } ?? [],
            folders: [], disks: [], dvds: [], floppies: [], files: [], otherPaths: [],
            warnings: read.configuration?.warnings ?? [])
        if let problem = read.problem {
            record.warnings.append(registered ? "registered, but \(problem)" : problem)
        }
        // Folders: the data roots when the configuration sets them, else the folder above `Virtual Machines`.
        let configuration = read.configuration
        if let root = configuration?.dataRoot {
            record.folders.append(pathRecord(root.path, role: "dataRoot", keyPath: root.keyPath))
        } else if let folder = vmFolder(of: read.path) {
            record.folders.append(pathRecord(folder.description, role: "vmFolder", keyPath: "folder above the configuration's 'Virtual Machines' folder"))
        }
        if let root = configuration?.snapshotDataRoot {
            record.folders.append(pathRecord(root.path, role: "snapshotDataRoot", keyPath: root.keyPath))
        }
        if let root = configuration?.smartPagingDataRoot {
            record.folders.append(pathRecord(root.path, role: "smartPagingDataRoot", keyPath: root.keyPath))
        }
        for drive in configuration?.drives ?? [] {
            guard let text = drive.path else { continue }
            let controller = "\(drive.controllerKind.rawValue) \(drive.controller):\(drive.drive)"
            switch drive.type {
            case "VHD":
                record.disks.append(diskRecord(text, controller: controller, keyPath: drive.keyPath))
            case "ISO":
                record.dvds.append(pathRecord(text, role: "iso", keyPath: drive.keyPath))
            case "VFD":
                record.floppies.append(pathRecord(text, role: "floppy", keyPath: drive.keyPath))
            default:
                record.otherPaths.append(pathRecord(text, role: "drive \(drive.type ?? "?")", keyPath: drive.keyPath))
            }
        }
        for reference in configuration?.paths ?? [] {
            switch reference.role {
            case .guestState, .savedState:
                record.files.append(pathRecord(reference.path, role: reference.role.rawValue, keyPath: reference.keyPath))
            case .other:
                record.otherPaths.append(pathRecord(reference.path, role: "other", keyPath: reference.keyPath))
            default:
                break
            }
        }
        // Runtime files the walk found beside the configuration: <id>.vmrs/.vmgs/.bin/.vsv and the <id> folder.
        if let id = record.id, let folder = read.path.parent {
            let known = Set(record.files.map { WindowsPath.fold($0.path) })
            for artifact in artifacts where artifact.kind == .runtimeState || artifact.kind == .runtimeFolder {
                guard let path = WindowsPath(artifact.path), let parent = path.parent, let name = path.lastComponent else { continue }
                let stem = name.split(separator: ".").first.map(String.init) ?? name
                let besideConfig = parent == folder && WindowsPath.fold(stem) == WindowsPath.fold(id)
                let inRuntimeFolder = parent.lastComponent.map { WindowsPath.fold($0) == WindowsPath.fold(id) } == true && parent.parent == folder
                guard besideConfig || inRuntimeFolder, !known.contains(WindowsPath.fold(artifact.path)) else { continue }
                record.files.append(PathRecord(
                    path: artifact.path, role: artifact.kind == .runtimeFolder ? "runtimeFolder" : "runtime", exists: true,
                    problem: nil, keyPath: "found beside the configuration"))
            }
        }
        return record
    }

    /// A disk a configuration names, with its chain.
    func diskRecord(_ text: String, controller: String, keyPath: String) -> DiskRecord {
        func missing(_ path: String, _ reason: String) -> DiskRecord {
            let link = DiskChainLink(path: path, hostPath: nil, exists: false, verified: false, status: .unresolved, reason: reason)
            return DiskRecord(path: path, controller: controller, keyPath: keyPath, exists: false, chain: [DiskInfo.ChainEntry(link)])
        }
        guard let path = environment.path(text) else { return missing(text, "not an absolute Windows path") }
        switch map.resolve(path) {
        case .found(let host, _):
            let spelled = map.windowsPath(forHostPath: host) ?? path
            let chain = chains[host] ?? [DiskChainLink(path: spelled.description, hostPath: host, exists: true, verified: false, status: .unreadable, reason: "not read")]
            return DiskRecord(
                path: spelled.description, controller: controller, keyPath: keyPath, exists: true,
                format: chain.first?.disk?.format, type: chain.first?.disk?.type, chain: chain.map(DiskInfo.ChainEntry.init))
        case .missing(let reason):
            return missing(path.description, reason)
        case .unmapped:
            return missing(path.description, "on \(path.rootDescription), which was not given (add --drive or --map)")
        }
    }

    /// Marks checkpoint configurations with the VM they belong to: the VM whose checkpoint list names them,
    /// else the one VM whose snapshot folder holds them (several VMs sharing a folder, as in the 2012 R2
    /// default layout, decide nothing). A checkpoint of a registered VM is registered with it.
    func attachCheckpoints(_ records: inout [VirtualMachineRecord]) {
        let vms = records.indices.filter { index in
            WindowsPath(records[index].configurationFile).map { !isCheckpointFolder($0) } ?? true
        }
        for index in records.indices {
            guard let path = WindowsPath(records[index].configurationFile), isCheckpointFolder(path),
                  let folder = path.parent else { continue }
            let id = records[index].id.map { WindowsPath.fold($0) }
            let listed = vms.filter { candidate in
                id != nil && records[candidate].checkpoints.contains { WindowsPath.fold($0) == id }
            }
            let byFolder = vms.filter { candidate in
                let roots = records[candidate].folders.filter { $0.role == "snapshotDataRoot" }.compactMap { WindowsPath($0.path) }
                let base = roots.isEmpty ? records[candidate].folders.filter { $0.role == "dataRoot" || $0.role == "vmFolder" }.compactMap { WindowsPath($0.path) } : roots
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

    /// Adds to each artifact the VMs that use it and its disk facts; lists what no registered VM uses.
    func relate(_ records: [VirtualMachineRecord]) -> (artifacts: [Artifact], unreferenced: [UnreferencedItem]) {
        var users: [String: Set<String>] = [:]
        var registeredUse = Set<String>()
        func use(_ path: String, _ record: VirtualMachineRecord) {
            let key = WindowsPath.fold(path)
            if let id = record.id { users[key, default: []].insert(id) }
            if record.registered { registeredUse.insert(key) }
        }
        for record in records {
            use(record.configurationFile, record)
            for disk in record.disks { for link in disk.chain where !link.path.isEmpty { use(link.path, record) } }
            for item in record.dvds + record.floppies + record.files { use(item.path, record) }
        }
        var unreferenced: [UnreferencedItem] = []
        var artifacts = artifacts
        for index in artifacts.indices {
            let key = WindowsPath.fold(artifacts[index].path)
            if let ids = users[key] { artifacts[index].vms = ids.sorted() }
            if artifacts[index].kind == .virtualDisk {
                artifacts[index].disk = diskInfo(artifacts[index].hostPath)
            }
            guard !registeredUse.contains(key) else { continue }
            switch artifacts[index].kind {
            case .virtualDisk:
                unreferenced.append(UnreferencedItem(
                    path: artifacts[index].path, kind: .virtualDisk,
                    reason: users[key] == nil ? "no VM uses this disk, directly or as a parent" : "used only by unregistered VMs \(users[key]!.sorted().joined(separator: ", "))"))
            case .iso:
                unreferenced.append(UnreferencedItem(path: artifacts[index].path, kind: .iso, reason: "no registered VM attaches this image"))
            default:
                break
            }
        }
        for record in records where !record.registered && record.exists {
            unreferenced.append(UnreferencedItem(
                path: record.configurationFile, kind: .vmConfiguration,
                reason: "no registration names this configuration (VM \(record.name ?? "?") \(record.id ?? ""))"))
        }
        unreferenced.sort { WindowsPath.fold($0.path) < WindowsPath.fold($1.path) }
        return (artifacts, unreferenced)
    }

    /// The report's facts for a disk artifact.
    func diskInfo(_ hostPath: String) -> DiskInfo {
        let chain = chains[hostPath] ?? []
        let disk = chain.first?.disk
        let entries = chain.map(DiskInfo.ChainEntry.init)
        let error = chain.first.flatMap { $0.status == .start ? nil : $0.reason }
        return DiskInfo(
            format: disk?.format, type: disk?.type, virtualSize: disk?.virtualSize, blockSize: disk?.blockSize,
            creator: disk?.creator, id: disk?.identity, virtualDiskId: disk?.virtualDiskID,
            parentId: disk?.parent?.expectedIdentities.first, parent: chain.count > 1 ? chain[1].path : nil, chain: entries,
            error: error)
    }
}
