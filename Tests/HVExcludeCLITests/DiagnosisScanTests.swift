import Foundation
import Testing

@testable import HVXSession
@testable import hvexclude

/// The scan of the sample host ws2019-custom reads the event logs scripts/make-testtrees put in
/// C:\Windows\System32\winevt\Logs and opens its text output with the diagnosis. The scans run in-process
/// (``InProcess``); runs of the binary check what it prints and exits for a held entry (scan and audit), and the
/// `events` command's exit codes.
@Suite struct DiagnosisScanTests {
    static func scan(_ format: String) throws -> ScanOutcome {
        let tree = CLI.testTree("ws2019-custom")
        return try InProcess.outcome([
            "scan", tree + "/C", "--drive", "D=" + tree + "/D", "--format", format, "--quiet",
        ])
    }

    @Test func findingsCarryVMFileTimesCountAndBothCoverageAnswers() throws {
        let result = try Self.scan("json")
        let report = try CLI.json(result.stdout)
        let diagnosis = try #require(report["diagnosis"] as? [String: Any])
        let logs = try #require(diagnosis["logs"] as? [[String: Any]])
        #expect(
            logs.compactMap { $0["channel"] as? String }.sorted() == [
                "Microsoft-Windows-Hyper-V-Config-Admin", "Microsoft-Windows-Hyper-V-VMMS-Admin",
                "Microsoft-Windows-Hyper-V-Worker-Admin", "Microsoft-Windows-Windows Defender/Operational",
            ])
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
        #expect(findings.filter { $0["kind"] as? String == "lock" }.count == 3)
    }

    @Test func theDetectionIsNotALockAndHoldsThePlannedEntry() throws {
        let result = try Self.scan("json")
        #expect(result.verdict == .actionNeeded, "\(result.shownWarnings)")
        let report = try CLI.json(result.stdout)
        let diagnosis = try #require(report["diagnosis"] as? [String: Any])
        let findings = try #require(diagnosis["findings"] as? [[String: Any]])
        let detection = try #require(findings.first { $0["kind"] as? String == "detection" })
        #expect(detection["file"] as? String == "D:\\Db01.vhdx")
        #expect(detection["vmName"] as? String == "Db01")
        #expect(detection["threat"] as? String == "Trojan:Win32/Wacatac.B!ml")
        #expect(detection["action"] as? String == "Not Applicable")
        #expect(detection["remediated"] as? Bool == false)
        #expect(detection["signatures"] as? [String] == ["defenderDetection"])
        #expect((detection["events"] as? [[String: Any]])?.map { $0["id"] as? Int } == [1116])
        // No lock finding names the detection's event.
        #expect(
            !findings.contains {
                $0["kind"] as? String == "lock"
                    && ($0["signatures"] as? [String])?.contains("defenderDetection") == true
            })
        let paths = try #require((report["exclusions"] as? [String: Any])?["paths"] as? [[String: Any]])
        let held = paths.filter { $0["hold"] != nil }
        #expect(held.compactMap { $0["path"] as? String } == ["D:\\Db01.vhdx"])
        let hold = try #require(held.first?["hold"] as? [String: Any])
        #expect(hold["reason"] as? String == "detection")
        #expect(hold["threat"] as? String == "Trojan:Win32/Wacatac.B!ml")
        let events = try #require(hold["events"] as? [[String: Any]])
        #expect(events.count == 1)
        #expect(events.first?["id"] as? Int == 1116)
        #expect(events.first?["file"] as? String == "D:\\Db01.vhdx")
        #expect(events.first?["time"] as? String == "2024-05-04T02:00:00.0000000Z")
    }

    @Test func acceptDetectionsKeepsTheHoldButNotTheExitCode() throws {
        let tree = CLI.testTree("ws2019-custom")
        let accepted = try CLI.run([
            "scan", tree + "/C", "--drive", "D=" + tree + "/D", "--format", "list", "--accept-detections",
        ])
        #expect(accepted.status == 0, "\(accepted.stderr)")
        #expect(accepted.stderr.contains("malware detected") && accepted.stderr.contains("D:\\Db01.vhdx"))
        let lines = accepted.stdout.split(separator: "\n").map(String.init)
        let index = try #require(lines.firstIndex(of: "file:D:\\Db01.vhdx"))
        #expect(lines[index - 1].hasPrefix("# held: malware detected in D:\\Db01.vhdx (Trojan:Win32/Wacatac.B!ml"))
        #expect(lines.filter { $0.hasPrefix("#") }.count == 1)
        let script = try InProcess.outcome([
            "scan", tree + "/C", "--drive", "D=" + tree + "/D", "--format", "powershell", "--quiet",
        ])
        #expect(script.verdict == .actionNeeded)
        let scriptLines = script.stdout.split(separator: "\n").map(String.init)
        // The script's plan row carries the threat; the script applies it only with -AcceptDetections.
        #expect(
            scriptLines.contains {
                $0.contains("Value = 'D:\\Db01.vhdx'") && $0.contains("Threat = 'Trojan:Win32/Wacatac.B!ml'")
            })
        // audit: missing exclusions are action needed on their own; accepting the detection leaves that exit code.
        // (The binary, as audit's one end-to-end run: the exit code and the audit's line on stderr.)
        let audit = try CLI.run(["audit", tree + "/C", "--drive", "D=" + tree + "/D", "--accept-detections"])
        #expect(audit.status == 3)
        #expect(audit.stderr.contains("planned exclusions missing"))
    }

    @Test func textOutputOpensWithTheDiagnosis() throws {
        let result = try Self.scan("text")
        // The summary's first lines wrap rather than lose their end (six spaces mark a continuation).
        let first =
            result.stdout.replacingOccurrences(of: "\n      ", with: "").split(separator: "\n").first.map(String.init)
            ?? ""
        // The detection first, then detections and locks counted apart.
        // (The coverage half, "not covered today by …", is in the event-log lines of the summary and in --verbose.)
        #expect(
            first
                == "Diagnosis: Malware detected in D:\\Db01.vhdx on 2024-05-04 02:00 UTC (Trojan:Win32/Wacatac.B!ml): investigate before excluding; 1 malware detection (1 Defender event); 2 VMs hit by file locks (4 events), last on 2024-05-03 21:47 UTC"
        )
        let verbose = try InProcess.outcome([
            "scan", CLI.testTree("ws2019-custom/C"), "--drive", "D=" + CLI.testTree("ws2019-custom/D"), "--quiet",
            "--format", "text", "--verbose",
        ])
        #expect(
            verbose.stdout.replacingOccurrences(of: "\n      ", with: "").contains(
                "not covered today by the configured exclusions: Db01, "))
    }

    @Test func eventsExitCodesAndIdLists() throws {
        let temporary = try TemporaryFolder()
        let folder = (path: temporary.path, url: URL(fileURLWithPath: temporary.path))
        let notALog = folder.url.appendingPathComponent("notes.evtx")
        try Data("not an event log".utf8).write(to: notALog)
        let log =
            CLI.testTree("ws2019-custom")
            + "/C/Windows/System32/winevt/Logs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx"
        let asFolder = try CLI.run(["events", folder.path])
        #expect(asFolder.status == 2)
        #expect(asFolder.stderr.contains("is a folder"))
        #expect(asFolder.stdout.isEmpty)
        #expect(try CLI.run(["events", notALog.path]).status == 2)
        #expect(try CLI.run(["events", folder.url.appendingPathComponent("missing.evtx").path]).status == 2)
        // A log with one damaged record: exit 1, the count on stderr, the other records on stdout.
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: log)))
        bytes[0x1000 + 512] = 0  // the first record's signature
        let damaged = folder.url.appendingPathComponent("damaged.evtx")
        try Data(bytes).write(to: damaged)
        let partial = try CLI.run(["events", damaged.path])
        #expect(partial.status == 1, "\(partial.stderr)")
        #expect(partial.stdout.split(separator: "\n").count == 41)
        #expect(partial.stderr.contains("41 records read, 1 skipped"))
        #expect(partial.stderr.contains("record at 0x1200") && partial.stderr.contains("bad signature"))
        // --id takes repeated values and commas.
        let spaced = try CLI.run(["events", log, "--id", "12010", "13002"])
        let commas = try CLI.run(["events", log, "--id", "12010,13002"])
        #expect(spaced.status == 0 && commas.status == 0)
        #expect(spaced.stdout == commas.stdout)
        let ids = Set(spaced.stdout.split(separator: "\n").compactMap { try? CLI.json(String($0))["eventId"] as? Int })
        #expect(ids == [12010, 13002])
        let bad = try CLI.run(["events", log, "--since", "yesterday"])
        #expect(bad.status == 64)
    }

    @Test func eventsCommandPrintsOneJSONObjectPerRecord() throws {
        let log =
            CLI.testTree("ws2019-custom")
            + "/C/Windows/System32/winevt/Logs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx"
        let all = try Self.events([log])
        #expect(!all.outcome.nothingRead && all.outcome.recordsSkipped == 0)
        let lines = all.stdout.split(separator: "\n")
        #expect(lines.count == 42)
        let picked = try Self.events([log, "--id", "12010", "--since", "2024-05-03"])
        let objects = try picked.stdout.split(separator: "\n").map { try CLI.json(String($0)) }
        #expect(objects.count == 1)
        #expect(objects.first?["eventId"] as? Int == 12010)
        #expect(objects.first?["time"] as? String == "2024-05-03T21:47:05.0000000Z")
        #expect((objects.first?["data"] as? [String: String])?["ErrorCode"] == "0x80070020")
        #expect(
            Array(objects.first?.keys.sorted() ?? []) == [
                "channel", "computer", "data", "eventId", "level", "provider", "recordId", "time",
            ])
    }

    /// `hvexclude events arguments…` in-process: the options parsed as the binary parses them, the log read by
    /// ``EventLogReading``, and the JSON Lines it would print.
    static func events(_ arguments: [String]) throws -> (outcome: EventLogReading.Outcome, stdout: String) {
        let options = try CommandLineOptions.parse(["events"] + arguments)
        let outcome = try EventLogReading.run(
            file: options.arguments[0], ids: Set(options.eventIds), since: options.since)
        var stdout = ""
        outcome.writeJSONLines { stdout += $0 }
        return (outcome, stdout)
    }

    @Test func eventsLinesQuoteJSON() {
        #expect(EventLogReading.quoted("a\"b\\c\r\n\t\u{1}é") == "\"a\\\"b\\\\c\\r\\n\\t\\u0001é\"")
    }

    @Test func eventsUsageMistakesNameTheFlag() throws {
        #expect(throws: UsageError.badEventId("70000")) {
            try CommandLineOptions.parse(["events", "x.evtx", "--id", "70000"])
        }
        #expect(throws: UsageError.badSince("yesterday")) {
            try CommandLineOptions.parse(["events", "x.evtx", "--since", "yesterday"])
        }
        #expect(throws: UsageError.argumentCount(.events, got: 2)) {
            try CommandLineOptions.parse(["events", "a.evtx", "b.evtx"])
        }
    }
}
