@testable import HVXExclusions
@testable import HVXInventory
@testable import HVXVolume

/// Building blocks for exclusion-policy inputs (``PolicyInput``), planned over an ``InMemoryVolume``.
enum PolicyFixture {
    static func path(_ text: String) -> WindowsPath { WindowsPath(text)! }
    static let evidence = Evidence(source: "test", detail: "test")

    /// A registered VM whose configuration sits in `<root>\Virtual Machines`, with the given disks and state.
    static func vm(
        _ name: String, id: String = "A0100000-1111-4222-8333-444455556666", root: String, disks: [String] = [],
        parents: [String] = [], isos: [String] = [], registered: Bool = true, exists: Bool = true,
        dataRootKey: Bool = false
    ) -> PolicyInput.VMInput {
        let config = "\(root)\\Virtual Machines\\\(id).vmcx"
        var paths = [
            PolicyInput.VMPath(
                path: path(root), role: .dataRoot, what: "data root", evidence: evidence, inferred: !dataRootKey),
            PolicyInput.VMPath(path: path(config), role: .configuration, what: "configuration", evidence: evidence),
            PolicyInput.VMPath(
                path: path("\(root)\\Virtual Machines\\\(id).vmgs"), role: .state, what: "guest state",
                evidence: evidence),
        ]
        paths += disks.map { PolicyInput.VMPath(path: path($0), role: .disk, what: "virtual disk", evidence: evidence) }
        paths += parents.map {
            PolicyInput.VMPath(path: path($0), role: .parentDisk, what: "parent disk", evidence: evidence)
        }
        paths += isos.map { PolicyInput.VMPath(path: path($0), role: .iso, what: "ISO", evidence: evidence) }
        return PolicyInput.VMInput(
            id: id, name: name, registered: registered, configurationFile: path(config), exists: exists, paths: paths)
    }

    /// The files such a VM has on disk.
    static func vmFiles(root: String, id: String = "A0100000-1111-4222-8333-444455556666") -> [String] {
        ["\(root)\\Virtual Machines\\\(id).vmcx", "\(root)\\Virtual Machines\\\(id).vmgs"]
    }

    static func plan(_ input: PolicyInput, _ volume: InMemoryVolume) -> ExclusionPlanner.Result {
        ExclusionPlanner(input: input, volume: volume).plan()
    }
}
