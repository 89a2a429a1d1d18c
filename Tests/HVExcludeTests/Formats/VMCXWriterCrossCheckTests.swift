import Foundation
import Testing

@testable import HVXBinary
@testable import HVXFormats
@testable import HVXInventory

/// Runs our own writer (scripts/make-vmcx) and checks every file with dissect.hypervisor (an independent
/// reader) and with our reader, and our interpretation against the facts the writer was given.
@Suite struct VMCXWriterCrossCheckTests {
    struct Expected: Decodable {
        var name: String?
        var id: String?
        var version: Int?
        var generation: Int?
        var disks: [String]?
        var isos: [String]?
        var stateFile: String?
        var dataRoot: String?
        var snapshotDataRoot: String?
        var smartPagingDataRoot: String?
        var notesLength: Int?
        var registrations: [String: String]?
        var deleted: [String]?
    }

    static func flatten(_ tree: ConfigTree) -> [String: String] {
        var out: [String: String] = [:]
        for top in tree.root.children {
            top.forEach(path: top.name) { path, node in
                switch node.value {
                case .node: out[path] = "node"
                case .integer(let n): out[path] = "int:\(n)"
                case .unsigned(let n): out[path] = "int:\(n)"
                case .double(let d): out[path] = "float:\(d)"
                case .bool(let b): out[path] = b ? "bool:True" : "bool:False"
                case .string(let s): out[path] = "str:\(s)"
                case .bytes(let bytes): out[path] = "bytes:" + bytes.map { String(format: "%02x", $0) }.joined()
                }
            }
        }
        return out
    }

    @Test(.requires(.pip(module: "dissect.hypervisor", package: "dissect.hypervisor")))
    func writerOutputReadsTheSameInDissectAndOurReader() throws {
        let dir = try TemporaryDirectory("make-vmcx")
        let script = Fixtures.projectRoot.appendingPathComponent("scripts/make-vmcx").path
        let made = try runProcess("python3", [script, "demo", dir.path])
        try #require(made.status == 0, "make-vmcx failed: \(made.stderr)")
        let manifest = try JSONDecoder().decode(
            [String: Expected].self, from: Data(contentsOf: dir.url.appendingPathComponent("manifest.json")))
        let dumper = Fixtures.projectRoot.appendingPathComponent("scripts/lib/vmcx_dissect_dump.py").path
        var checked = 0
        for (file, expected) in manifest.sorted(by: { $0.key < $1.key }) {
            let path = dir.url.appendingPathComponent(file).path
            let tree = try ConfigTree.read(path: path)
            if file.hasSuffix(".vmcx") {
                let dump = try runProcess("python3", [dumper, path])
                try #require(dump.status == 0, "dissect could not read \(file): \(dump.stderr)")
                let theirs = try JSONDecoder().decode([String: String].self, from: Data(dump.stdout.utf8))
                let ours = Self.flatten(tree)
                #expect(ours.count == theirs.count, "\(file): \(ours.count) keys, dissect \(theirs.count)")
                for (key, value) in theirs where ours[key] != value {
                    Issue.record("\(file) \(key): ours \(ours[key] ?? "missing"), dissect \(value)")
                }
                checked += 1
            }
            if let registrations = expected.registrations {
                let read = try VMRegistrations(tree: tree)
                #expect(
                    Dictionary(
                        uniqueKeysWithValues: read.virtualMachines.map { ($0.id.description, $0.configurationPath) })
                        == registrations)
                #expect(read.cache.count == registrations.count)
                // The deleted registrations are really in the file (as stale UTF-16 strings) and never reported.
                let raw = try Data(contentsOf: URL(fileURLWithPath: path))
                for id in expected.deleted ?? [] {
                    #expect(
                        raw.range(of: Data(UTF16Text.encode(id, .little))) != nil,
                        "\(file): stale copy of \(id) missing")
                    #expect(
                        !read.virtualMachines.contains { $0.id == GUID(id) }
                            && !read.cache.contains { $0.id == GUID(id) })
                }
                if file.contains("truncated") {
                    #expect(read.warnings.codes == [.vmcxReplayLogPastEnd], "\(read.warnings)")
                } else {
                    #expect(read.warnings.isEmpty, "\(read.warnings)")
                }
                continue
            }
            let vm = try VMConfiguration(tree: tree)
            #expect(vm.warnings.isEmpty, "\(file): \(vm.warnings)")
            #expect(vm.name == expected.name)
            #expect(vm.id == expected.id.flatMap { GUID($0) })
            #expect(vm.configurationVersion == expected.version)
            #expect(vm.generation == expected.generation)
            #expect(vm.paths(.disk).map(\.path) == expected.disks ?? [])
            #expect(vm.paths(.iso).map(\.path) == expected.isos ?? [])
            #expect(vm.guestStateFile?.path == expected.stateFile)
            #expect(vm.dataRoot?.path == expected.dataRoot)
            #expect(vm.snapshotDataRoot?.path == expected.snapshotDataRoot)
            #expect(vm.smartPagingDataRoot?.path == expected.smartPagingDataRoot)
            #expect(tree.string(at: "configuration/properties/notes")?.count == expected.notesLength)
            if expected.generation == 2 {
                #expect(vm.drives.filter { $0.path != nil }.allSatisfy { $0.controllerKind == .scsi })
            }
        }
        #expect(checked == 4)
    }

    @Test(.requires(.pip(module: "dissect.hypervisor", package: "dissect.hypervisor")))
    func longValuesLiveInFileObjects() throws {
        let dir = try TemporaryDirectory("make-vmcx")
        let script = Fixtures.projectRoot.appendingPathComponent("scripts/make-vmcx").path
        let out = dir.url.appendingPathComponent("long.vmcx").path
        let notes = String(repeating: "x", count: 3000)
        let made = try runProcess(
            "python3",
            [script, "vm", out, "--name", "L", "--id", "44444444-AAAA-4BBB-8CCC-000000000004", "--notes", notes])
        try #require(made.status == 0, "\(made.stderr)")
        let file = try VMCXFile.read(path: out)
        #expect(file.objectTable.entries.contains { $0.allocated && $0.type == .file })
        #expect(file.tree.string(at: "configuration/properties/notes") == notes)
        #expect(file.warnings.isEmpty)
    }
}
