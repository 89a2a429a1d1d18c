import Foundation
import Testing

@testable import HVXExclusions
@testable import HVXFormats
@testable import HVXInventory
@testable import HVXReport
@testable import HVXVolume

@Suite("RegExporter")
struct RegExporterTests {
    static let key = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows Defender\\Exclusions"

    @Test("regedit 5.00 layout: list switches, then one dword 0 per item under Paths, Extensions, Processes")
    func layout() throws {
        let text = RegExporter.render(SampleReport.report())
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "Windows Registry Editor Version 5.00")
        #expect(lines[1] == "")
        let root = try #require(lines.firstIndex(of: "[\(Self.key)]"))
        #expect(
            Array(lines[(root + 1)...(root + 3)]) == [
                "\"Exclusions_Paths\"=dword:00000001", "\"Exclusions_Extensions\"=dword:00000001",
                "\"Exclusions_Processes\"=dword:00000001",
            ])
        let paths = try #require(lines.firstIndex(of: "[\(Self.key)\\Paths]"))
        #expect(lines.contains("\"%ProgramData%\\\\Microsoft\\\\Windows\\\\Hyper-V\"=dword:00000000"))
        #expect(lines.contains("\"C:\\\\VMs\\\\O'Brien $x\\\\a b\"=dword:00000000"))
        #expect(lines.contains("\"\\\\\\\\nas\\\\vms\\\\VM 3\"=dword:00000000"))
        #expect(lines.contains("[\(Self.key)\\Extensions]") && lines.contains("\".vhdx\"=dword:00000000"))
        #expect(
            lines.contains("[\(Self.key)\\Processes]")
                && lines.contains("\"C:\\\\Windows\\\\System32\\\\vmms.exe\"=dword:00000000"))
        #expect(lines[paths - 1] == "; D:\\Hyper-V\\VM2 was not verified on the scanned volumes")
        #expect(text.hasSuffix("\n\n"))
    }

    @Test("file servers are not keys: header comments say why and name each UNC path")
    func fileServers() throws {
        var report = SampleReport.report(audit: false)
        report.fileServers = SampleReport.fileServers
        let lines = RegExporter.render(report).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let root = try #require(lines.firstIndex(of: "[\(Self.key)]"))
        let header = Array(lines[..<root])
        #expect(
            header.contains {
                $0.hasPrefix("; Not in this file: the SMB file server fs01 holds VM files;")
                    && $0.hasSuffix("Add-HvxFileServerExclusions1)")
            })
        #expect(header.contains("; on fs01: \\\\fs01\\vms\\Web (folder)"))
        #expect(header.contains("; on fs01: \\\\fs01\\vms\\Golden\\base.vhdx (file)"))
        #expect(header.contains("; on fs01: \\\\fs01\\db (folder)"))
        // No value anywhere names the server, and no comment ends in a backslash (it would continue the line).
        #expect(!lines.contains { $0.hasPrefix("\"\\\\\\\\fs01") })
        #expect(!lines.contains { $0.hasPrefix(";") && $0.hasSuffix("\\") })
        // Without file servers the header has no such lines.
        #expect(!RegExporter.render(SampleReport.report(audit: false)).contains("file server"))
    }

    @Test("quoting escapes backslash and double quote only")
    func quoting() {
        #expect(RegExporter.quote("C:\\a\"b'c$d") == "\"C:\\\\a\\\"b'c$d\"")
    }

    @Test("bytes are UTF-16LE with a BOM and CRLF line ends")
    func bytes() throws {
        let report = SampleReport.report()
        let bytes = RegExporter.renderBytes(report)
        #expect(Array(bytes.prefix(2)) == [0xFF, 0xFE])
        #expect(bytes.count % 2 == 0)
        let decoded = try #require(String(data: Data(bytes.dropFirst(2)), encoding: .utf16LittleEndian))
        #expect(decoded == RegExporter.render(report).replacingOccurrences(of: "\n", with: "\r\n"))
        // The typographic quote survives as one UTF-16 unit.
        #expect(decoded.contains("Bob\u{2019}s VM"))
        #expect(!decoded.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
    }

    @Test(
        "hivexregedit merges the file into a hive with exactly the planned value names",
        .requires(.tool("python3"), .tool("hivexregedit")))
    func mergesIntoHive() throws {
        let folder = try TemporaryDirectory()
        let hivePath = folder.path + "/SOFTWARE"
        let made = try runProcess(
            "python3", [Fixtures.projectRoot.appendingPathComponent("scripts/make-hives").path, "--minimal", hivePath])
        try #require(made.status == 0, "make-hives --minimal: \(made.stderr)")
        // hivexregedit wants the local encoding (UTF-8, LF): convert the bytes regedit would read. The file
        // servers' comment lines must not disturb the import.
        var report = SampleReport.report()
        report.fileServers = SampleReport.fileServers
        let decoded = try #require(
            String(data: Data(RegExporter.renderBytes(report).dropFirst(2)), encoding: .utf16LittleEndian))
        let regPath = folder.path + "/exclusions.reg"
        // regedit creates missing parent keys; hivexregedit does not, so the test names them first.
        let parents = ["Policies", "Policies\\Microsoft", "Policies\\Microsoft\\Windows Defender"]
            .map { "[HKEY_LOCAL_MACHINE\\SOFTWARE\\\($0)]\n\n" }.joined()
        var text = decoded.replacingOccurrences(of: "\r\n", with: "\n")
        text = text.replacingOccurrences(
            of: "Windows Registry Editor Version 5.00\n\n", with: "Windows Registry Editor Version 5.00\n\n" + parents)
        try text.write(toFile: regPath, atomically: true, encoding: .utf8)
        let merge = try runProcess(
            "hivexregedit", ["--merge", "--prefix", "HKEY_LOCAL_MACHINE\\SOFTWARE", hivePath, regPath])
        #expect(merge.status == 0, "\(merge.stderr)")

        let hive = try RegistryHive(path: hivePath)
        let base = "Policies\\Microsoft\\Windows Defender\\Exclusions"
        func names(_ sub: String) throws -> [String] {
            let key = try #require(try hive.key(base + "\\" + sub))
            return try hive.values(of: key).map(\.name)
        }
        let plan = SampleReport.plan
        #expect(Set(try names("Paths")) == Set(plan.paths.map { $0.environmentPath ?? $0.path }))
        #expect(Set(try names("Extensions")) == [".vhdx", ".avhdx"])
        #expect(try names("Processes") == ["C:\\Windows\\System32\\vmms.exe"])
        let root = try #require(try hive.key(base))
        #expect(try hive.value("Exclusions_Paths", of: root)?.integerValue == 1)
        // And HostFacts reads them back as policy exclusions, so the audit sees them as present.
        let facts = HostFacts.read(software: hive, system: nil)
        let audit = DefenderAuditor.audit(plan: plan, facts: facts, map: VolumeMap.drives([:]), environment: .defaults)
        #expect(audit.missingCount == 0, "\(audit.planned.filter { $0.status == .missing })")
        #expect(audit.planned.allSatisfy { $0.status == .present && $0.matchedOrigin == .policy })
    }
}
