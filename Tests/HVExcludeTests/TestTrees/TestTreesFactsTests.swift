import Foundation
import Testing

@testable import HVXBinary
@testable import HVXFormats
@testable import HVXInventory
@testable import HVXVolume

/// The facts TestTrees/README.md states (the generator's inputs, vouched for by vhdiinfo, regfexport and
/// dissect in `make-testtrees --check`) as our own readers see them in the committed trees.
@Suite struct TestTreesFactsTests {
    static let root = Fixtures.projectRoot.appendingPathComponent("TestTrees")

    static func map(_ tree: String, drives: [Character]) -> VolumeMap {
        var roots: [Character: String] = [:]
        for drive in drives { roots[drive] = root.appendingPathComponent("\(tree)/\(drive)").path }
        return VolumeMap.drives(roots)
    }

    static func host(_ map: VolumeMap, _ windows: String) throws -> String {
        let path = try #require(WindowsPath(windows), "not a Windows path: \(windows)")
        return try #require(map.hostPath(for: path), "\(windows) does not resolve in the tree")
    }

    @Test func ws2019HostFactsRegistrationsAndChains() throws {
        let map = Self.map("ws2019-custom", drives: ["C", "D"])
        let software = try RegistryHive(path: try Self.host(map, "C:\\Windows\\System32\\config\\SOFTWARE"))
        let system = try RegistryHive(path: try Self.host(map, "C:\\Windows\\System32\\config\\SYSTEM"))
        let facts = HostFacts.read(software: software, system: system)
        #expect(facts.windows?.productName?.value == "Windows Server 2019 Datacenter")
        #expect(facts.windows?.build == 17763)
        #expect(facts.hyperVDefaults.virtualMachinePath?.raw == "D:\\Hyper-V")
        #expect(facts.hyperVDefaults.virtualHardDiskPath?.raw == "D:\\Hyper-V\\Virtual Hard Disks")
        #expect(facts.driveLetter(forVolume: try #require(GUID("5E0D4C3B-2A19-4F88-9E77-6D5C4B3A2910"))) == "D:")
        #expect(
            Set(facts.defender.preferences?.paths.map(\.value) ?? []) == [
                "D:\\VMs", "C:\\ProgramData\\ProgramData\\Microsoft\\Windows\\Hyper-V", "D:\\OldVMs", "C:\\",
            ])
        #expect(Set(facts.defender.preferences?.extensions.map(\.value) ?? []) == [".vhdx", ".xml"])
        #expect(facts.defender.preferences?.processes.map(\.value) == ["vmms.exe"])
        #expect(facts.defender.policies?.paths.map(\.value) == ["C:\\ProgramData\\Microsoft\\Windows\\Snapshots"])
        #expect(facts.defender.preferences?.disableAutoExclusions == nil)
        #expect(facts.defender.policies?.disableAutoExclusions == nil)
        #expect(facts.warnings.isEmpty, "\(facts.warnings)")

