import Foundation
import Testing

/// The disks `scripts/make-disks` writes, built once per test run into a temporary folder.
enum GeneratedDisks {
    /// What make-disks produced, or why it could not run.
    struct Tree: @unchecked Sendable {
        let directory: TemporaryDirectory
        let manifest: [String: Any]
        var root: String { directory.path }
        func path(_ relative: String) -> String { root + "/" + relative }
        var disks: [[String: Any]] { manifest["disks"] as? [[String: Any]] ?? [] }
        var chains: [[String: Any]] { manifest["chains"] as? [[String: Any]] ?? [] }
    }

    /// Built on first use; make-disks also checks every good disk with vhdiinfo and fails when they disagree.
    static let tree: Result<Tree, Error> = Result {
        let directory = try TemporaryDirectory("hvx-disks")
        let script = Fixtures.projectRoot.appendingPathComponent("scripts/make-disks").path
        let result = try runProcess("python3", [script, directory.path])
        guard result.status == 0 else {
            throw MakeDisksError(message: "make-disks exited \(result.status): \(result.stderr)")
        }
        let data = try Data(contentsOf: directory.url.appendingPathComponent("manifest.json"))
        let manifest = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        return Tree(directory: directory, manifest: manifest)
    }

    struct MakeDisksError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// The tree, failing the test loudly when a tool it needs is missing.
    static func require() throws -> Tree {
        try #require(programAvailable("qemu-img"), "qemu-img (Debian qemu-utils) is needed to build test disks")
        try #require(programAvailable("vhdiinfo"), "vhdiinfo (Debian libvhdi-utils) is needed to check test disks")
        return try tree.get()
    }
}
