import Testing

@testable import HVXBinary
@testable import HVXDiagnosis
@testable import HVXDiskImage
@testable import HVXExclusions
@testable import HVXFormats
@testable import HVXInventory
@testable import HVXReport
@testable import HVXScan
@testable import HVXVolume
@testable import HVXWalk

/// Policy v3, the lifecycle: what Hyper-V writes at the next checkpoint, backup, start or save is covered by the plan
/// made before — by the folder the folder rule admits, else by typed file-name patterns in that very folder — and
/// the folder-rule fixes that came with it. Inputs built in Swift over an in-memory volume; every plan also keeps
/// the properties (``PlanProperties``), and what Hyper-V would write is checked against it under Defender's matching.
@Suite struct LifecyclePlanTests {
    typealias F = PolicyFixture
    let id = "A0100000-1111-4222-8333-444455556666"

    func plan(
        _ input: PolicyInput, _ volume: InMemoryVolume, sourceLocation: SourceLocation = #_sourceLocation
    ) -> ExclusionPlanner.Result {
        let result = F.plan(input, volume)
        let violations = PlanProperties.violations(of: result, input: input, volume: volume)
        #expect(violations.isEmpty, "\(violations)", sourceLocation: sourceLocation)
        return result
    }

    func entry(_ result: ExclusionPlanner.Result, _ text: String) -> PathExclusion? {
        result.plan.paths.first { $0.path == text }
    }

    func paths(_ texts: [String]) -> [WindowsPath] { texts.map { WindowsPath($0)! } }

