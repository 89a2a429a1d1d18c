import Foundation
import Testing
@testable import HVXExclusions
@testable import HVXReport

@Suite("ListExporter")
struct ListExporterTests {
    @Test("one entry per line with path:, ext: and process: prefixes, in plan order")
    func lines() {
        let text = ListExporter.render(SampleReport.report())
        let plan = SampleReport.plan
        let expected = plan.paths.map { "path:" + $0.path } + ["ext:.vhdx", "ext:.avhdx", "process:C:\\Windows\\System32\\vmms.exe"]
        // The reason's line break never reaches the list: it holds values only.
        #expect(text == expected.joined(separator: "\n") + "\n")
        // Real paths, never the %VAR% form another product may not expand.
        #expect(!text.contains("%"))
    }

    @Test("file servers' entries follow the host's, each a UNC path under its own prefix")
    func fileServers() {
        var report = SampleReport.report(audit: false)
        report.fileServers = SampleReport.fileServers
        let lines = ListExporter.render(report).split(separator: "\n").map(String.init)
        #expect(Array(lines.suffix(3)) == [
            "fileserver-path:\\\\fs01\\vms\\Web", "fileserver-path:\\\\fs01\\vms\\Golden\\base.vhdx", "fileserver-path:\\\\fs01\\db",
        ])
        // The host's entries are unchanged and come first.
        #expect(Array(lines.dropLast(3)) == ListExporter.render(SampleReport.report(audit: false)).split(separator: "\n").map(String.init))
        #expect(!lines.contains { $0.hasPrefix("path:\\\\fs01") })
    }

    @Test("an empty plan is empty output")
    func empty() {
        var report = SampleReport.report(audit: false)
        report.exclusions = ExclusionPlan()
        #expect(ListExporter.render(report) == "")
    }
}
