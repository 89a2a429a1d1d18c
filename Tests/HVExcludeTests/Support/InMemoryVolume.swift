@testable import HVXBinary
@testable import HVXInventory
@testable import HVXVolume
@testable import HVXWalk

/// A scanned volume held in memory: Windows paths in their on-disk spelling and what each is. Answers the
/// planner's and the inventory's file-system questions (``VolumeQueries``) without touching a disk.
struct InMemoryVolume: VolumeQueries {
    /// Drives that were given (`--drive`); a path on any other drive is unmapped.
    let drives: Set<Character>
    /// Key → (on-disk spelling, kind). Every parent folder of an entry exists as a folder.
    private var entries: [String: (path: WindowsPath, kind: EntryKind)] = [:]

    /// A volume holding `files` (and their folders) and the extra `folders`, on `drives`.
    init(drives: Set<Character> = ["C"], files: [String] = [], folders: [String] = []) {
        self.drives = drives
        for text in folders { add(WindowsPath(text)!, .directory) }
        for text in files { add(WindowsPath(text)!, .file) }
    }

    private mutating func add(_ path: WindowsPath, _ kind: EntryKind) {
        var parent = path.parent
        while let folder = parent, !folder.isRoot {
            if entries[folder.key] == nil { entries[folder.key] = (folder, .directory) }
            parent = folder.parent
        }
        entries[path.key] = (path, kind)
    }

    static func hostPath(_ path: WindowsPath) -> String { "/mem/" + path.description }

    func resolve(_ path: WindowsPath) -> PathResolution {
        guard let letter = path.driveLetter, drives.contains(letter) else { return .unmapped }
        if path.isRoot { return .found(hostPath: InMemoryVolume.hostPath(path), kind: .directory) }
        guard let entry = entries[path.key] else {
            return .missing(reason: "no \(path.lastComponent ?? "?") in memory")
        }
        return .found(hostPath: InMemoryVolume.hostPath(entry.path), kind: entry.kind)
    }

    func windowsPath(forHostPath hostPath: String) -> WindowsPath? {
        guard hostPath.hasPrefix("/mem/") else { return nil }
        return WindowsPath(String(hostPath.dropFirst(5)))
    }

    func entries(of folder: WindowsPath) -> [VolumeEntry] {
        guard case .found(_, .directory) = resolve(folder) else { return [] }
        return entries.values
            .filter { $0.path.parent == folder }
            .map { VolumeEntry(path: $0.path, hostPath: InMemoryVolume.hostPath($0.path), kind: $0.kind) }
            .sorted { $0.path < $1.path }
    }
}

/// Model values for planner and inventory tests.
enum ModelFixture {
    static func path(_ text: String) -> WindowsPath { WindowsPath(text)! }

    static func used(_ text: String, _ role: PathRole, exists: Bool = true, keyPath: String = "key") -> UsedPath {
        UsedPath(path: WindowsPath(text), text: text, role: role, exists: exists, problem: nil, keyPath: keyPath)
    }

    static func disk(_ text: String, exists: Bool = true, parents: [String] = []) -> AttachedDisk {
        var chain = [
            DiskChainLink(
                path: text, hostPath: nil, exists: exists, verified: exists, status: exists ? .start : .unresolved)
        ]
        for parent in parents {
            chain.append(DiskChainLink(path: parent, hostPath: nil, exists: true, verified: true, status: .verified))
        }
        return AttachedDisk(
            path: WindowsPath(text), text: text, controller: "scsi 0:0", keyPath: "drive0/pathname", exists: exists,
            chain: chain)
    }

    static func vm(
        _ configuration: String, id: String = "11111111-2222-3333-4444-555555555555", name: String = "web",
        registered: Bool = true, outcome: ReadOutcome = .parsed(.vmcx), folders: [UsedPath] = [],
        disks: [AttachedDisk] = [],
        isos: [UsedPath] = [], stateFiles: [UsedPath] = []
    ) -> VirtualMachine {
        VirtualMachine(
            id: GUID(id), name: name, configurationVersion: 0x0900, generation: 2,
            configuration: ConfigurationFile(
                path: WindowsPath(configuration), text: configuration, hostPath: nil, outcome: outcome),
            registered: registered,
            registration: registered
                ? [Evidence(source: "C:\\ProgramData\\Microsoft\\Windows\\Hyper-V\\data.vmcx", detail: "entry")] : [],
            checkpointOf: nil, checkpoints: [], folders: folders, disks: disks, isos: isos, floppies: [],
            stateFiles: stateFiles,
            otherPaths: [], problems: [])
    }

    static func inventory(
        _ vms: [VirtualMachine], artifacts: [FoundArtifact] = [], unreferenced: [UnreferencedFile] = []
    ) -> HostInventory {
        HostInventory(
            facts: nil, softwareHiveRead: false, environment: .defaults,
            dataRoot: path("C:\\ProgramData\\Microsoft\\Windows\\Hyper-V"), virtualMachines: vms, artifacts: artifacts,
            unreferenced: unreferenced, findings: [])
    }
}
