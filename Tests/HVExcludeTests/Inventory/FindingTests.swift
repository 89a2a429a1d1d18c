import Foundation
import Testing

@testable import HVXBinary
@testable import HVXInventory
@testable import HVXReport
@testable import HVXVolume

/// A finding's typed location prints as the report's `path` did when it was a string, and the report's JSON of a
/// finding is what it was (path, message, severity: the code is not in the JSON).
struct FindingTests {
    @Test func locationsPrintAsThePathDid() throws {
        let vmcx = try #require(WindowsPath(#"C:\ProgramData\Microsoft\Windows\Hyper-V\data.vmcx"#))
        let cases: [(Finding.Location, String)] = [
            (.windows(vmcx), #"C:\ProgramData\Microsoft\Windows\Hyper-V\data.vmcx"#),
            (.hostPath("/mnt/image.vhdx"), "/mnt/image.vhdx"),
            (
                .registry(hive: #"C:\Windows\System32\config\SYSTEM"#, key: "Select"),
                #"C:\Windows\System32\config\SYSTEM"#
            ),
            (
                .eventLog(#"C:\Windows\System32\winevt\Logs\System.evtx"#, record: 7),
                #"C:\Windows\System32\winevt\Logs\System.evtx"#
            ),
            (.subject("registry"), "registry"),
            (.text("VMs\\a.vhdx"), "VMs\\a.vhdx"),
        ]
        for (location, printed) in cases {
            #expect(Finding(.hive, at: location, message: "m").path == printed)
        }
    }

    @Test func aReaderDiagnosticKeepsItsCodeAndItsMessage() throws {
        let diagnostic = Diagnostic(
            .regfSequencesDiffer, at: .offset(0), "regf base block at 0x0: sequence numbers differ; read on")
        let finding = Finding(.hive, at: .registry(hive: "SYSTEM", key: nil), diagnostic)
        #expect(finding.code == .regfSequencesDiffer)
        #expect(finding.message == diagnostic.message && finding.severity == .warning)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(ReportWarning(finding)), as: UTF8.self)
        #expect(
            json
                == #"{"message":"regf base block at 0x0: sequence numbers differ; read on","path":"SYSTEM","severity":"warning"}"#
        )
    }

    /// A chain's findings are at its first disk: the Windows path when the resolver knew it, else the host path; a
    /// link with no host path (a configuration's words) is text.
    @Test func chainFindingsAreAtTheDisksWindowsOrHostPath() {
        func unreadable(_ path: String, host: String?) -> [Finding] {
            InventoryBuilder.chainFindings([
                DiskChainLink(path: path, hostPath: host, exists: true, verified: false, status: .unreadable)
            ])
        }
        #expect(
            unreadable(#"D:\VMs\a.vhdx"#, host: "/mnt/d/VMs/a.vhdx").map(\.location) == [
                .windowsPath(#"D:\VMs\a.vhdx"#)
            ])
        #expect(
            unreadable("/mnt/d/VMs/a.vhdx", host: "/mnt/d/VMs/a.vhdx").map(\.location) == [
                .hostPath("/mnt/d/VMs/a.vhdx")
            ])
        #expect(unreadable("a.vhdx", host: nil).map(\.location) == [.text("a.vhdx")])
    }
}
