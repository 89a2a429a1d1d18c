import Foundation
import Testing
@testable import hvexclude

/// The scan of the sample host ws2019-custom reads the event logs scripts/make-testtrees put in
/// C:\Windows\System32\winevt\Logs and opens its text output with the diagnosis.
@Suite struct DiagnosisScanTests {
    static func scan(_ format: String) throws -> CLI.Result {
        let tree = CLI.testTree("ws2019-custom")
        return try CLI.run(["scan", tree + "/C", "--drive", "D=" + tree + "/D", "--format", format, "--quiet"])
    }

    @Test func findingsCarryVMFileTimesCountAndBothCoverageAnswers() throws {
        let result = try Self.scan("json")
        let report = try CLI.json(result.stdout)
        let diagnosis = try #require(report["diagnosis"] as? [String: Any])
        let logs = try #require(diagnosis["logs"] as? [[String: Any]])
        #expect(logs.compactMap { $0["channel"] as? String }.sorted() == [
            "Microsoft-Windows-Hyper-V-Config-Admin", "Microsoft-Windows-Hyper-V-VMMS-Admin",
            "Microsoft-Windows-Hyper-V-Worker-Admin", "Microsoft-Windows-Windows Defender/Operational"])
        let findings = try #require(diagnosis["findings"] as? [[String: Any]])
        #expect(findings.count == 4)
        // Db01's guest state file: held twice; today's configured exclusions miss it, the plan covers it.
        let vmgs = try #require(findings.first { ($0["file"] as? String)?.hasSuffix(".vmgs") == true })
        #expect(vmgs["vm"] as? String == "DB010000-1111-4222-8333-444455556666")
        #expect(vmgs["vmName"] as? String == "Db01")
        #expect(vmgs["file"] as? String == "D:\\Hyper-V\\Virtual Machines\\DB010000-1111-4222-8333-444455556666.vmgs")
        #expect(vmgs["count"] as? Int == 2)
        #expect(vmgs["firstTime"] as? String == "2024-05-02T06:12:41.0000000Z")
        #expect(vmgs["lastTime"] as? String == "2024-05-03T21:47:05.0000000Z")
        #expect(vmgs["signatures"] as? [String] == ["userMappedFile", "sharingViolation"])
        #expect(vmgs["coveredByPlan"] as? Bool == true)
        #expect(vmgs["coveredByConfigured"] as? Bool == false)
        #expect(vmgs["plannedEntries"] as? [String] == ["D:\\Hyper-V"])
        // App01's configuration lies under the configured D:\VMs.
        let app = try #require(findings.first { $0["vmName"] as? String == "App01" })
        #expect(app["signatures"] as? [String] == ["configurationInaccessible"])
        #expect(app["coveredByConfigured"] as? Bool == true)
        #expect(app["plannedEntries"] as? [String] == [])
        let changes = try #require(diagnosis["exclusionChanges"] as? [[String: Any]])
        #expect(changes.count == 1)
    }

    @Test func textOutputOpensWithTheDiagnosis() throws {
        let result = try Self.scan("text")
        // The summary's first lines wrap rather than lose their end (six spaces mark a continuation).
        let first = result.stdout.replacingOccurrences(of: "\n      ", with: "").split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.hasPrefix("Diagnosis: 2 VMs hit by file locks (5 events), last on 2024-05-04 02:00 UTC; not covered today by the configured exclusions: "))
        #expect(first.hasSuffix("— the plan covers them with D:\\Hyper-V"))
    }

    @Test func eventsCommandPrintsOneJSONObjectPerRecord() throws {
        let log = CLI.testTree("ws2019-custom") + "/C/Windows/System32/winevt/Logs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx"
        let all = try CLI.run(["events", log])
        #expect(all.status == 0)
        let lines = all.stdout.split(separator: "\n")
        #expect(lines.count == 42)
        let picked = try CLI.run(["events", log, "--id", "12010", "--since", "2024-05-03"])
        let objects = try picked.stdout.split(separator: "\n").map { try CLI.json(String($0)) }
        #expect(objects.count == 1)
        #expect(objects.first?["eventId"] as? Int == 12010)
        #expect(objects.first?["time"] as? String == "2024-05-03T21:47:05.0000000Z")
        #expect((objects.first?["data"] as? [String: String])?["ErrorCode"] == "0x80070020")
        #expect(Array(objects.first?.keys.sorted() ?? []) == ["channel", "computer", "data", "eventId", "level", "provider", "recordId", "time"])
        let bad = try CLI.run(["events", log, "--since", "yesterday"])
        #expect(bad.status == 64)
    }

    @Test func eventsLinesQuoteJSON() {
        #expect(EventsCommand.quoted("a\"b\\c\r\n\t\u{1}é") == "\"a\\\"b\\\\c\\r\\n\\t\\u0001é\"")
    }

    @Test func eventsUsageMistakesNameTheFlag() throws {
        #expect(throws: UsageError.badEventId("70000")) { try CommandLineOptions.parse(["events", "x.evtx", "--id", "70000"]) }
        #expect(throws: UsageError.badSince("yesterday")) { try CommandLineOptions.parse(["events", "x.evtx", "--since", "yesterday"]) }
        #expect(throws: UsageError.argumentCount(.events, got: 2)) { try CommandLineOptions.parse(["events", "a.evtx", "b.evtx"]) }
    }
}