        let registrations = try VMRegistrations.read(
            path: try Self.host(map, "C:\\ProgramData\\Microsoft\\Windows\\Hyper-V\\data.vmcx"))
        let registered = Dictionary(
            uniqueKeysWithValues: registrations.virtualMachines.map {
                ($0.id.description, $0.configurationPath)
            })
        #expect(
            registered == [
                "A0100000-1111-4222-8333-444455556666":
                    "D:\\VMs\\App01\\Virtual Machines\\A0100000-1111-4222-8333-444455556666.vmcx",
                "DB010000-1111-4222-8333-444455556666":
                    "D:\\Hyper-V\\Virtual Machines\\DB010000-1111-4222-8333-444455556666.vmcx",
                "60E01000-1111-4222-8333-444455556666":
                    "D:\\VMs\\Gone01\\Virtual Machines\\60E01000-1111-4222-8333-444455556666.vmcx",
            ])
        #expect(
            WindowsPath(registered["60E01000-1111-4222-8333-444455556666"] ?? "").flatMap(map.hostPath(for:)) == nil,
            "Gone01's configuration must be missing")

        let app = try VMConfiguration.read(
            path: try Self.host(map, registered["A0100000-1111-4222-8333-444455556666"]!))
        #expect(app.name == "App01" && app.generation == 2 && app.configurationVersion == 2304)
        #expect(app.snapshots == ["5B7C9D1E-3F20-4A41-8B62-C7D8E9F0A1B2"])
        let appDisk = try #require(app.paths(.disk).first?.path)
        #expect(appDisk.contains("\\virtual hard disks\\"), "the deliberate lower-case folder name")
        let resolver = DiskChainResolver(
            map: map, volumeLetters: [try #require(GUID("5E0D4C3B-2A19-4F88-9E77-6D5C4B3A2910")): "D"])
        let chain = resolver.chain(hostPath: try Self.host(map, appDisk), windowsPath: WindowsPath(appDisk))
        #expect(chain.map(\.status) == [.start, .verified, .verified])
        #expect(chain.last?.path.lowercased() == "d:\\golden\\ws2019-base.vhdx")
        #expect(chain.allSatisfy { $0.disk?.warnings.isEmpty ?? false }, "\(chain.map { $0.disk?.warnings ?? [] })")

        let old = try VMConfiguration.read(
            path: try Self.host(map, "D:\\Old\\Virtual Machines\\0DD00000-1111-4222-8333-444455556666.vmcx"))
        #expect(old.name == "Old01" && !registered.keys.contains(old.id?.description ?? ""))
        for decoy in ["D:\\VMs\\App01\\Virtual Machines\\notes.xml", "C:\\Tools\\app.config.xml"] {
            let parsed = try? VMConfiguration.read(path: try Self.host(map, decoy))
            #expect(parsed?.id == nil, "\(decoy) must not read as a VM configuration")
        }
    }

    @Test func ws2012r2HostFactsConfigsAndChains() throws {
        let map = Self.map("ws2012r2-default", drives: ["C"])
        let software = try RegistryHive(path: try Self.host(map, "C:\\Windows\\System32\\config\\SOFTWARE"))
        let system = try RegistryHive(path: try Self.host(map, "C:\\Windows\\System32\\config\\SYSTEM"))
        let facts = HostFacts.read(software: software, system: system)
        #expect(facts.windows?.productName?.value == "Windows Server 2012 R2 Datacenter")
        #expect(facts.windows?.build == 9600)
        #expect(facts.hyperVDefaults.virtualMachinePath == nil && facts.hyperVDefaults.virtualHardDiskPath == nil)
        #expect(facts.defender.preferences == nil && facts.defender.policies == nil)
        #expect(facts.warnings.isEmpty, "\(facts.warnings)")

        let vms = "C:\\ProgramData\\Microsoft\\Windows\\Hyper-V\\Virtual Machines\\"
        let expected = [
            ("6A1C3B2E-0F4D-4E8B-9C21-3D5E7F901A11", "Web01", "Web01.vhdx"),
            ("0B9D6E3A-5C21-4F7E-8A14-2B6C8D0E4F22", "Sql01", "Sql01.vhd"),
        ]
        let resolver = DiskChainResolver(map: map)
        for (id, name, base) in expected {
            let config = try VMConfiguration.read(path: try Self.host(map, vms + id + ".xml"))
            #expect(config.name == name && config.id?.description == id && config.configurationVersion == 1280)
            let disk = try #require(config.paths(.disk).first?.path)
            let chain = resolver.chain(hostPath: try Self.host(map, disk), windowsPath: WindowsPath(disk))
            #expect(chain.map(\.status) == [.start, .verified], "\(name): \(chain.map(\.status))")
            #expect(chain.last?.path == "C:\\Users\\Public\\Documents\\Hyper-V\\Virtual Hard Disks\\" + base)
            #expect(chain.allSatisfy { $0.disk?.warnings.isEmpty ?? false }, "\(chain.map { $0.disk?.warnings ?? [] })")
        }
    }
}
