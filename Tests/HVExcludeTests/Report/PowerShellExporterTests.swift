import Foundation
import Testing

@testable import HVXExclusions
@testable import HVXReport

/// A reader of PowerShell single-quoted string literals written from the language specification
/// (PowerShell 3.0 spec §2.3.5.2: `verbatim-string-literal`), independent of the exporter: inside
/// `'…'` every character is literal except a single-quote-character (`'` U+2018 U+2019 U+201A U+201B),
/// which ends the string unless another single-quote-character follows, the pair standing for the second one.
enum SingleQuotedLiteral {
    static let quotes: Set<Character> = ["'", "\u{2018}", "\u{2019}", "\u{201A}", "\u{201B}"]

    /// Reads the literal starting at `text[start]`; returns its value and the index after its closing quote.
    static func read(_ text: [Character], at start: Int) -> (value: String, end: Int)? {
        guard start < text.count, quotes.contains(text[start]) else { return nil }
        var value = ""
        var index = start + 1
        while index < text.count {
            let character = text[index]
            if quotes.contains(character) {
                if index + 1 < text.count, quotes.contains(text[index + 1]) {
                    value.append(text[index + 1])
                    index += 2
                    continue
                }
                return (value, index + 1)
            }
            value.append(character)
            index += 1
        }
        return nil
    }

    /// Every literal following `marker ` in `line`.
    static func arguments(of marker: String, in line: String) -> [String] {
        let characters = Array(line)
        let needle = Array(marker + " ")
        var found: [String] = []
        var index = 0
        while index + needle.count <= characters.count {
            if Array(characters[index..<index + needle.count]) == needle,
                let literal = read(characters, at: index + needle.count)
            {
                found.append(literal.value)
                index = literal.end
            } else {
                index += 1
            }
        }
        return found
    }
}

@Suite("PowerShellExporter")
struct PowerShellExporterTests {
    @Test(
        "quoting round-trips through a spec reader and ends exactly at the closing quote",
        arguments: [
            "C:\\VMs\\O'Brien $x\\a b", "C:\\VMs\\tick`name", "C:\\VMs\\$(Remove-Item C:\\)",
            "C:\\VMs\\Bob\u{2019}s VM",
            "''", "'", "C:\\a\u{2018}b\u{201A}c\u{201B}d", "C:\\\"double\"", "C:\\VMs\\", "",
        ])
    func quoting(_ text: String) throws {
        let literal = PowerShellExporter.quote(text)
        let characters = Array(literal)
        let read = try #require(SingleQuotedLiteral.read(characters, at: 0))
        #expect(read.value == text)
        #expect(read.end == characters.count, "the literal must close at its last character: \(literal)")
    }

    @Test("quoting changes only single-quote characters")
    func quotingRules() {
        #expect(PowerShellExporter.quote("C:\\VMs\\O'Brien $x\\a b") == "'C:\\VMs\\O''Brien $x\\a b'")
        #expect(PowerShellExporter.quote("a`b$c\"d") == "'a`b$c\"d'")
        #expect(PowerShellExporter.quote("Bob\u{2019}s") == "'Bob\u{2019}\u{2019}s'")
    }

    @Test("the plan is one row per entry, every value a single-quoted literal, reasons as comments above")
    func script() throws {
        let report = SampleReport.report()
        let script = PowerShellExporter.render(report)
        let lines = script.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Header: host, scan time, tool version, the plan's identity; then CmdletBinding before param.
        #expect(script.contains("# Host: Windows Server 2019 Datacenter, build 17763"))
        #expect(script.contains("# Scanned: 2024-05-01T10:00:00Z"))
        #expect(script.contains("hvexclude \(ToolInfo.currentVersion)"))
        let identity = PlanIdentity.of(report.exclusions)
        #expect(lines.contains("$PlanId = '\(identity)'"))
        let binding = try #require(
            lines.firstIndex(of: "[CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]"))
        #expect(lines[binding + 1] == "param(")
        #expect(lines[..<binding].allSatisfy { $0.isEmpty || $0.hasPrefix("#") }, "only comments before CmdletBinding")

