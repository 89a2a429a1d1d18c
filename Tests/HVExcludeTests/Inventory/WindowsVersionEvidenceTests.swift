import Foundation
import Testing

@testable import HVXBinary
@testable import HVXFormats
@testable import HVXInventory
@testable import HVXVolume

@Suite("Windows version from evidence")
struct WindowsVersionEvidenceTests {

    /// Writes a PE image with a version resource through scripts/make-pe.
    static func makePE(_ path: String, _ version: String) throws {
        let script = Fixtures.projectRoot.appendingPathComponent("scripts/make-pe").path
        let result = try runProcess(script, [path, version])
        guard result.status == 0 else { throw HiveTestError.script(result.stderr) }
    }

    @Test(
        "the version resource equals what pefile reads", .requires(.pip(module: "pefile", package: "pefile")),
        arguments: ["10.0.17763.1", "6.3.9600.20144", "10.0.26100.2894"])
    func peVersionMatchesPefile(version: String) throws {
        let folder = try TemporaryDirectory()
        let path = folder.path + "/ntoskrnl.exe"
        try Self.makePE(path, version)
        let theirs = try runProcess(
            "python3",
            [
                "-c",
                """
                import pefile, sys
                f = pefile.PE(sys.argv[1]).VS_FIXEDFILEINFO[0]
                print("%d.%d.%d.%d" % (f.FileVersionMS >> 16, f.FileVersionMS & 0xFFFF, f.FileVersionLS >> 16, f.FileVersionLS & 0xFFFF))
                """, path,
            ]
        ).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try PEFileVersion.read(path: path)?.description == theirs)
        #expect(theirs == version)
    }

    @Test("not a PE image, or cut short: a clear error")
    func notPE() throws {
        let folder = try TemporaryDirectory()
        let text = try folder.write(
            "a.exe", Array("hello, not a PE image at all".utf8) + [UInt8](repeating: 0, count: 100))
        #expect(throws: BinaryFormatError.self) { try PEFileVersion.read(path: text) }
        let short = try folder.write("b.exe", Array("MZ".utf8))
        #expect(throws: BinaryFormatError.self) { try PEFileVersion.read(path: short) }
    }

    @Test("creator strings and configuration versions name a release")
    func plainValues() {
        #expect(WindowsVersionEvidence.build(creator: "Microsoft Windows 10.0.20348.0") == 20348)
        #expect(WindowsVersionEvidence.build(creator: "qemu") == nil)
        #expect(WindowsVersionEvidence.generation(configurationVersion: 9 << 8) == .v2019)
        #expect(WindowsVersionEvidence.generation(configurationVersion: 5 << 8) == .v2012R2)
        #expect(WindowsVersionEvidence.generation(configurationVersion: 12 << 8) == .v2025)
        let disk = VirtualDisk(
            format: .vhdx, type: .dynamic, virtualSize: 1 << 30, blockSize: nil,
            creator: "Microsoft Windows 10.0.20348.0",
            identity: GUID("8BB57038-35FA-4306-97BA-41AE4CAF0141")!, parent: nil, warnings: [])
        let inferred = WindowsVersionEvidence.artifacts(records: [], disks: [disk])
        #expect(inferred?.generation == .v2022)
        #expect(inferred?.evidence.contains("VHDX creator \"Microsoft Windows 10.0.20348.0\"") == true)
    }

    @Test(
        "SOFTWARE that is not a machine hive: the kernel's file version decides, and the evidence says so",
        .requires(.sharedFixtures, .tool("python3")))
    func kernelWhenSoftwareIsNotAMachineHive() throws {
        let tree = try TemporaryDirectory()
        try Self.makePE(tree.path + "/ntoskrnl.exe", "10.0.17763.1")
        let kernel = try Data(contentsOf: URL(fileURLWithPath: tree.path + "/ntoskrnl.exe"))
        try tree.write("C/Windows/System32/ntoskrnl.exe", [UInt8](kernel))
        try tree.write(
            "C/Windows/System32/config/SOFTWARE",
            [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("regf/minimal.hive")))))
        let map = VolumeMap.drives(["C": tree.path + "/C"])
        let inventory = InventoryBuilder(map: map, jobs: 1).build(artifacts: [])
        let windows = try #require(inventory.facts?.windows)
        #expect(windows.generation == .v2019)
        #expect(windows.build == 17763)
        #expect(windows.exactBuild == false)
        let evidence = try #require(windows.evidence)
        #expect(evidence.hasPrefix("SOFTWARE is not a machine hive"))
        #expect(evidence.contains("ntoskrnl.exe file version 10.0.17763.1"))
    }

    @Test("SOFTWARE missing and nothing else to go by: unknown, with a warning, not a silent 2012 R2")
    func nothingToGoBy() throws {
        let tree = try TemporaryDirectory()
        try tree.write("C/Windows/System32/drivers/etc/hosts")
        let inventory = InventoryBuilder(map: VolumeMap.drives(["C": tree.path + "/C"]), jobs: 1).build(artifacts: [])
        #expect(inventory.facts?.windows == nil)
        #expect(
            inventory.findings.contains {
                $0.message.contains("SOFTWARE is missing") && $0.message.contains("it is unknown")
            })
    }
}
