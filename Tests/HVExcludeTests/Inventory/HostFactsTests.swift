import Foundation
import Testing

@testable import HVXBinary
@testable import HVXFormats
@testable import HVXInventory

@Suite("HostFacts")
struct HostFactsTests {
    static func facts(_ folder: TemporaryDirectory, _ version: String) throws -> HostFacts {
        let software = try RegistryHive(path: folder.url.appendingPathComponent("\(version)/SOFTWARE").path)
        let system = try RegistryHive(path: folder.url.appendingPathComponent("\(version)/SYSTEM").path)
        let clusdbPath = folder.url.appendingPathComponent("\(version)/CLUSDB").path
        let clusdb = FileManager.default.fileExists(atPath: clusdbPath) ? try RegistryHive(path: clusdbPath) : nil
        return HostFacts.read(software: software, system: system, clusdb: clusdb)
    }

    @Test("facts from the generated hives of every version", .requires(Requirement.makeHives))
    func generated() throws {
        let (folder, _) = try makeStandardHives()
        let expected: [(String, HostFacts.WindowsGeneration, Int)] = [
            ("2012r2", .v2012R2, 9600), ("2016", .v2016, 14393), ("2019", .v2019, 17763),
            ("2022", .v2022, 20348), ("2025", .v2025, 26100),
        ]
        for (version, generation, build) in expected {
            let facts = try Self.facts(folder, version)
            #expect(facts.warnings.isEmpty, "\(version): \(facts.warnings)")
            let windows = try #require(facts.windows)
            #expect(windows.generation == generation)
            #expect(windows.build == build)
            #expect(windows.exactBuild)
            #expect(windows.isServer == true)
            #expect(
                windows.productName?.source
                    == .init(hive: "SOFTWARE", key: "Microsoft\\Windows NT\\CurrentVersion", value: "ProductName"))
            #expect(facts.folders.programData?.raw == "%SystemDrive%\\ProgramData")
            #expect(facts.folders.programData?.type == .expandString)
            #expect(facts.folders.programData?.expanded == "C:\\ProgramData")
            #expect(facts.folders.publicFolder?.expanded == "C:\\Users\\Public")
            let vmms = try #require(facts.services.first { $0.name == "vmms" })
            #expect(vmms.present == true && vmms.start == 2 && vmms.startType == "automatic")
            let vmcompute = try #require(facts.services.first { $0.name == "vmcompute" })
            #expect(vmcompute.present == (version != "2012r2"))
            let clussvc = try #require(facts.services.first { $0.name == "ClusSvc" })
            #expect(clussvc.present == (version == "2019"))
            #expect(facts.controlSet?.value == (version == "2022" ? "ControlSet002" : "ControlSet001"))
            #expect(vmms.source.key == "\(facts.controlSet?.value ?? "")\\Services\\vmms")
        }
    }

    @Test("Hyper-V defaults keep raw value and type, with an expanded form", .requires(Requirement.makeHives))
    func defaults() throws {
        let (folder, _) = try makeStandardHives()
        let old = try Self.facts(folder, "2012r2")
        #expect(old.hyperVDefaults.virtualMachinePath == nil)
        #expect(old.hyperVDefaults.virtualHardDiskPath == nil)
        let onD = try Self.facts(folder, "2019").hyperVDefaults
        #expect(onD.virtualMachinePath?.raw == "D:\\Hyper-V")
        #expect(onD.virtualMachinePath?.type == .string)
        #expect(onD.virtualMachinePath?.expanded == "D:\\Hyper-V")
        #expect(onD.virtualHardDiskPath?.source.value == "DefaultVirtualHardDiskPath")
        let expand = try Self.facts(folder, "2022").hyperVDefaults
        #expect(expand.virtualMachinePath?.raw == "%SystemDrive%\\VMs")
        #expect(expand.virtualMachinePath?.type == .expandString)
        #expect(expand.virtualMachinePath?.expanded == "C:\\VMs")
        #expect(expand.virtualHardDiskPath?.expanded == "C:\\VMs\\Disks")
        #expect(try Self.facts(folder, "2025").hyperVDefaults.virtualMachinePath?.raw == "E:\\Hyper-V\\")
    }

    @Test("Defender exclusions from preferences and policies", .requires(Requirement.makeHives))
    func defender() throws {
        let (folder, _) = try makeStandardHives()
        let defender = try Self.facts(folder, "2016").defender
        let preferences = try #require(defender.preferences)
        #expect(
            preferences.paths.map(\.value) == [
                "C:\\", "C:\\ProgramData\\ProgramData\\Microsoft\\Windows\\Hyper-V", "D:\\OldVMs",
                "C:\\ClusterStorage\\*\\Virtual Machines", "D:\\VMs\\Übung",
            ])
        #expect(preferences.extensions.map(\.value) == [".xml", ".vhdx", "*.avhdx"])
        #expect(preferences.processes.map(\.value) == ["vmms.exe", "%SystemRoot%\\System32\\vmwp.exe"])
        #expect(preferences.disableAutoExclusions?.value == 0)
        #expect(preferences.paths[0].source.key == "Microsoft\\Windows Defender\\Exclusions\\Paths")
        let policies = try #require(defender.policies)
        #expect(policies.paths.map(\.value).contains("C:\\ProgramData\\Microsoft\\Windows\\Snapshots"))
        #expect(policies.extensions.map(\.value) == [".vhd"])
        #expect(policies.disableAutoExclusions?.value == 1)
        #expect(policies.disableAutoExclusions?.source.key == "Policies\\Microsoft\\Windows Defender\\Exclusions")
    }

    @Test("MountedDevices: MBR and GPT forms, volume GUID to drive letter", .requires(Requirement.makeHives))
    func mountedDevices() throws {
        let (folder, _) = try makeStandardHives()
        let facts = try Self.facts(folder, "2019")
        let c = try #require(facts.mountedDevices.first { $0.driveLetter == "C:" })
        #expect(c.form == "mbr" && c.diskSignature == 0x1234_ABCD && c.partitionOffset == 1_048_576)
        let d = try #require(facts.mountedDevices.first { $0.driveLetter == "D:" })
        #expect(d.form == "gpt" && d.partitionGUID == GUID("6A1B2C3D-4E5F-4061-8273-849506172839"))
        #expect(facts.driveLetter(forVolume: try #require(GUID("0EBA351E-5634-46D6-A8CF-4DDC2D6AC0B9"))) == "C:")
        #expect(facts.driveLetter(forVolume: try #require(GUID("{8f5e2a10-1b2c-4d3e-9f40-a1b2c3d4e5f6}"))) == "D:")
        #expect(facts.driveLetter(forVolume: try #require(GUID("11111111-2222-3333-4444-555555555555"))) == nil)
        #expect(facts.mountedDevices.filter { $0.form == "other" }.count == 1)
    }

    @Test("cluster database: VM resources, private properties, CSV names", .requires(Requirement.makeHives))
    func cluster() throws {
        let (folder, _) = try makeStandardHives()
        let cluster = try #require(try Self.facts(folder, "2019").cluster)
        #expect(cluster.warnings.isEmpty)
        #expect(cluster.virtualMachineResources.map(\.type) == ["Virtual Machine", "Virtual Machine Configuration"])
        let configuration = cluster.virtualMachineResources[1]
        #expect(configuration.vmId == "3F1D2E4C-5B6A-4798-8A9B-0C1D2E3F4A5B")
        #expect(configuration.configStoreRootPath == "C:\\ClusterStorage\\Volume1\\VM1")
        #expect(configuration.vmStoreRootPath == "C:\\ClusterStorage\\Volume1\\VM1")
        #expect(configuration.source.key == "Resources\\{A1B2C3D4-0002-4000-8000-000000000002}")
        #expect(cluster.sharedVolumes == ["Volume1"])
        #expect(cluster.physicalDisks.map(\.value) == ["Cluster Disk 1"])
        #expect(try Self.facts(folder, "2016").cluster == nil)
    }

    @Test(
        "build numbers map to generations",
        arguments: [
            (6002, HostFacts.WindowsGeneration.v2008, true), (7601, .v2008R2, true), (9200, .v2012, true),
            (9600, .v2012R2, true),
            (10240, .v2016, false), (14393, .v2016, true), (16299, .v2016, false), (17763, .v2019, true),
            (19045, .v2019, false), (20348, .v2022, true), (22631, .v2022, false), (26100, .v2025, true),
            (27000, .v2025, false),
        ])
    func generations(build: Int, generation: HostFacts.WindowsGeneration, exact: Bool) {
        let match = HostFacts.WindowsGeneration.forBuild(build)
        #expect(match?.generation == generation)
        #expect(match?.exact == exact)
    }

    @Test("no hives: empty facts, no crash; corrupt hive: warnings")
    func missing() throws {
        let facts = HostFacts.read(software: nil, system: nil)
        #expect(facts.windows == nil && facts.services.isEmpty && facts.warnings.isEmpty)
        let damaged = try RegistryHive(bytes: RegistryHiveTests.damaged(.cellPastBin), name: "SOFTWARE")
        let broken = HostFacts.read(software: damaged, system: damaged, systemName: "SYSTEM")
        #expect(
            broken.warnings.contains {
                $0.hasPrefix("SOFTWARE: could not read") && $0.contains("runs past the end of its hbin")
            })
        #expect(broken.warnings.contains { $0.hasPrefix("SYSTEM: could not read") })
        let encoded = try JSONEncoder().encode(broken)
        // `errors` become scan warnings of severity error; they are not part of `host`.
        var expected = broken
        expected.errors = []
        #expect(try JSONDecoder().decode(HostFacts.self, from: encoded) == expected)
    }

    /// A measurement, not a gate (timings are not asserted in tests): with `HVX_BENCH=1` (`scripts/bench-hive.sh`)
    /// on a ~100 MiB hive; otherwise on a 2 MiB one, so the reading path is exercised on every run.
    @Test("reading facts from a large hive (~100 MiB with HVX_BENCH=1)", .requires(Requirement.makeHives))
    func largeHive() throws {
        let mebibytes = ProcessInfo.processInfo.environment["HVX_BENCH"] == "1" ? 100 : 2
        let folder = try TemporaryDirectory("bighive")
        let file = folder.url.appendingPathComponent("SOFTWARE").path
        let script = Fixtures.projectRoot.appendingPathComponent("scripts/make-hives").path
        let made = try runProcess("python3", [script, "--big", file, String(mebibytes)])
        try #require(made.status == 0, "\(made.stderr)")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int)
        #expect(size > mebibytes * 9 / 10 << 20)
        var best = Double.infinity
        var facts: HostFacts?
        for _ in 0..<3 {
            let start = DispatchTime.now().uptimeNanoseconds
            let hive = try RegistryHive(path: file)
            facts = HostFacts.read(software: hive, system: nil)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        print("HostFacts from a \(size >> 20) MiB SOFTWARE hive: best of 3 = \(String(format: "%.1f", best)) ms")
        #expect(facts?.windows?.generation == .v2019)
        #expect(facts?.hyperVDefaults.virtualMachinePath?.raw == "D:\\Hyper-V")
    }
}
