import Foundation
import Testing

@testable import HVXBinary
@testable import HVXFormats
@testable import HVXInventory

@Suite struct VMConfigurationTests {
    @Test(.requires(.sharedFixtures))
    func generation1VMCX() throws {
        let vm = try VMConfiguration.read(path: Fixtures.path("vmcx/EC04F346-DB96-4700-AF5B-77B3C56C38BD.vmcx"))
        #expect(vm.format == .vmcx)
        #expect(vm.id == GUID("EC04F346-DB96-4700-AF5B-77B3C56C38BD"))
        #expect(vm.name == "Default Generation 1")
        #expect(vm.configurationVersion == 2304)
        #expect(vm.configurationVersionString == "9.0")
        #expect(vm.generation == 1)
        #expect(vm.paths(.disk).map(\.path) == [#"C:\Disks\Default Generation 1.vhdx"#])
        #expect(
            vm.paths(.disk).first?.keyPath
                == "configuration/_83f8638b-8dca-4152-9eda-2ca8b33039b4_/controller0/drive0/pathname")
        #expect(vm.drives.first { $0.path != nil }?.controllerKind == .ide)
        #expect(
            vm.guestStateFile?.path
                == #"C:\Hyper-V\EasyToFind\Virtual Machines\EC04F346-DB96-4700-AF5B-77B3C56C38BD.vmgs"#)
        #expect(vm.dataRoot == nil && vm.snapshotDataRoot == nil && vm.smartPagingDataRoot == nil)
        // Empty ISO/VFD drives name nothing; no other path hides in the tree.
        #expect(vm.drives.filter { $0.kind == .iso || $0.kind == .floppy }.allSatisfy { $0.path == nil })
        #expect(vm.paths.count == 2, "\(vm.paths)")
        #expect(vm.warnings.isEmpty)
    }

    @Test(.requires(.sharedFixtures))
    func otherLocationVMCX() throws {
        let vm = try VMConfiguration.read(path: Fixtures.path("vmcx/test.vmcx"))
        #expect(vm.id == GUID("282874FC-59D6-4F30-BC04-5FDD909C82E0"))
        #expect(vm.name == "Other Location")
        #expect(vm.configurationVersion == 2304)
        #expect(vm.generation == 1)
        #expect(
            vm.paths(.disk).map(\.path) == [
                #"C:\Users\Public\Documents\Hyper-V\Virtual Hard Disks\Other Location.vhdx"#
            ])
        #expect(
            vm.guestStateFile?.path
                == #"C:\Hyper-V\EasyToFind\Virtual Machines\282874FC-59D6-4F30-BC04-5FDD909C82E0.vmgs"#)
    }

    @Test(.requires(.sharedFixtures))
    func xml2012R2() throws {
        let vm = try VMConfiguration.read(path: Fixtures.path("xml/B90AC31B-C6F8-479F-9B91-07B894A6A3F6.xml"))
        #expect(vm.format == .xml)
        #expect(vm.id == GUID("B90AC31B-C6F8-479F-9B91-07B894A6A3F6"))
        #expect(vm.name == "Default Generation 1")
        #expect(vm.configurationVersion == 1280)
        #expect(vm.configurationVersionString == "5.0")
        #expect(vm.generation == 1)
        #expect(vm.paths.map(\.path) == [#"C:\Disks\Default Generation 1.vhdx"#])
        #expect(vm.paths.first?.role == .disk)
        let types = Set(vm.drives.compactMap(\.kind.typeText))
        #expect(types == ["VHD", "ISO", "VFD", "NONE"])
        #expect(vm.drives.filter { $0.path != nil }.count == 1)
    }

    @Test func synthesizedTreeCoversEveryRole() throws {
        func leaf(_ name: String, _ value: ConfigValue) -> ConfigNode { ConfigNode(name: name, value: value) }
        func node(_ name: String, _ children: [ConfigNode]) -> ConfigNode {
            ConfigNode(name: name, value: .node, children: children)
        }
        let scsi = "_AB12CD34-0000-4000-8000-000000000001_"
        let tree = ConfigTree(
            format: .vmcx,
            root: node(
                "",
                [
                    node(
                        "configuration",
                        [
                            node(
                                "properties",
                                [
                                    leaf("global_id", .string("11111111-2222-3333-4444-555555555555")),
                                    leaf("name", .string("g2")),
                                    leaf("version", .integer(0x0C00)), leaf("subtype", .integer(1)),
                                ]),
                            node(
                                "manifest",
                                [
                                    node(
                                        "vdev001",
                                        [
                                            leaf("device", .string("D422512D-2BF2-4752-809D-7B82B5FCB1B4")),
                                            leaf("instance", .string("ab12cd34-0000-4000-8000-000000000001")),
                                        ])
                                ]),
                            node(
                                scsi,
                                [
                                    node(
                                        "controller0",
                                        [
                                            node(
                                                "drive0",
                                                [
                                                    leaf("type", .string("VHD")),
                                                    leaf("pathname", .string(#"D:\VMs\g2\disk.avhdx"#)),
                                                ]),
                                            node(
                                                "drive1",
                                                [
                                                    leaf("type", .string("ISO")),
                                                    leaf("pathname", .string(#"\\server\share\os.iso"#)),
                                                ]),
                                            node(
                                                "drive2", [leaf("type", .string("VHD")), leaf("pathname", .string(""))]),
                                        ])
                                ]),
                            node(
                                "global_settings",
                                [
                                    leaf("data_root", .string(#"D:\VMs\g2"#)),
                                    node(
                                        "snapshots",
                                        [
                                            leaf("data_root", .string(#"E:\Snaps"#)),
                                            node(
                                                "list", [leaf("size", .integer(1)), leaf("snapshot0", .string("S-1"))]),
                                        ]),
                                    leaf("slp_data_root", .string(#"F:\Paging"#)),
                                ]),
                            node(
                                "savedstate",
                                [
                                    leaf("vsvlocation", .string(#"D:\VMs\g2\x.vsv"#)),
                                    leaf("memlocation", .string(#"D:\VMs\g2\x.bin"#)),
                                ]),
                            node(
                                "_917bd8cb-3bb6-4124-9383-b7d21ac07f79_",
                                [leaf("StateFilePath", .string(#"D:\VMs\g2\x.vmgs"#))]),
                            node(
                                "misc",
                                [
                                    leaf("note", .string(#"%SystemDrive%\odd\place"#)),
                                    leaf("relative", .string(#"0\0\L"#)),
                                ]),
                        ])
                ]))
        let vm = try VMConfiguration(tree: tree)
        #expect(vm.generation == 2)
        #expect(vm.configurationVersionString == "12.0")
        #expect(vm.drives.count == 3)
        #expect(vm.drives.allSatisfy { $0.controllerKind == .scsi })
        #expect(vm.paths(.disk).map(\.path) == [#"D:\VMs\g2\disk.avhdx"#])
        #expect(vm.paths(.iso).map(\.path) == [#"\\server\share\os.iso"#])
        #expect(vm.dataRoot?.path == #"D:\VMs\g2"#)
        #expect(vm.snapshotDataRoot?.path == #"E:\Snaps"#)
        #expect(vm.smartPagingDataRoot?.path == #"F:\Paging"#)
        #expect(vm.paths(.savedState).count == 2)
        #expect(vm.guestStateFile?.keyPath == "configuration/_917bd8cb-3bb6-4124-9383-b7d21ac07f79_/StateFilePath")
        #expect(vm.paths(.other).map(\.path) == [#"%SystemDrive%\odd\place"#])
        #expect(vm.snapshots == ["S-1"])
    }

    @Test func windowsPathDetection() {
        for yes in [#"C:\x"#, "c:/x", #"\\server\share"#, #"\\?\Volume{1}\x"#, #"%ProgramData%\Microsoft"#] {
            #expect(VMConfiguration.isWindowsPath(yes), "\(yes)")
        }
        for no in ["", "C:", "Virtual Machines", #"0\0\L"#, "{9acfcc0c-d25c-4bd1-b968-7bc4a42f1561}", "%%", #"\x"#] {
            #expect(!VMConfiguration.isWindowsPath(no), "\(no)")
        }
    }

    @Test(.requires(.sharedFixtures))
    func dataVMCXIsNotAVM() {
        #expect(throws: VMConfigXMLError.self) { _ = try VMConfiguration.read(path: Fixtures.path("vmcx/data.vmcx")) }
    }
}
