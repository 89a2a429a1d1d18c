import Foundation
import Testing

@testable import HVXSession

/// The text report as a person reads it on a terminal: short, what to do first, every planned entry once, no line
/// wider than the terminal, colour only on a terminal and never with `NO_COLOR`.
@Suite struct TextReportTests {
    static func text(_ tree: String, _ extra: [String] = [], columns: Int = 120) throws -> String {
        // Relative roots, as in the README's first command (and the golden files).
        var arguments = ["scan", "TestTrees/\(tree)/C", "--quiet", "--format", "text"] + extra
        if FileManager.default.fileExists(atPath: CLI.testTree(tree + "/D")) {
            arguments += ["--drive", "D=TestTrees/\(tree)/D"]
        }
        let result = try CLI.run(
            arguments, environment: ["NO_COLOR": "1", "COLUMNS": String(columns)],
            currentDirectory: CLI.projectRoot.path)
        // ws2019-custom holds a Defender detection on D:\Db01.vhdx: its entry is held, and a scan exits 3.
        #expect(result.status == (tree == "ws2019-custom" ? 3 : 0), "\(result.stderr)")
        return result.stdout
    }

    static func lines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLast()
    }

    @Test func theSampleHostFitsInSixtyLinesAndSaysWhatToDoFirst() throws {
        let text = try Self.text("ws2019-custom")
        let lines = Self.lines(text)
        #expect(lines.count <= 60, "\(lines.count) lines")
        #expect(lines.allSatisfy { $0.count <= 120 })
        // What to do first: the diagnosis (wrapped, never cut), the antivirus, the counts.
        let joined = Self.lines(text.replacingOccurrences(of: "\n      ", with: ""))
        #expect(
            joined[0].hasPrefix("Diagnosis: Malware detected in D:\\Db01.vhdx")
                && joined[0].hasSuffix("last on 2024-05-03 21:47 UTC"))
        #expect(lines[1].hasPrefix("      "), "the diagnosis line wraps, it is not cut")
        #expect(joined[1].hasPrefix("Antivirus: ") && joined[2].hasPrefix("To do: "))
        #expect(joined[2].contains("6 exclusions to add, 5 configured entries to fix, 1 held"))
        // A checkpoint is not a VM: it is nested under its VM.
        let vms = try #require(lines.firstIndex { $0.hasPrefix("Virtual machines (") })
        #expect(
            lines[vms] == "Virtual machines (2 registered, 1 registered but missing, 1 not registered, 1 checkpoint)")
        let app01 = try #require(lines[vms...].firstIndex { $0.hasPrefix("  App01 ") })
        #expect(lines[app01 + 2].hasPrefix("    checkpoint  App01 - (5/2/2021 - 9:14:03 AM)"))
    }

    @Test func everyPlannedPathIsOneRowAndWarningsAreNotRepeated() throws {
        let text = try Self.text("ws2019-custom")
        let json = try CLI.json(
            try InProcess.outcome([
                "scan", CLI.testTree("ws2019-custom/C"), "--drive", "D=" + CLI.testTree("ws2019-custom/D"), "--quiet",
            ]).stdout)
        let planned = ((json["exclusions"] as? [String: Any])?["paths"] as? [[String: Any]] ?? []).compactMap {
            $0["path"] as? String
        }
        #expect(planned.count == 18)
        let rows = Self.lines(text).filter {
            $0.hasPrefix("  covered ") || $0.hasPrefix("  missing ") || $0.hasPrefix("  present ")
        }
        for path in planned {
            #expect(rows.count { $0.contains(" " + path + "  ") || $0.hasSuffix(" " + path) } == 1, "\(path)")
        }
        // Refusals are said once, in their own section, not again as warnings.
        #expect(
            text.components(separatedBy: "notes.xml is not a Hyper-V file").count - 1 == 2,
            "D:\\VMs\\App01 and its Virtual Machines folder")
        let warnings = Self.lines(text).drop { !$0.hasPrefix("Warnings (") }.dropFirst()
        #expect(warnings.count == 1, "the two messages about Gone01's configuration on one line: \(Array(warnings))")
    }

    @Test(arguments: [("ws2012r2-default", 80), ("ws2019-custom", 80), ("ws2019-custom", 100)])
    func noLineIsWiderThanTheTerminal(tree: String, columns: Int) throws {
        for extra in [[], ["--verbose"]] {
            let lines = Self.lines(try Self.text(tree, extra, columns: columns))
            let wide = lines.filter { $0.count > columns }
            #expect(wide.isEmpty, "\(tree) \(extra) at \(columns): \(wide.first ?? "")")
        }
    }

    @Test func theVerboseReportHasEveryReasonAndItsEvidence() throws {
        let text = try Self.text("ws2019-custom", ["--verbose"], columns: 400)
        #expect(
            text.contains(
                "        why: VM 'Db01' checkpoint disks Db01_<GUID>.avhdx (written beside Db01.vhdx at each checkpoint)"
            ))
        #expect(
            text.contains(
                "        evidence: lifecycle rule — a checkpoint's differencing disk is created in the folder of the disk it extends"
            ))
        #expect(text.contains("[info] D:\\VMs\\App01: not excluded as a folder"), "every warning")
    }

    @Test(.requires(.tool("script")))
    func colourOnlyOnATerminalAndNeverWithNoColor() throws {
        let command = "env -u NO_COLOR \(CLI.binary) scan \(CLI.testTree("ws2012r2-default/C")) --quiet --format text"
        let terminal = try CLI.runTool("script", ["-qec", command, "/dev/null"])
        #expect(terminal.stdout.contains("\u{1B}[1m"), "bold on a terminal")
        let noColor = try CLI.runTool(
            "script", ["-qec", command.replacing("env -u NO_COLOR", with: "env NO_COLOR=1"), "/dev/null"])
        #expect(!noColor.stdout.contains("\u{1B}["), "NO_COLOR")
        let piped = try CLI.run(["scan", CLI.testTree("ws2012r2-default/C"), "--quiet", "--format", "text"])
        #expect(!piped.stdout.contains("\u{1B}["), "not a terminal")
    }

    @Test(.requires(.tool("script")))
    func progressOnlyOnATerminalAndNeverWithQuiet() throws {
        let scan = "\(CLI.binary) scan \(CLI.testTree("ws2012r2-default/C")) --format json -o /dev/null"
        // On a terminal the progress line is cleared when the scan ends (it shows after 200 ms on longer scans).
        let terminal = try CLI.runTool("script", ["-qec", scan, "/dev/null"])
        #expect(terminal.stdout.contains("\r\u{1B}[K"))
        let quiet = try CLI.runTool("script", ["-qec", scan + " --quiet", "/dev/null"])
        #expect(!quiet.stdout.contains("\u{1B}[K"))
        let piped = try CLI.run(["scan", CLI.testTree("ws2012r2-default/C"), "--format", "json", "-o", "/dev/null"])
        #expect(!piped.stderr.contains("\u{1B}["), "not a terminal: no progress")
    }
}
