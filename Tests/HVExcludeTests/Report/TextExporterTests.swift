import Foundation
import Testing

@testable import HVXReport

@Suite("TextExporter")
struct TextExporterTests {
    @Test("without colour there is no escape byte; with colour there are SGR sequences")
    func colour() {
        let report = SampleReport.report()
        let plain = TextExporter.render(report, color: false)
        #expect(!plain.utf8.contains(0x1B))
        #expect(TextExporter.render(report) == plain)
        let coloured = TextExporter.render(report, color: true)
        #expect(coloured.contains("\u{1B}[31m"))
        #expect(coloured.contains("\u{1B}[0m"))
        // Stripping the sequences gives the plain text back.
        #expect(coloured.replacing(/\x{1B}\[[0-9;]*m/, with: "") == plain)
    }

    @Test(
        "the full report (--verbose): host, VMs, disks with chain status, exclusions with reasons, audit, unreferenced, warnings"
    )
    func sections() throws {
        let text = TextExporter.render(SampleReport.report(), color: false, width: 1000, verbose: true)
        for title in [
            "Host", "Virtual machines (1)", "Virtual disks (1)", "Exclusions (", "Defender audit (", "Unreferenced (1)",
            "Warnings (2)",
        ] {
            #expect(text.contains("\n" + title), "\(title)")
        }
        #expect(text.contains("Windows Server 2019 Datacenter (build 17763; rules for 2019)"))
        #expect(text.contains("built-in default"))
        #expect(
            text.contains("VM1  8A3F2C61-1111-2222-3333-444455556666  registered, exists, version 9.0, generation 2"))
        #expect(text.contains("C:\\VMs\\VM1\\Virtual Machines\\8A3F2C61-1111-2222-3333-444455556666.vmcx"))
        #expect(text.contains("(vhdx, differencing, 40 GiB)"))
        #expect(text.contains("C:\\Shared\\base.vhdx  verified"))
        #expect(text.contains("E:\\Gone\\root.vhdx  unresolved — no candidate exists"))
        #expect(text.contains("candidate C:\\Shared\\root.vhdx"))
        #expect(text.contains("not verified"))
        #expect(text.contains("why: Hyper-V data root") && text.contains("why: registration store data.vmcx"))
        #expect(text.contains("automatic Hyper-V exclusions: apply"))
        #expect(text.contains("typo") && text.contains("overBroad"))
        #expect(text.contains("C:\\Old\\orphan.vhdx"))
        #expect(text.contains("[error] C:\\VMs\\bad.vmcx: not a VMCX file"))
    }

    @Test("the summary's plan lines up: every path starts in the same column, every reason too")
    func alignment() throws {
        let text = TextExporter.render(SampleReport.report(), color: false)
        let lines = text.split(separator: "\n").map(String.init)
        let start = try #require(lines.firstIndex { $0.hasPrefix("Plan (") })
        let rows = Array(
            lines[(start + 1)...].prefix {
                $0.hasPrefix("  ") && !$0.hasPrefix("  processes") && !$0.hasPrefix("  pattern:")
            })
        #expect(rows.count == SampleReport.plan.paths.count + SampleReport.plan.extensions.count)
        let paths = SampleReport.plan.paths.map(\.path)
        let offsets = Set(
            rows.compactMap { row in
                paths.compactMap {
                    row.firstRange(of: $0).map { row.distance(from: row.startIndex, to: $0.lowerBound) }
                }.min()
            })
        #expect(offsets.count == 1, "\(rows)")
    }

    @Test("a report without host or audit says so")
    func bare() {
        var report = SampleReport.report(audit: false)
        report.host = nil
        let text = TextExporter.render(report, color: false)
        #expect(text.contains("Antivirus: unknown (no SYSTEM hive was read)"))
        #expect(text.contains("Defender audit: not done (no SOFTWARE hive was read)"))
        let full = TextExporter.render(report, color: false, verbose: true)
        #expect(full.contains("no registry hive was read"))
        #expect(full.contains("not done: no SOFTWARE hive was read"))
    }
}

extension TextExporterTests {
    @Test("a line break in a reason stays on its row; extensions print with one dot")
    func oneLinePerRow() {
        let text = TextExporter.render(SampleReport.report(), color: false, width: 1000, verbose: true)
        #expect(text.contains("base disk of VM1 second line"))
        #expect(!text.contains(".."))
        #expect(text.contains("    .avhdx"))
    }
}
