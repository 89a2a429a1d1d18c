import Foundation
import Testing

@testable import HVXExclusions
@testable import HVXReport

@Suite("ListExporter")
struct ListExporterTests {
    @Test(
        "one entry per line with folder:, file:, ext: and process: prefixes, in plan order; %VAR% forms only with --env-paths"
    )
    func lines() {
        let text = ListExporter.render(SampleReport.report())
        let plan = SampleReport.plan
        let expected =
            plan.paths.map { ($0.kind == .directory ? "folder:" : "file:") + ($0.environmentPath ?? $0.path) }
            + ["ext:.vhdx", "ext:.avhdx", "process:C:\\Windows\\System32\\vmms.exe"]
        // The reason's line break never reaches the list: it holds values only.
        #expect(text == expected.joined(separator: "\n") + "\n")
        #expect(text.hasPrefix("folder:%ProgramData%\\Microsoft\\Windows\\Hyper-V\n"), "the plan's --env-paths form")
        #expect(text.contains("\nfile:C:\\Shared\\base.vhdx\n"))
        var plain = SampleReport.report()
        plain.exclusions.paths[0].environmentPath = nil
        #expect(!ListExporter.render(plain).contains("%"), "without --env-paths, real paths only")
    }

    @Test("file servers' entries follow the host's, each a UNC path under its own prefix")
    func fileServers() {
        var report = SampleReport.report(audit: false)
        report.fileServers = SampleReport.fileServers
        let lines = ListExporter.render(report).split(separator: "\n").map(String.init)
        #expect(
            Array(lines.suffix(3)) == [
                "fileserver-path:\\\\fs01\\vms\\Web", "fileserver-path:\\\\fs01\\vms\\Golden\\base.vhdx",
                "fileserver-path:\\\\fs01\\db",
            ])
        // The host's entries are unchanged and come first.
        #expect(
            Array(lines.dropLast(3))
                == ListExporter.render(SampleReport.report(audit: false)).split(separator: "\n").map(String.init))
        #expect(!lines.contains { $0.hasPrefix("folder:\\\\fs01") })
    }

    @Test("an empty plan is empty output")
    func empty() {
        var report = SampleReport.report(audit: false)
        report.exclusions = ExclusionPlan()
        #expect(ListExporter.render(report) == "")
    }
}
