@testable import HVExclude

/// A scanned volume as a set of Windows paths, for planner tests that need no files: folders are implied by the
/// files below them; `scanned` lists the drives that were scanned.
struct MemoryVolume: VolumeView {
    var entries: [String: (path: WindowsPath, kind: EntryKind)] = [:]
    var scanned: Set<Character>

    init(scanned: Set<Character> = ["C", "D"], files: [String], folders: [String] = []) {
        self.scanned = scanned
        for text in files { add(WindowsPath(text)!, .file) }
        for text in folders { add(WindowsPath(text)!, .directory) }
    }

    mutating func add(_ path: WindowsPath, _ kind: EntryKind) {
        entries[path.key] = (path, kind)
        var parent = path.parent
        while let folder = parent, !folder.isRoot {
            if entries[folder.key] == nil { entries[folder.key] = (folder, .directory) }
            parent = folder.parent
        }
    }

    func isScanned(_ path: WindowsPath) -> Bool { path.driveLetter.map(scanned.contains) ?? false }

    func kind(of path: WindowsPath) -> EntryKind? {
        guard isScanned(path) else { return nil }
        if path.isRoot { return .directory }
        return entries[path.key]?.kind
    }

    func children(of folder: WindowsPath) -> [(path: WindowsPath, kind: EntryKind)]? {
        guard kind(of: folder) == .directory else { return nil }
        return entries.values.filter { $0.path.parent == folder }.map { ($0.path, $0.kind) }.sorted { $0.path < $1.path }
    }

    func spelling(of path: WindowsPath) -> WindowsPath { entries[path.key]?.path ?? path }
}

/// Building blocks for planner inputs.
enum PolicyFixture {
    static func path(_ text: String) -> WindowsPath { WindowsPath(text)! }
    static let evidence = Evidence(source: "test", detail: "test")

    /// A registered VM whose configuration sits in `<root>\Virtual Machines`, with the given disks and state.
    static func vm(
        _ name: String, id: String = "A0100000-1111-4222-8333-444455556666", root: String, disks: [String] = [],
        parents: [String] = [], isos: [String] = [], registered: Bool = true, exists: Bool = true, dataRootKey: Bool = false
    ) -> PolicyInput.VMInput {
        let config = "\(root)\\Virtual Machines\\\(id).vmcx"
        var paths = [
            PolicyInput.VMPath(path: path(root), role: .dataRoot, what: "data root", evidence: evidence, inferred: !dataRootKey),
            PolicyInput.VMPath(path: path(config), role: .configuration, what: "configuration", evidence: evidence),
            PolicyInput.VMPath(path: path("\(root)\\Virtual Machines\\\(id).vmgs"), role: .state, what: "guest state", evidence: evidence),
        ]
        paths += disks.map { PolicyInput.VMPath(path: path($0), role: .disk, what: "virtual disk", evidence: evidence) }
        paths += parents.map { PolicyInput.VMPath(path: path($0), role: .parentDisk, what: "parent disk", evidence: evidence) }
        paths += isos.map { PolicyInput.VMPath(path: path($0), role: .iso, what: "ISO", evidence: evidence) }
        return PolicyInput.VMInput(id: id, name: name, registered: registered, configurationFile: path(config), exists: exists, paths: paths)
    }

    /// The files such a VM has on disk.
    static func vmFiles(root: String, id: String = "A0100000-1111-4222-8333-444455556666") -> [String] {
        ["\(root)\\Virtual Machines\\\(id).vmcx", "\(root)\\Virtual Machines\\\(id).vmgs"]
    }

    static func plan(_ input: PolicyInput, _ volume: MemoryVolume) -> ExclusionPlanner.Result {
        ExclusionPlanner(input: input, volume: volume).plan()
    }
}
