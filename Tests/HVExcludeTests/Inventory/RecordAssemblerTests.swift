import Testing

@testable import HVXBinary
@testable import HVXFormats
@testable import HVXInventory
@testable import HVXVolume

/// Record assembly on plain values: configurations built as key trees in Swift, an in-memory volume.
@Suite("RecordAssembler on an in-memory volume")
struct RecordAssemblerTests {
    typealias F = ModelFixture

    static let id = "AAAAAAAA-0000-0000-0000-000000000001"
    static let volume = InMemoryVolume(
        drives: ["C", "D"],
        files: [
            "D:\\Hyper-V\\Virtual Machines\\\(id).vmcx", "D:\\Hyper-V\\Virtual Machines\\\(id).VMRS",
            "D:\\Disks\\Web.vhdx", "D:\\ISO\\setup.iso",
        ])

    static func leaf(_ name: String, _ value: ConfigValue) -> ConfigNode { ConfigNode(name: name, value: value) }
    static func node(_ name: String, _ children: [ConfigNode]) -> ConfigNode {
        ConfigNode(name: name, value: .node, children: children)
    }

    /// A generation 2 VM with one SCSI disk, one DVD, a guest state file and a drive of another type.
    static func configuration() throws -> VMConfiguration {
        let scsi = "_5f9b4c3a-0000-0000-0000-00000000beef_"
        let tree = node(
            "",
            [
                node(
                    "configuration",
                    [
                        node(
                            "properties",
                            [
                                leaf("global_id", .string(id)), leaf("name", .string("web")),
                                leaf("subtype", .integer(1)),
                            ]),
                        node(
                            "manifest",
                            [
                                node(
                                    "vdev001",
                                    [
                                        leaf("device", .string(VMConfiguration.scsiDeviceID)),
                                        leaf("instance", .string("5f9b4c3a-0000-0000-0000-00000000beef")),
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
                                                leaf("type", .string("vhd")),
                                                leaf("pathname", .string("d:\\disks\\web.vhdx")),
                                            ]),
                                        node(
                                            "drive1",
                                            [
                                                leaf("type", .string("ISO")),
                                                leaf("pathname", .string("D:\\ISO\\setup.iso")),
                                            ]),
                                        node(
                                            "drive2",
                                            [
                                                leaf("type", .string("PASSTHRU")),
                                                leaf("pathname", .string("D:\\odd.bin")),
                                            ]),
                                    ])
                            ]),
                        node(VMConfiguration.guestStateKey, [leaf("StateFilePath", .string("E:\\State\\\(id).vmgs"))]),
                    ])
            ])
        return try VMConfiguration(tree: ConfigTree(format: .vmcx, root: tree))
    }

    static let assembler = RecordAssembler(
        volume: volume, environment: .defaults, chains: [:],
        artifacts: [
            FoundArtifact(
                path: F.path("D:\\Hyper-V\\Virtual Machines\\\(id).VMRS"), hostPath: "/mem/x", kind: .runtimeState)
        ])

    static func file(_ text: String, _ outcome: ReadOutcome) -> ConfigurationFile {
        ConfigurationFile(path: WindowsPath(text), text: text, hostPath: nil, outcome: outcome)
    }

    @Test("every path lands in its typed place, spelled as on disk, checked on the volume")
    func assemblesTypedPaths() throws {
        let configuration = try RecordAssemblerTests.configuration()
        let vm = RecordAssemblerTests.assembler.record(
            RecordAssemblerTests.file("D:\\Hyper-V\\Virtual Machines\\\(RecordAssemblerTests.id).vmcx", .parsed(.vmcx)),
            configuration: configuration, registered: true, registrations: [])
        #expect(vm.id == GUID(RecordAssemblerTests.id))
        #expect(vm.generation == 2)
        // No data_root key: the folder above "Virtual Machines".
        #expect(vm.folders.map(\.role) == [.vmFolder])
        #expect(vm.folders.first?.path == F.path("D:\\Hyper-V"))
        let disk = try #require(vm.disks.first)
        #expect(disk.display == "D:\\Disks\\Web.vhdx")
        #expect(disk.controller == "scsi 0:0" && disk.exists)
        // Not read by the chain reader: the chain says so.
        #expect(disk.chain.first?.status == .unreadable)
        #expect(vm.isos.map(\.display) == ["D:\\ISO\\setup.iso"])
        #expect(vm.otherPaths.map(\.role) == [.drive(.other("PASSTHRU"))])
        #expect(vm.otherPaths.first?.role.name == "drive PASSTHRU")
        // The guest state file is on E:, which was not given; the runtime file beside the configuration was found.
        let state = try #require(vm.stateFiles.first { $0.role == .guestState })
        #expect(!state.exists && state.problem?.contains("add --drive or --map") == true)
        #expect(vm.stateFiles.contains { $0.role == .runtimeFile && $0.exists })
    }

    @Test("a missing configuration keeps its outcome and says why")
    func missingConfiguration() {
        let vm = RecordAssemblerTests.assembler.record(
            RecordAssemblerTests.file("D:\\Gone\\Virtual Machines\\x.vmcx", .missing("no Gone")), configuration: nil,
            registered: true, registrations: [])
        #expect(!vm.configuration.exists)
        #expect(vm.problems == ["registered, but configuration file is missing: no Gone"])
        #expect(vm.folders.first?.role == .vmFolder && vm.folders.first?.exists == false)
    }

    @Test("a checkpoint is attached to the VM that lists it, and is registered with it")
    func attachesCheckpoints() {
        let vmID = "BBBBBBBB-0000-0000-0000-000000000002"
        let checkpointID = "CCCCCCCC-0000-0000-0000-000000000003"
        var vm = F.vm("D:\\VMs\\Virtual Machines\\\(vmID).vmcx", id: vmID, folders: [F.used("D:\\VMs", .vmFolder)])
        vm.checkpoints = [checkpointID.lowercased()]
        let checkpoint = F.vm("D:\\Elsewhere\\Snapshots\\\(checkpointID).vmcx", id: checkpointID, registered: false)
        var records = [vm, checkpoint]
        RecordAssembler.attachCheckpoints(&records)
        #expect(records[1].checkpointOf == GUID(vmID))
        #expect(records[1].registered)
        #expect(records[1].registration == vm.registration)
        #expect(records[0].checkpointOf == nil)
    }

    @Test("relate: users per artifact; what no registered VM uses is unreferenced, with the reason")
    func relatesArtifacts() {
        let used = F.path("D:\\Disks\\used.vhdx")
        let spare = F.path("D:\\Disks\\spare.vhdx")
        let iso = F.path("D:\\ISO\\a.iso")
        let artifacts =
            [used, spare].map { FoundArtifact(path: $0, hostPath: "/mem/" + $0.description, kind: .virtualDisk) }
            + [FoundArtifact(path: iso, hostPath: "/mem/iso", kind: .iso)]
        let assembler = RecordAssembler(
            volume: RecordAssemblerTests.volume, environment: .defaults, chains: [:], artifacts: artifacts)
        let vm = F.vm("D:\\VMs\\a.vmcx", disks: [F.disk("d:\\disks\\USED.vhdx")])
        var stray = F.vm(
            "D:\\VMs\\b.vmcx", id: "DDDDDDDD-0000-0000-0000-000000000004", registered: false,
            disks: [F.disk("D:\\Disks\\spare.vhdx")])
        stray.name = "stray"
        let (related, unreferenced) = assembler.relate([vm, stray])
        #expect(related[0].users == [vm.id!])
        #expect(related[0].chain == [])
        #expect(unreferenced.map(\.path) == [spare, iso, F.path("D:\\VMs\\b.vmcx")])
        #expect(unreferenced[0].reason == .diskUsedOnlyByUnregistered([stray.id!]))
        #expect(unreferenced[1].reason.description == "no registered VM attaches this image")
        #expect(unreferenced[2].reason == .configurationUnregistered(name: "stray", id: stray.id))
    }

    @Test("read outcomes: which exist, and the problem each reports")
    func readOutcomes() {
        #expect(ReadOutcome.parsed(.xml).problem == nil && ReadOutcome.parsed(.xml).exists)
        #expect(ReadOutcome.notAFile(.directory).problem == "is a directory, not a configuration file")
        #expect(
            ReadOutcome.unmapped(root: "E:").problem
                == "configuration is on E:, which was not given (add --drive or --map)")
        #expect(!ReadOutcome.tooManyLinks.exists && ReadOutcome.unresolvedLink("x").exists)
        #expect(DriveKind(type: "vfd") == .floppy && DriveKind(type: nil).typeText == nil)
    }
}