        let rows = lines.filter { $0.hasPrefix("    [pscustomobject]@{ Type = ") }
        let plan = SampleReport.plan
        #expect(rows.count == plan.paths.count + plan.extensions.count + plan.processes.count)
        // Every value reads back exactly through the spec reader; the environment form also names the expanded path.
        #expect(
            rows.flatMap { SingleQuotedLiteral.arguments(of: "Value =", in: $0) }
                == plan.paths.map { $0.environmentPath ?? $0.path } + [
                    ".vhdx", ".avhdx", "C:\\Windows\\System32\\vmms.exe",
                ])
        #expect(
            SingleQuotedLiteral.arguments(of: "Also =", in: rows[0]) == ["C:\\ProgramData\\Microsoft\\Windows\\Hyper-V"]
        )
        #expect(rows.allSatisfy { $0.contains("Threat = $null") }, "nothing is held")

        // Reasons are comments; a line break in a reason does not escape the comment.
        #expect(lines.contains("    # Hyper-V data root"))
        #expect(lines.contains("    # base disk of VM1 second line"))
        #expect(!lines.contains("second line"))
        // The unverified entry is included, and marked right above it.
        let unverified = try #require(lines.firstIndex { $0.contains("Value = 'D:\\Hyper-V\\VM2'") })
        #expect(lines[unverified - 1].hasPrefix("    # not verified"))
        #expect(lines[unverified].contains("Verified = $false"))
        // No line outside comments and quotes holds a bare $x or backtick from a path, and nothing is double-quoted.
        for line in lines where !line.drop(while: { $0 == " " }).hasPrefix("#") {
            var stripped = line
            for literal in SingleQuotedLiteral.arguments(of: "Value =", in: line)
                + SingleQuotedLiteral.arguments(of: "Also =", in: line)
            {
                stripped = stripped.replacing(PowerShellExporter.quote(literal), with: "''")
            }
            #expect(!stripped.contains("$x") && !stripped.contains("`"), "\(line)")
            #expect(!stripped.contains("\""), "\(line)")
        }
        // The audit's local findings become Remove-MpPreference lines, each behind ShouldProcess with its reason above.
        let removals = lines.filter { $0.contains("try { Remove-MpPreference") }
        #expect(
            removals.flatMap { SingleQuotedLiteral.arguments(of: "-ExclusionPath", in: $0) }
                == ["C:\\ProgramData\\ProgramData\\Microsoft\\Windows\\Hyper-V", "C:\\"])
        #expect(removals.flatMap { SingleQuotedLiteral.arguments(of: "-ExclusionExtension", in: $0) } == [".xml"])
    }

    @Test("the bytes are UTF-8 with a BOM and CRLF line ends, and decode back to the text")
    func bytes() throws {
        let report = SampleReport.report()
        let bytes = PowerShellExporter.renderBytes(report)
        #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]))
        let text = try #require(String(bytes: bytes.dropFirst(3), encoding: .utf8))
        #expect(text == PowerShellExporter.render(report).replacingOccurrences(of: "\n", with: "\r\n"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
    }

    @Test(
        "a held entry carries its threat, and the only branch that sees it without -AcceptDetections adds nothing",
        .requires(.powerShellGrammar))
    func heldEntry() throws {
        var report = SampleReport.report()
        let threat = "Trojan:Win32/Wacatac.B!ml"
        report.exclusions.paths[1].hold = EntryHold(
            reason: "detection", threat: threat,
            events: [
                HoldEvent(
                    id: 1116, time: "2024-05-01T09:00:00Z", file: report.exclusions.paths[1].path + "\\disk.vhdx",
                    action: nil)
            ])
        let held = try PowerShellTree.facts(PowerShellExporter.renderBytes(report))
        let clean = try PowerShellTree.facts(PowerShellExporter.renderBytes(SampleReport.report()))
        #expect(held.errors == 0 && clean.errors == 0)
        let rows = held.hashtables.filter { $0["Type"] == "Path" }
        #expect(rows.map { $0["Threat"] } == report.exclusions.paths.indices.map { $0 == 1 ? threat : "$null" })
        #expect(!clean.verbatim.contains(threat))
        // The apply loop: the first clause tests the threat and -AcceptDetections, and its branch changes nothing;
        // the add comes later in the same chain, behind ShouldProcess.
        let first = try #require(held.ifs.firstIndex { $0.conditionVariables.contains("$AcceptDetections") })
        #expect(
            held.ifs[first].conditionVariables.contains("$entry") && held.ifs[first].conditionMembers.contains("Threat")
        )
        #expect(!held.ifs[first].bodyCommands.contains { ["Invoke-HvxPreference", "Add-MpPreference"].contains($0) })
        #expect(held.ifs[first].bodyCommands.contains("Write-Warning"))
        let add = try #require(
            held.ifs.indices.first {
                $0 > first && held.ifs[$0].conditionMembers.contains("ShouldProcess")
                    && held.ifs[$0].bodyCommands.contains("Invoke-HvxPreference")
            })
        #expect(held.ifs[add].clause == "elseif", "the add is an elseif of the hold test")
        #expect(
            PowerShellExporter.render(report).contains(
                "# 1 entry is held by a Defender detection: not applied without -AcceptDetections."))
    }

    @Test("without a hive the header says the host is unknown")
    func unknownHost() {
        var report = SampleReport.report(audit: false)
        report.host = nil
        #expect(PowerShellExporter.render(report).contains("# Host: unknown"))
    }
}
