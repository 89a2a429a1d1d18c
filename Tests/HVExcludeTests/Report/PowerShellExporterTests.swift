import Foundation
import Testing
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
        var value = "", index = start + 1
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
            if Array(characters[index..<index + needle.count]) == needle, let literal = read(characters, at: index + needle.count) {
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
            "C:\\VMs\\O'Brien $x\\a b", "C:\\VMs\\tick`name", "C:\\VMs\\$(Remove-Item C:\\)", "C:\\VMs\\Bob\u{2019}s VM",
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

    @Test("the script adds each entry once, guarded by the Get-MpPreference lists")
    func script() throws {
        let report = SampleReport.report()
        let script = PowerShellExporter.render(report)
        let lines = script.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "#Requires -RunAsAdministrator")
        #expect(lines.count { $0.contains("Get-MpPreference") && !$0.hasPrefix("#") } == 1)
        // Header: host, scan time, tool version.
        #expect(script.contains("# Host: Windows Server 2019 Datacenter, build 17763"))
        #expect(script.contains("# Scanned: 2024-05-01T10:00:00Z"))
        #expect(script.contains("hvexclude \(ToolInfo.currentVersion)"))

        let addLines = lines.filter { $0.contains("Add-MpPreference") && !$0.hasPrefix("#") }
        let plan = SampleReport.plan
        #expect(addLines.count == plan.paths.count + plan.extensions.count + plan.processes.count)
        // Every value reads back exactly, and the guard tests the same value.
        let addedPaths = addLines.flatMap { SingleQuotedLiteral.arguments(of: "-ExclusionPath", in: $0) }
        #expect(addedPaths == plan.paths.map { $0.environmentPath ?? $0.path })
        for line in addLines where line.contains("-ExclusionPath") {
            let added = try #require(SingleQuotedLiteral.arguments(of: "-ExclusionPath", in: line).first)
            let guards = SingleQuotedLiteral.arguments(of: "$existingPaths -notcontains", in: line)
            #expect(guards.first == added, "\(line)")
            #expect(line.hasPrefix("if ($existingPaths -notcontains '"))
        }
        // The environment form is also compared in its expanded spelling.
        #expect(SingleQuotedLiteral.arguments(of: "$existingPaths -notcontains", in: addLines[0])
            == ["%ProgramData%\\Microsoft\\Windows\\Hyper-V", "C:\\ProgramData\\Microsoft\\Windows\\Hyper-V"])
        let extensions = addLines.flatMap { SingleQuotedLiteral.arguments(of: "-ExclusionExtension", in: $0) }
        #expect(extensions == [".vhdx", ".avhdx"])
        #expect(addLines.flatMap { SingleQuotedLiteral.arguments(of: "$existingExtensions -notcontains", in: $0) } == ["vhdx", "avhdx"])
        #expect(addLines.flatMap { SingleQuotedLiteral.arguments(of: "-ExclusionProcess", in: $0) } == ["C:\\Windows\\System32\\vmms.exe"])

        // Reasons are comments; a line break in a reason does not escape the comment.
        #expect(lines.contains("# Hyper-V data root"))
        #expect(lines.contains("# base disk of VM1 second line"))
        #expect(!lines.contains("second line"))
        // The unverified entry is included, and marked right above it.
        let unverified = try #require(lines.firstIndex { $0.contains("Add-MpPreference -ExclusionPath 'D:\\Hyper-V\\VM2'") })
        #expect(lines[unverified - 1].hasPrefix("# not verified"))
        // No line outside comments and quotes holds a bare $x or backtick from a path.
        for line in lines where !line.hasPrefix("#") {
            var stripped = line
            for literal in SingleQuotedLiteral.arguments(of: "-ExclusionPath", in: line) + SingleQuotedLiteral.arguments(of: "$existingPaths -notcontains", in: line) {
                stripped = stripped.replacing(PowerShellExporter.quote(literal), with: "''")
            }
            #expect(!stripped.contains("$x") && !stripped.contains("`"), "\(line)")
        }
    }

    @Test("without a hive the header says the host is unknown")
    func unknownHost() {
        var report = SampleReport.report(audit: false)
        report.host = nil
        #expect(PowerShellExporter.render(report).contains("# Host: unknown"))
    }
}
