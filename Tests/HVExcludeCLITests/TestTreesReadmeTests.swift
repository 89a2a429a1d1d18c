import Foundation
import Testing

@testable import HVXSession

/// The audit lists in `TestTrees/README.md` are the real output: each fenced `text audit-planned TREE` and
/// `text audit-configured TREE` block equals what `hvexclude audit` reports for that tree, line for line.
@Suite struct TestTreesReadmeTests {
    static let readme: String =
        (try? String(contentsOf: CLI.projectRoot.appendingPathComponent("TestTrees/README.md"), encoding: .utf8)) ?? ""

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

    @Test(arguments: [
        ("ws2012r2-default", [] as [String]), ("ws2019-custom", ["--drive", "D=" + CLI.testTree("ws2019-custom/D")]),
    ])
    func auditListsMatchTheRealOutput(tree: String, drives: [String]) throws {
        let result = try InProcess.outcome(["audit", CLI.testTree(tree + "/C"), "--quiet"] + drives)
        #expect(result.verdict == .actionNeeded)
        let audit = try #require(try CLI.json(result.stdout)["audit"] as? [String: Any])
        let planned = (audit["planned"] as? [[String: Any]] ?? []).map { item in
            "\(item["status"] ?? "?") \(item["type"] ?? "?") \(item["value"] ?? "?")"
        }
        let documented = try #require(
            Self.block("audit-planned", tree), "TestTrees/README.md has no audit-planned block for \(tree)")
        #expect(documented.map(Self.normalised) == planned.map(Self.normalised))
        let configured = (audit["configured"] as? [[String: Any]] ?? []).map { item -> String in
            let findings = (item["findings"] as? [String] ?? []).joined(separator: ", ")
            return
                "\(item["origin"] ?? "?") \(item["type"] ?? "?") \(item["value"] ?? "?"): \(findings.isEmpty ? "ok" : findings)"
        }
        #expect((Self.block("audit-configured", tree) ?? []).map(Self.normalised) == configured.map(Self.normalised))
    }

    /// The `text diagnosis` block is the text output's first line; the `text held` block lists the held entries.
    @Test func diagnosisAndHeldEntriesMatchTheRealOutput() throws {
        let tree = CLI.testTree("ws2019-custom")
        // In-process the text has no colour and is 120 columns wide, as the binary's is without a terminal.
        let text = try InProcess.outcome([
            "scan", tree + "/C", "--drive", "D=" + tree + "/D", "--quiet", "--format", "text",
        ])
        #expect(text.verdict == .actionNeeded)
        let documented = try #require(Self.block("diagnosis", "ws2019-custom"))
        // The whole diagnosis summary (the text's first line, which wraps and leaves its coverage half to the
        // event-log lines below, begins with it).
        let json0 = try CLI.json(
            try InProcess.outcome(["scan", tree + "/C", "--drive", "D=" + tree + "/D", "--quiet"]).stdout)
        let summary = (json0["diagnosis"] as? [String: Any])?["summary"] as? String ?? ""
        #expect(documented == [summary])
        let first =
            text.stdout.replacingOccurrences(of: "\n      ", with: "").split(separator: "\n").first.map(String.init)
            ?? ""
        #expect(
            summary.hasPrefix(String(first.dropFirst("Diagnosis: ".count)))
                && first.hasPrefix("Diagnosis: Malware detected in D:\\Db01.vhdx"))
        let json = try InProcess.outcome(["scan", tree + "/C", "--drive", "D=" + tree + "/D", "--quiet"])
        let paths = try #require(
            (try CLI.json(json.stdout)["exclusions"] as? [String: Any])?["paths"] as? [[String: Any]])
        let held = paths.compactMap { entry -> String? in
            guard let hold = entry["hold"] as? [String: Any] else { return nil }
            let ids = (hold["events"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }.map(String.init)
            return
                "\(entry["path"] ?? "?"): \(hold["reason"] ?? "?") \(hold["threat"] ?? "?") \(ids.joined(separator: " "))"
        }
        #expect(Self.block("held", "ws2019-custom") == held)
    }
}
