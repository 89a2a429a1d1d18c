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
        // A static lives until the process ends, when no deinit runs: the folder is removed at exit instead.
        let directory = try TemporaryDirectory("hvx-disks", removeAtExit: true)
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

    /// The tree; a test that calls this declares `.requires(Requirement.makeDisks)`.
    static func require() throws -> Tree {
        try tree.get()
    }
}
