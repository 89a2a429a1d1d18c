import Foundation
import Testing

/// The committed sample hosts in `TestTrees/` are exactly what `scripts/make-testtrees` writes: the script is
/// run into a temporary folder (with `--check`, so vhdiinfo, qemu-img, regfexport, hivexsh and
/// dissect.hypervisor vouch for every disk, hive and configuration) and every file and symlink is compared
/// byte for byte with the committed copy.
@Suite struct TestTreesReproducibleTests {
    static let trees = ["ws2012r2-default", "ws2019-custom"]
    static let committed = Fixtures.projectRoot.appendingPathComponent("TestTrees")

    /// One entry of a tree: a regular file's bytes or a symlink's target text.
    enum Entry: Equatable {
        case file(Data)
        case symlink(String)
        case other(String)
    }

    /// Every file and symlink below `root` (links are not followed), keyed by the path relative to `root`.
    static func entries(_ root: URL) throws -> [String: Entry] {
        var out: [String: Entry] = [:]
        let manager = FileManager.default
        func walk(_ relative: String) throws {
            let folder = relative.isEmpty ? root.path : root.appendingPathComponent(relative).path
            for name in try manager.contentsOfDirectory(atPath: folder) {
                let child = relative.isEmpty ? name : relative + "/" + name
                let path = root.appendingPathComponent(child).path
                let type = try manager.attributesOfItem(atPath: path)[.type] as? FileAttributeType
                switch type {
                case .typeDirectory?: try walk(child)
                case .typeSymbolicLink?: out[child] = .symlink(try manager.destinationOfSymbolicLink(atPath: path))
                case .typeRegular?: out[child] = .file(try Data(contentsOf: URL(fileURLWithPath: path)))
                default: out[child] = .other(type.map { "\($0)" } ?? "unknown")
                }
            }
        }
        try walk("")
        return out
    }

    /// Where two byte strings first differ, for a message a person can act on.
    static func firstDifference(_ a: Data, _ b: Data) -> String {
        if a.count != b.count { return "size \(a.count) committed, \(b.count) generated" }
        let index = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? 0
        return "first difference at byte 0x\(String(index, radix: 16))"
    }

    /// make-testtrees writes with qemu-img and hivexsh and, with --check, reads back with vhdiinfo, regfexport,
    /// hivexsh and dissect.hypervisor; it needs nothing from ../shared.
    @Test(
        .requires(
            .tool("qemu-img"), .tool("hivexsh"), .tool("vhdiinfo"), .tool("regfexport"),
            .pip(module: "dissect.hypervisor", package: "dissect.hypervisor")))
    func regeneratingReproducesTheCommittedTreesByteForByte() throws {
        let dir = try TemporaryDirectory("testtrees")
        let script = Fixtures.projectRoot.appendingPathComponent("scripts/make-testtrees").path
        let made = try runProcess("python3", [script, "--check", dir.path])
        try #require(made.status == 0, "make-testtrees --check failed (\(made.status)):\n\(made.stderr)")

        for tree in Self.trees {
            let committed = try Self.entries(Self.committed.appendingPathComponent(tree))
            let generated = try Self.entries(dir.url.appendingPathComponent(tree))
            #expect(!committed.isEmpty, "TestTrees/\(tree) is missing or empty: run scripts/make-testtrees")
            for path in Set(committed.keys).subtracting(generated.keys).sorted() {
                Issue.record("TestTrees/\(tree)/\(path) is committed but scripts/make-testtrees does not write it")
            }
            for path in Set(generated.keys).subtracting(committed.keys).sorted() {
                Issue.record("TestTrees/\(tree)/\(path) is written by scripts/make-testtrees but not committed")
            }
            for (path, mine) in committed.sorted(by: { $0.key < $1.key }) {
                guard let theirs = generated[path], theirs != mine else { continue }
                switch (mine, theirs) {
                case (.file(let a), .file(let b)):
                    Issue.record(
                        "TestTrees/\(tree)/\(path) differs from the regenerated file: \(Self.firstDifference(a, b))")
                default:
                    Issue.record("TestTrees/\(tree)/\(path): committed \(mine), regenerated \(theirs)")
                }
            }
        }
    }

    @Test func committedTreesHoldOnlySmallFilesAndRelativeLinks() throws {
        for tree in Self.trees {
            let entries = try Self.entries(Self.committed.appendingPathComponent(tree))
            #expect(entries.count > 10, "TestTrees/\(tree) holds \(entries.count) entries")
            for (path, entry) in entries.sorted(by: { $0.key < $1.key }) {
                switch entry {
                case .file(let data):
                    #expect(data.count < 4 << 20, "TestTrees/\(tree)/\(path) is \(data.count) bytes, not below 4 MiB")
                    #expect(!data.isEmpty, "TestTrees/\(tree)/\(path) is empty: stand-ins must hold a few bytes")
                case .symlink(let target):
                    #expect(!target.hasPrefix("/"), "TestTrees/\(tree)/\(path) links to an absolute path \(target)")
                case .other(let kind):
                    Issue.record("TestTrees/\(tree)/\(path) is a \(kind), not a file or symlink")
                }
            }
        }
    }
}
