import Foundation
import Testing

/// The audit lists in `TestTrees/README.md` are the real output: each fenced `text audit-planned TREE` and
/// `text audit-configured TREE` block equals what `hvexclude audit` reports for that tree, line for line.
@Suite struct TestTreesReadmeTests {
    static let readme: String = (try? String(contentsOf: CLI.projectRoot.appendingPathComponent("TestTrees/README.md"), encoding: .utf8)) ?? ""

    /// The lines of the fenced block whose info string is `text <kind> <tree>`, or nil when there is none.
    static func block(_ kind: String, _ tree: String) -> [String]? {
        let opening = "```text \(kind) \(tree)\n"
        guard let start = readme.range(of: opening) else { return nil }
        guard let end = readme.range(of: "```", range: start.upperBound..<readme.endIndex) else { return nil }
        return readme[start.upperBound..<end.lowerBound].split(separator: "\n").map { String($0) }
    }

    static func normalised(_ line: String) -> String {
        line.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    @Test(arguments: [("ws2012r2-default", [] as [String]), ("ws2019-custom", ["--drive", "D=" + CLI.testTree("ws2019-custom/D")])])
    func auditListsMatchTheRealOutput(tree: String, drives: [String]) throws {
        let result = try CLI.run(["audit", CLI.testTree(tree + "/C"), "--quiet"] + drives)
        #expect(result.status == 3)
        let audit = try #require(try CLI.json(result.stdout)["audit"] as? [String: Any])
        let planned = (audit["planned"] as? [[String: Any]] ?? []).map { item in
            "\(item["status"] ?? "?") \(item["type"] ?? "?") \(item["value"] ?? "?")"
        }
        let documented = try #require(Self.block("audit-planned", tree), "TestTrees/README.md has no audit-planned block for \(tree)")
        #expect(documented.map(Self.normalised) == planned.map(Self.normalised))
        let configured = (audit["configured"] as? [[String: Any]] ?? []).map { item -> String in
            let findings = (item["findings"] as? [String] ?? []).joined(separator: ", ")
            return "\(item["origin"] ?? "?") \(item["type"] ?? "?") \(item["value"] ?? "?"): \(findings.isEmpty ? "ok" : findings)"
        }
        #expect((Self.block("audit-configured", tree) ?? []).map(Self.normalised) == configured.map(Self.normalised))
    }
}