    @Test func aDiskAtAVolumeRootGetsItsCheckpointAndChangeTrackingPatterns() {
        let volume = InMemoryVolume(
            drives: ["C", "D"], files: F.vmFiles(root: #"D:\VMs\Db"#) + [#"D:\Db01.vhdx"#, #"D:\notes.txt"#])
        let result = plan(
            PolicyInput(virtualMachines: [F.vm("Db", root: #"D:\VMs\Db"#, disks: [#"D:\Db01.vhdx"#])]), volume)
        let atRoot = result.plan.paths.filter { $0.path.hasPrefix(#"D:\Db01"#) }
        #expect(
            atRoot.map(\.path) == [
                #"D:\Db01.vhdx"#, #"D:\Db01.vhdx.mrt"#, #"D:\Db01.vhdx.rct"#, #"D:\Db01_*.avhdx"#,
                #"D:\Db01_*.avhdx.mrt"#, #"D:\Db01_*.avhdx.rct"#,
            ])
        #expect(atRoot.map(\.form) == [.file, .file, .file, .pattern, .pattern, .pattern])
        #expect(
            atRoot.map(\.lifecycle) == [
                nil, .changeTracking, .changeTracking, .checkpoint, .changeTracking, .changeTracking,
            ])
        #expect(atRoot.allSatisfy { $0.kind == .file && $0.basis == .file && $0.verified })
        #expect(
            entry(result, #"D:\Db01_*.avhdx"#)?.evidence.contains { $0.detail.contains("<disk name>_<GUID>.avhdx") }
                == true)
        // What the next checkpoint, a checkpoint of it and a backup write is covered; the note beside it is not.
        let written = paths([
            #"D:\Db01_5A1D0C1E-7E2B-4C3A-9D4E-0F1A2B3C4D01.avhdx"#,
            #"D:\Db01_5A1D0C1E-7E2B-4C3A-9D4E-0F1A2B3C4D02.avhdx"#,
            #"D:\Db01.vhdx.rct"#, #"D:\Db01.vhdx.mrt"#, #"D:\Db01_5A1D0C1E-7E2B-4C3A-9D4E-0F1A2B3C4D01.avhdx.rct"#,
            #"D:\Db01_5A1D0C1E-7E2B-4C3A-9D4E-0F1A2B3C4D02.avhdx.mrt"#,
        ])
        #expect(PlanProperties.uncovered(written, by: result.plan) == [])
        #expect(
            PlanProperties.uncovered(paths([#"D:\notes.txt"#, #"D:\Db01.txt"#, #"D:\Db02_x.avhdx"#]), by: result.plan)
                .count == 3)
    }

    @Test func aForeignFileInAVirtualHardDisksFolderGivesTypedPatternsInThatFolder() {
        let folder = #"D:\VMs\Web\Virtual Hard Disks"#
        let volume = InMemoryVolume(
            drives: ["C", "D"],
            files: F.vmFiles(root: #"D:\VMs\Web"#) + [folder + #"\web.vhdx"#, folder + #"\desktop.ini"#])
        let result = plan(
            PolicyInput(virtualMachines: [
                F.vm("Web", root: #"D:\VMs\Web"#, disks: [folder + #"\web.vhdx"#], dataRootKey: true)
            ]), volume)
        #expect(entry(result, folder) == nil)
        #expect(
            result.plan.refused.first { $0.path == folder }?.reason.contains("desktop.ini is not a Hyper-V file")
                == true)
        for name in ["web.vhdx", "web.vhdx.rct", "web.vhdx.mrt", "web_*.avhdx", "web_*.avhdx.rct", "web_*.avhdx.mrt"] {
            #expect(entry(result, folder + "\\" + name) != nil, "\(name)")
        }
        #expect(PlanProperties.uncovered(paths([folder + #"\desktop.ini"#]), by: result.plan).count == 1)
    }

    @Test func smartPagingAndChangeTrackingFilesAreHyperVFiles() {
        let folder = #"D:\VMs\Web\Virtual Hard Disks"#
        let volume = InMemoryVolume(
            drives: ["C", "D"],
            files: F.vmFiles(root: #"D:\VMs\Web"#) + [
                folder + #"\web.vhdx"#, folder + #"\web.vhdx.rct"#, folder + #"\web.vhdx.mrt"#,
                folder + #"\paging.slp"#,
            ])
        let result = plan(
            PolicyInput(virtualMachines: [
                F.vm("Web", root: #"D:\VMs\Web"#, disks: [folder + #"\web.vhdx"#], dataRootKey: true)
            ]), volume)
        #expect(
            entry(result, #"D:\VMs\Web"#)?.form == .folder, "the whole VM folder: .rct, .mrt and .slp are Hyper-V's")
        #expect(result.plan.refused.isEmpty)
        #expect(HyperVFiles.isHyperVFile(WindowsPath(#"D:\x\a.slp"#)!, attachedISOs: []))
    }

    @Test func aRootTheRegistryNamesInsideAnotherIsHyperVContent() {
        // A legacy host: DefaultExternalDataRoot D:\VMs, DefaultVirtualHardDiskPath D:\VMs\Disks below it.
        let volume = InMemoryVolume(
            drives: ["C", "D"], files: F.vmFiles(root: #"D:\VMs\Web"#) + [#"D:\VMs\Disks\web.vhdx"#])
        var input = PolicyInput(virtualMachines: [
            F.vm("Web", root: #"D:\VMs\Web"#, disks: [#"D:\VMs\Disks\web.vhdx"#], dataRootKey: true)
        ])
        input.defaultFolders = [
            .init(
                path: WindowsPath(#"D:\VMs"#)!, valueName: "DefaultExternalDataRoot", fromRegistry: true,
                evidence: F.evidence),
            .init(
                path: WindowsPath(#"D:\VMs\Disks"#)!, valueName: "DefaultVirtualHardDiskPath", fromRegistry: true,
                evidence: F.evidence),
        ]
        let result = plan(input, volume)
        #expect(result.plan.paths.map(\.path) == [#"D:\VMs"#])
        #expect(result.plan.refused.isEmpty)
        // With a file nobody names, D:\VMs\Disks is still Hyper-V's, D:\VMs is not.
        let withNote = InMemoryVolume(
            drives: ["C", "D"],
            files: F.vmFiles(root: #"D:\VMs\Web"#) + [#"D:\VMs\Disks\web.vhdx"#, #"D:\VMs\readme.txt"#])
        let narrowed = plan(input, withNote)
        #expect(narrowed.plan.paths.map(\.path).contains(#"D:\VMs\Disks"#))
        #expect(narrowed.plan.refused.first { $0.path == #"D:\VMs"# }?.reason.contains("readme.txt") == true)
    }

    @Test func clientHyperVsDefaultDiskFolderIsAHyperVFolder() {
        let folder = #"C:\ProgramData\Microsoft\Windows\Virtual Hard Disks"#
        let volume = InMemoryVolume(drives: ["C"], files: F.vmFiles(root: #"C:\VMs\Win"#) + [folder + #"\win.vhdx"#])
        var input = PolicyInput(virtualMachines: [F.vm("Win", root: #"C:\VMs\Win"#, disks: [folder + #"\win.vhdx"#])])
        input.defaultFolders = [
            .init(
                path: WindowsPath(folder)!, valueName: "DefaultVirtualHardDiskPath", fromRegistry: true,
                evidence: F.evidence)
        ]
        let result = plan(input, volume)
        #expect(entry(result, folder)?.basis == .hyperVFolder)
        #expect(result.plan.refused.contains { $0.path == folder } == false)
    }

    @Test func vhdDisksGetAvhdCheckpointsAndNoChangeTracking() {
        var vm = F.vm("Old", root: #"D:\VMs\Old"#, disks: [#"D:\Disks\old_7E5D3C1A-2B4F-4A86-9C0D-E1F2A3B4C5D6.avhd"#])
        vm.configurationVersion = 0x0500
        let volume = InMemoryVolume(
            drives: ["C", "D"],
            files: F.vmFiles(root: #"D:\VMs\Old"#) + [#"D:\Disks\old_7E5D3C1A-2B4F-4A86-9C0D-E1F2A3B4C5D6.avhd"#])
        let result = plan(PolicyInput(virtualMachines: [vm]), volume)
        #expect(
            result.plan.paths.filter { $0.path.hasPrefix(#"D:\Disks"#) }.map(\.path) == [
                #"D:\Disks\old_*.avhd"#, #"D:\Disks\old_7E5D3C1A-2B4F-4A86-9C0D-E1F2A3B4C5D6.avhd"#,
            ])
    }

    @Test func changeTrackingNeedsConfigurationVersion6Point2() {
        var vm = F.vm("V5", root: #"D:\VMs\V5"#, disks: [#"D:\Disks\v5.vhdx"#])
        vm.configurationVersion = 0x0500
        let volume = InMemoryVolume(drives: ["C", "D"], files: F.vmFiles(root: #"D:\VMs\V5"#) + [#"D:\Disks\v5.vhdx"#])
        #expect(
            plan(PolicyInput(virtualMachines: [vm]), volume).plan.paths.contains { $0.lifecycle == .changeTracking }
                == false)
        vm.configurationVersion = 0x0602
        #expect(
            plan(PolicyInput(virtualMachines: [vm]), volume).plan.paths.contains { $0.path == #"D:\Disks\v5.vhdx.rct"# }
        )
    }

    @Test func aReplicatedVMsDiskFoldersGetTheirReplicaLogPattern() {
        let volume = InMemoryVolume(
            drives: ["C", "D"],
            files: F.vmFiles(root: #"D:\VMs\Rep"#) + [
                #"D:\Disks\rep.vhdx"#, #"D:\Disks\rep_1.hrl"#, #"D:\Disks\other.txt"#,
            ])
        var input = PolicyInput(virtualMachines: [F.vm("Rep", root: #"D:\VMs\Rep"#, disks: [#"D:\Disks\rep.vhdx"#])])
        input.replicaLogs = [WindowsPath(#"D:\Disks\rep_1.hrl"#)!]
        let result = plan(input, volume)
        #expect(entry(result, #"D:\Disks\*.hrl"#)?.lifecycle == .replicaLog)
        #expect(PlanProperties.uncovered(paths([#"D:\Disks\rep_2.hrl"#]), by: result.plan) == [])
    }

    @Test func aVMsFirstSnapshotsFolderIsPlannedBeforeItExists() {
        let volume = InMemoryVolume(
            drives: ["C", "D"], files: F.vmFiles(root: #"D:\VMs\New"#) + [#"D:\VMs\New\notes.txt"#])
        let result = plan(PolicyInput(virtualMachines: [F.vm("New", root: #"D:\VMs\New"#, dataRootKey: true)]), volume)
        let snapshots = entry(result, #"D:\VMs\New\Snapshots"#)
        #expect(snapshots?.verified == false)
        #expect(snapshots?.lifecycle == .snapshotFolder)
        #expect(
            snapshots?.reasons.contains {
                $0.contains("created at the first checkpoint") || $0.contains("at the first checkpoint")
            } == true)
        #expect(
            result.findings.contains {
                $0.path == #"D:\VMs\New\Snapshots"# && $0.message.hasPrefix("planned before it exists")
                    && $0.severity == .info
            })
    }

    @Test func aFolderMicrosoftNamesNeverSaysHyperVOwnsIt() {
        let store = #"C:\ClusterStorage\Volume1\VMs\Web"#
        let volume = InMemoryVolume(drives: ["C"], files: F.vmFiles(root: store))
        var input = PolicyInput(virtualMachines: [F.vm("Web", root: store, dataRootKey: true)])
        input.cluster = .init(sharedVolumes: ["Volume1"], sharedVolumeEvidence: [F.evidence])
        let result = plan(input, volume)
        let storage = entry(result, #"C:\ClusterStorage"#)
        #expect(storage?.basis == .microsoftFolder)
        #expect(storage?.reasons.contains(PlanState.onlyHyperV) == false)
        #expect(storage?.reasons.first?.contains("Cluster Shared Volumes") == true)
    }

    @Test func configurationPathsAreLiteralAndAPercentFormIsWarnedAbout() throws {
        let root = #"D:\VMs\%PATH%"#
        #expect(WindowsPath(root + #"\Virtual Machines\x.vmcx"#) != nil, "% is a letter in an NTFS name")
        #expect(WindowsEnvironment.defaults.path(root) == nil, "text that may hold variables refuses an unknown one")
        #expect(WindowsEnvironment.defaults.literalPath(root) == WindowsPath(root))
        #expect(
            WindowsEnvironment.defaults.literalPath(#"%SystemDrive%\VMs"#) == WindowsPath(#"C:\VMs"#),
            "a leading variable is expanded")
        let volume = InMemoryVolume(drives: ["C", "D"], files: F.vmFiles(root: root))
        let result = plan(PolicyInput(virtualMachines: [F.vm("Pct", root: root, dataRootKey: true)]), volume)
        #expect(entry(result, root)?.form == .folder)
        #expect(result.findings.contains { $0.path == root && $0.message.contains("Defender expands") })
    }

    @Test func diskFamilies() {
        #expect(DiskFamily("Db01.vhdx").map { [$0.stem, $0.differencingExtension] } == ["Db01", "avhdx"])
        #expect(DiskFamily("App01_E2F4A6B8-C0D2-4E14-9A36-B5C7D9E1F3A5.avhdx")?.stem == "App01")
        #expect(DiskFamily("a_b_E2F4A6B8-C0D2-4E14-9A36-B5C7D9E1F3A5.avhdx")?.stem == "a_b")
        #expect(DiskFamily("my_disk.vhdx")?.stem == "my_disk", "a base disk's own underscore stays")
        #expect(DiskFamily("Sql01.vhd").map { [$0.stem, $0.differencingExtension] } == ["Sql01", "avhd"])
        #expect(DiskFamily("Sql01.vhd")?.tracksChanges == false)
        #expect(DiskFamily("quorum.vhds")?.tracksChanges == false)
        #expect(DiskFamily("tools.iso") == nil)
    }
}
