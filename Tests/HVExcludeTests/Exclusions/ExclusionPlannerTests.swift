import Testing

@testable import HVXExclusions
@testable import HVXInventory
@testable import HVXVolume

/// Policy v2 rule by rule, on inputs built in Swift over an in-memory volume; every case also runs the reusable
/// property check (``PlanProperties``).
@Suite struct ExclusionPlannerTests {
    typealias F = PolicyFixture
    func path(_ text: String) -> WindowsPath { WindowsPath(text)! }

    /// Plans, checks the properties, and returns the result.
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

    @Test func aVMInAUsersDocumentsFolderGetsItsHyperVFoldersNotDocuments() {
        let root = #"C:\Users\alice\Documents"#
        let volume = InMemoryVolume(
            drives: ["C", "D"],
            files: F.vmFiles(root: root) + [
                #"C:\Users\alice\Documents\taxes.xlsx"#, #"C:\Users\alice\Documents\Virtual Hard Disks\web.vhdx"#,
            ])
        let input = PolicyInput(virtualMachines: [
            F.vm(
                "Web", root: root, disks: [#"C:\Users\alice\Documents\Virtual Hard Disks\web.vhdx"#], dataRootKey: true)
        ])
        let result = plan(input, volume)
        // The checkpoint folder is planned before Hyper-V creates it, unverified; Documents itself never.
        #expect(
            result.plan.paths.map(\.path) == [
                #"C:\Users\alice\Documents\Snapshots"#, #"C:\Users\alice\Documents\Virtual Hard Disks"#,
                #"C:\Users\alice\Documents\Virtual Machines"#,
            ])
        #expect(result.plan.paths.allSatisfy { $0.basis == .hyperVFolder && $0.form == .folder })
        #expect(result.plan.paths.map(\.verified) == [false, true, true])
        #expect(entry(result, #"C:\Users\alice\Documents\Snapshots"#)?.lifecycle == .snapshotFolder)
        let refusal = result.plan.refused.first { $0.path == root }
        #expect(refusal?.reason.contains("known folder Documents of the profile alice") == true)
    }

    @Test func aDataRootThatIsAnSMBShareIsRefusedWithTheShareNamed() {
        let root = #"D:\Shares"#
        let volume = InMemoryVolume(drives: ["C", "D"], files: F.vmFiles(root: root) + [#"D:\Shares\Finance\q3.xlsx"#])
        var input = PolicyInput(virtualMachines: [F.vm("Files", root: root, dataRootKey: true)])
        input.shares = [
            .init(
                name: "Shares", path: path(root),
                evidence: Evidence(source: "SYSTEM", detail: #"ControlSet001\Services\LanmanServer\Shares\Shares"#))
        ]
        let result = plan(input, volume)
        #expect(result.plan.paths.map(\.path) == [#"D:\Shares\Snapshots"#, #"D:\Shares\Virtual Machines"#])
        #expect(result.plan.refused.first { $0.path == root }?.reason.contains("SMB share 'Shares'") == true)
    }

    @Test func aShareBelowAFolderProtectsTheFolder() {
        let places = ProtectedPlaces(
            environment: .defaults, dataRoot: path(#"C:\ProgramData\Microsoft\Windows\Hyper-V"#),
            shares: [
                .init(name: "vms", path: path(#"D:\VMs\Shared"#), evidence: F.evidence)
            ])
        #expect(places.reason(path(#"D:\VMs"#))?.contains("holds the SMB share 'vms'") == true)
        #expect(
            places.reason(path(#"D:\VMs\Shared\Web\Virtual Machines"#)) == nil,
            "a folder inside a share is not the share")
    }

    @Test(arguments: [
        (#"D:\"#, "volume root"), (#"C:\Windows\Hyper-V"#, "Windows folder"),
        (#"C:\Program Files\Hyper-V"#, "Program Files"),
        (#"C:\Program Files (x86)\VMs"#, "Program Files (x86)"), (#"C:\ProgramData\VMs"#, "ProgramData"),
        (#"C:\ProgramData\Microsoft\Windows\Start Menu"#, "ProgramData"),
        (#"C:\Users"#, "all user profiles"), (#"C:\Users\bob"#, "user profile"),
        (#"C:\Users\bob\Downloads"#, "known folder"),
        (#"C:\Users\bob\AppData\Local\VMs"#, "application data"), (#"C:\Temp"#, "temporary folder"),
        (#"D:\tmp\VMs"#, "temporary folder"),
    ])
    func protectedPlaces(folder: String, expected: String) {
        let places = ProtectedPlaces(
            environment: .defaults, dataRoot: path(#"C:\ProgramData\Microsoft\Windows\Hyper-V"#), shares: [])
        #expect(
            places.reason(path(folder))?.contains(expected) == true,
            "\(folder): \(places.reason(path(folder)) ?? "nil")")
    }

    @Test(arguments: [
        #"C:\ProgramData\Microsoft\Windows\Hyper-V\Snapshots"#,
        #"C:\Users\Public\Documents\Hyper-V\Virtual Hard Disks"#,
        #"D:\VMs\Web"#, #"C:\Users\bob\Documents\VMs\Web"#, #"C:\ProgramData\Microsoft\Windows\Virtual Hard Disks"#,
    ])
    func allowedPlaces(folder: String) {
        let places = ProtectedPlaces(
            environment: .defaults, dataRoot: path(#"C:\ProgramData\Microsoft\Windows\Hyper-V"#), shares: [])
        #expect(places.reason(path(folder)) == nil)
    }

    @Test func aDiskAloneInTempIsExcludedAsAFile() {
        let volume = InMemoryVolume(
            drives: ["C", "D"], files: F.vmFiles(root: #"D:\VMs\Web"#) + [#"C:\Temp\scratch.vhdx"#])
        let input = PolicyInput(virtualMachines: [F.vm("Web", root: #"D:\VMs\Web"#, disks: [#"C:\Temp\scratch.vhdx"#])])
        let result = plan(input, volume)
        #expect(entry(result, #"C:\Temp\scratch.vhdx"#)?.kind == .file)
        #expect(entry(result, #"C:\Temp"#) == nil)
        #expect(result.plan.refused.first { $0.path == #"C:\Temp"# }?.reason.contains("temporary folder") == true)
        #expect(entry(result, #"D:\VMs\Web"#)?.basis == .hyperVFolder)
    }

    @Test func aForeignFileInAVMsOwnFolderNarrowsTheExclusionToItsFiles() {
        let root = #"D:\VMs\App"#
        let volume = InMemoryVolume(
            drives: ["C", "D"], files: F.vmFiles(root: root) + [#"D:\VMs\App\Virtual Machines\notes.xml"#])
        let result = plan(PolicyInput(virtualMachines: [F.vm("App", root: root, dataRootKey: true)]), volume)
        // Today's files one by one, the .vmrs its next start writes, and the checkpoint folder before it exists.
        #expect(
            result.plan.paths.map(\.path)
                == ([#"D:\VMs\App\Snapshots"#] + F.vmFiles(root: root) + [
                    #"D:\VMs\App\Virtual Machines\A0100000-1111-4222-8333-444455556666.vmrs"#
                ]).sorted())
        #expect(
            entry(result, #"D:\VMs\App\Virtual Machines\A0100000-1111-4222-8333-444455556666.vmrs"#)?.lifecycle
                == .savedState)
        #expect(result.plan.refused.map(\.path) == [root, #"D:\VMs\App\Virtual Machines"#])
        #expect(result.plan.refused[0].reason.contains(#"D:\VMs\App\Virtual Machines\notes.xml is not a Hyper-V file"#))
    }

    @Test func aDiskFolderHyperVDoesNotOwnIsNeverExcludedWhole() {
        // D:\Golden holds only a .vhdx, but nothing names it a Hyper-V folder.
        let volume = InMemoryVolume(
            drives: ["C", "D"], files: F.vmFiles(root: #"D:\VMs\App"#) + [#"D:\Golden\base.vhdx"#])
        let result = plan(
            PolicyInput(virtualMachines: [F.vm("App", root: #"D:\VMs\App"#, parents: [#"D:\Golden\base.vhdx"#])]),
            volume)
        #expect(entry(result, #"D:\Golden\base.vhdx"#)?.kind == .file)
        #expect(
            result.plan.refused.first { $0.path == #"D:\Golden"# }?.reason.contains("not a folder Hyper-V owns") == true
        )
    }

    @Test func noExtensionsByDefaultAndTheVersionsTypesOnRequest() {
        let volume = InMemoryVolume(drives: ["C", "D"], files: [])
        var input = PolicyInput()
        input.release = .init(name: "Windows 11", generation: .v2022, isClient: true, evidence: F.evidence)
        var result = plan(input, volume)
        #expect(result.plan.extensions.isEmpty)
        #expect(result.plan.extensionPolicy.contains("No extension exclusions"))
        #expect(result.plan.extensionPolicy.contains("Windows 11"))
        input.options.extensions = true
        result = plan(input, volume)
        #expect(
            result.plan.extensions.map(\.extension) == [
                "vhd", "vhdx", "avhd", "avhdx", "vsv", "vhds", "vmcx", "vmrs", "vmgs", "rct", "mrt", "vhdpmem",
            ])
        #expect(result.plan.extensions.allSatisfy { $0.reason.contains("Windows 11") })
        input.release = .init(
            name: "Windows Server 2012 R2", generation: .v2012R2, isClient: false, evidence: F.evidence)
        #expect(F.plan(input, volume).plan.extensions.map(\.extension) == ["vhd", "vhdx", "avhd", "avhdx", "vsv"])
        input.options = PlannerOptions(broadExtensions: true)
        #expect(F.plan(input, volume).plan.extensions.map(\.extension) == ["xml", "bin", "iso"])
    }

    @Test func clientReleaseNames() {
        #expect(HostFacts.Windows.releaseName(build: 22631, isServer: false) == "Windows 11")
        #expect(HostFacts.Windows.releaseName(build: 19045, isServer: false) == "Windows 10")
        #expect(HostFacts.Windows.releaseName(build: 17763, isServer: true) == "Windows Server 2019")
        #expect(HostFacts.Windows.releaseName(build: 26100, isServer: nil) == "Windows Server 2025")
    }

    @Test func aMissingVMOnAScannedDriveIsReportedNotPlanned() {
        let root = #"D:\VMs\Gone"#
        let input = PolicyInput(virtualMachines: [
            F.vm("Gone", root: root, disks: [#"D:\VMs\Gone\Virtual Hard Disks\g.vhdx"#], exists: false)
        ])
        let result = plan(input, InMemoryVolume(drives: ["C", "D"], files: [#"D:\other.txt"#]))
        #expect(result.plan.paths.isEmpty)
        #expect(
            result.findings.contains {
                $0.path.hasPrefix(root) && $0.message.contains("not planned")
                    || $0.message.contains("nothing of it is planned")
            })
    }

    @Test func aVMOnADriveThatWasNotScannedIsPlannedUnverified() {
        let input = PolicyInput(virtualMachines: [
            F.vm("Far", root: #"E:\VMs\Far"#, disks: [#"E:\Disks\far.vhdx"#], exists: false)
        ])
        let result = plan(input, InMemoryVolume(drives: ["C", "D"], files: []))
        #expect(
            result.plan.paths.map(\.path) == [
                #"E:\Disks\far.vhdx"#, #"E:\Disks\far.vhdx.mrt"#, #"E:\Disks\far.vhdx.rct"#, #"E:\Disks\far_*.avhdx"#,
                #"E:\Disks\far_*.avhdx.mrt"#, #"E:\Disks\far_*.avhdx.rct"#, #"E:\VMs\Far\Snapshots"#,
                #"E:\VMs\Far\Virtual Machines"#,
            ])
        #expect(result.plan.paths.allSatisfy { !$0.verified })
        #expect(result.findings.contains { $0.path == #"E:\Disks\far.vhdx"# && $0.message.contains("was not scanned") })
    }

    @Test func defaultFoldersNotCreatedYetAreDeferredAndPlannedOnRequest() {
        var input = PolicyInput(defaultFolders: [
            .init(
                path: path(#"D:\Hyper-V"#), valueName: "DefaultExternalDataRoot", fromRegistry: true,
                evidence: F.evidence),
            .init(
                path: path(#"D:\Hyper-V\Virtual Hard Disks"#), valueName: "DefaultVirtualHardDiskPath",
                fromRegistry: true, evidence: F.evidence),
            .init(
                path: path(#"D:\New Disks"#), valueName: "DefaultVirtualHardDiskPath", fromRegistry: true,
                evidence: F.evidence),
        ])
        let volume = InMemoryVolume(
            drives: ["C", "D"], files: [#"D:\Hyper-V\Virtual Machines\A0100000-1111-4222-8333-444455556666.vmcx"#])
        var result = plan(input, volume)
        #expect(result.plan.paths.map(\.path) == [#"D:\Hyper-V"#])
        #expect(
            result.plan.deferred.map(\.path) == [#"D:\New Disks"#],
            "a folder inside a planned one is covered, not deferred")
        input.options.planDeferred = true
        result = plan(input, volume)
        #expect(result.plan.paths.map(\.path) == [#"D:\Hyper-V"#, #"D:\New Disks"#])
        #expect(entry(result, #"D:\New Disks"#)?.verified == false)
    }

    @Test func replicaLogsBesideAPrimaryVMsDisksAreExcluded() {
        let volume = InMemoryVolume(
            drives: ["C", "D"],
            files: F.vmFiles(root: #"D:\VMs\Web"#) + [
                #"D:\Data\web.vhdx"#, #"D:\Data\web_6F1A.hrl"#, #"D:\Data\readme.txt"#,
            ])
        var input = PolicyInput(virtualMachines: [F.vm("Web", root: #"D:\VMs\Web"#, disks: [#"D:\Data\web.vhdx"#])])
        input.replicaLogs = [path(#"D:\Data\web_6F1A.hrl"#)]
        let result = plan(input, volume)
        #expect(entry(result, #"D:\Data\web_6F1A.hrl"#)?.reasons.first?.contains("Hyper-V Replica log") == true)
        #expect(entry(result, #"D:\Data\web.vhdx"#) != nil)
    }

    @Test func aReplicaServersStorageLocationIsPlannedAndArrivingDisksAreClaimed() {
        let files = [#"E:\Replica\Hyper-V Replica\Virtual hard disks\6F1A0000-1111-4222-8333-444455556666\web.vhdx"#]
        var input = PolicyInput(replicaStorage: [
            .init(path: path(#"E:\Replica"#), evidence: F.evidence, confirmed: false)
        ])
        input.unreferenced = [
            .init(
                path: path(
                    #"E:\Replica\Hyper-V Replica\Virtual hard disks\6F1A0000-1111-4222-8333-444455556666\web.vhdx"#),
                reason: "no VM uses this disk")
        ]
        let result = plan(input, InMemoryVolume(drives: ["C", "E"], files: files))
        let storage = entry(result, #"E:\Replica"#)
        #expect(storage?.basis == .microsoftFolder)
        #expect(storage?.verified == false, "inferred from the folder layout")
        #expect(storage?.evidence.contains { $0.detail.hasPrefix("inferred") } == true)
        #expect(
            result.claimed.map(\.path.description) == [
                #"E:\Replica\Hyper-V Replica\Virtual hard disks\6F1A0000-1111-4222-8333-444455556666\web.vhdx"#
            ])
    }

    @Test func aClusterNodeGetsClusterStorageTheWitnessClusterFolderAndItsProcesses() {
        let volume = InMemoryVolume(
            drives: ["C", "Q"],
            files: [
                #"C:\Windows\Cluster\clussvc.exe"#, #"C:\Windows\Cluster\rhs.exe"#, #"C:\Windows\Cluster\CLUSDB"#,
                #"Q:\Cluster\0.hive"#,
            ])
        var input = PolicyInput(services: [
            .init(name: "ClusSvc", present: true, imagePath: #"%SystemRoot%\Cluster\clussvc.exe"#, evidence: F.evidence)
        ])
        input.cluster = .init(
            sharedVolumes: ["Volume1"],
            witness: .init(drive: path(#"Q:\"#), evidence: [Evidence(source: "CLUSDB", detail: #"Quorum\Resource"#)]))
        let result = plan(input, volume)
        let storage = entry(result, #"C:\ClusterStorage"#)
        #expect(storage?.basis == .microsoftFolder, "planned although the copy lacks it: CSVs are known")
        #expect(entry(result, #"C:\Windows\Cluster"#)?.verified == true)
        let witness = entry(result, #"Q:\Cluster"#)
        #expect(witness?.verified == false)
        #expect(witness?.evidence.contains { $0.detail.hasPrefix("inferred") } == true)
        #expect(
            result.plan.processes.map(\.path) == [#"C:\Windows\Cluster\clussvc.exe"#, #"C:\Windows\Cluster\rhs.exe"#])
    }

    @Test func vmsOnAnSMBShareGoToTheirFileServerNotTheHostPlan() {
        var vm = F.vm(
            "Web", root: #"\\fs01\vms\Web"#,
            disks: [#"\\fs01\vms\Web\Virtual Hard Disks\web.vhdx"#, #"\\fs01\Disks\data.vhdx"#])
        vm.exists = false
        let result = plan(PolicyInput(virtualMachines: [vm]), InMemoryVolume(drives: ["C", "D"], files: []))
        #expect(result.plan.paths.isEmpty)
        #expect(result.fileServers.map(\.server) == ["fs01"])
        let shares = result.fileServers.first?.shares ?? []
        #expect(shares.map(\.name) == ["Disks", "vms"])
        #expect(shares.last?.paths.map(\.relativePath) == [#"Web"#])
        #expect(
            shares.first?.paths.map(\.relativePath) == [
                "data.vhdx", "data.vhdx.mrt", "data.vhdx.rct", "data_*.avhdx", "data_*.avhdx.mrt", "data_*.avhdx.rct",
            ])
        #expect(shares.first?.paths.allSatisfy { $0.kind == .file } == true)
    }

    @Test func aVHDSetsDataFilesBelongToItsVMs() {
        let folder = #"D:\Shared"#
        let volume = InMemoryVolume(
            drives: ["C", "D"],
            files: F.vmFiles(root: #"D:\VMs\Node1"#) + [
                #"D:\Shared\quorum.vhds"#, #"D:\Shared\quorum_8E2D0000-1111-4222-8333-444455556666.avhdx"#,
                #"D:\Shared\other.avhdx"#,
                #"D:\Shared\notes.txt"#,
            ])
        var input = PolicyInput(virtualMachines: [
            F.vm("Node1", root: #"D:\VMs\Node1"#, disks: [folder + #"\quorum.vhds"#])
        ])
        input.setFiles = [
            path(#"D:\Shared\quorum.vhds"#), path(#"D:\Shared\quorum_8E2D0000-1111-4222-8333-444455556666.avhdx"#),
            path(#"D:\Shared\other.avhdx"#),
        ]
        let result = plan(input, volume)
        let member = entry(result, #"D:\Shared\quorum_8E2D0000-1111-4222-8333-444455556666.avhdx"#)
        #expect(member?.verified == false)
        #expect(member?.evidence.contains { $0.detail.hasPrefix("inferred") } == true)
        #expect(
            entry(result, #"D:\Shared\other.avhdx"#) == nil, "named files exist, so an unnamed one is not the set's")
        #expect(result.claimed.map { $0.vms } == [["A0100000-1111-4222-8333-444455556666"]])
    }

    @Test func processesComeFromServiceImagePathsWhenTheCopyLacksSystem32() {
        var input = PolicyInput(services: [
            .init(
                name: "vmms", present: true, imagePath: #"%SystemRoot%\system32\vmms.exe"#,
                evidence: Evidence(source: "SYSTEM", detail: #"ControlSet001\Services\vmms"#)),
            .init(name: "vmcompute", present: true, imagePath: nil, evidence: F.evidence),
        ])
        input.release = .init(name: "Windows Server 2019", generation: .v2019, isClient: false, evidence: F.evidence)
        let result = plan(input, InMemoryVolume(drives: ["C", "D"], files: [#"D:\x.txt"#]))
        #expect(
            result.plan.processes.map(\.path) == [
                #"C:\Windows\system32\vmms.exe"#, #"C:\Windows\system32\vmwp.exe"#, #"C:\Windows\system32\vmsp.exe"#,
                #"C:\Windows\System32\vmcompute.exe"#,
            ])
        #expect(result.plan.processes.allSatisfy { !$0.verified })
        #expect(
            result.plan.processes[0].evidence.first?.detail.contains(#"ImagePath = %SystemRoot%\system32\vmms.exe"#)
                == true)
        #expect(result.findings.filter { $0.message.contains("is not in the scanned copy") }.count == 4)
    }

    @Test func aBinaryOnTheVolumeNeedsNoService() {
        let result = plan(PolicyInput(), InMemoryVolume(drives: ["C", "D"], files: [#"C:\Windows\System32\vmms.exe"#]))
        #expect(result.plan.processes.map(\.path) == [#"C:\Windows\System32\vmms.exe"#])
        #expect(result.plan.processes.first?.verified == true)
    }

    @Test(arguments: [
        (#"\SystemRoot\System32\vmms.exe"#, #"C:\Windows\System32\vmms.exe"#),
        (#"%SystemRoot%\system32\vmcompute.exe"#, #"C:\Windows\system32\vmcompute.exe"#),
        (#"system32\drivers\x.sys"#, #"C:\Windows\system32\drivers\x.sys"#),
        (#"\??\D:\Tools\x.exe"#, #"D:\Tools\x.exe"#),
        (#""C:\Program Files\Vendor\svc.exe" -k run"#, #"C:\Program Files\Vendor\svc.exe"#),
        (#"C:\Windows\system32\svchost.exe -k netsvcs"#, #"C:\Windows\system32\svchost.exe"#),
    ])
    func serviceImagePaths(text: String, expected: String) {
        #expect(ServiceImagePath.windowsPath(text, environment: .defaults)?.description == expected)
    }

    @Test func thePropertyCheckCatchesAFolderHidingAForeignFile() {
        let volume = InMemoryVolume(
            drives: ["C", "D"], files: F.vmFiles(root: #"D:\VMs\App"#) + [#"D:\VMs\App\Virtual Machines\payload.exe"#])
        var result = F.plan(PolicyInput(virtualMachines: [F.vm("App", root: #"D:\VMs\App"#)]), volume)
        result.plan.paths = [
            PathExclusion(
                path: #"D:\VMs\App"#, environmentPath: nil, kind: .directory, form: .folder, basis: .hyperVFolder,
                reasons: [], evidence: [], verified: true)
        ]
        let violations = PlanProperties.violations(
            of: result, input: PolicyInput(virtualMachines: [F.vm("App", root: #"D:\VMs\App"#)]), volume: volume)
        #expect(violations.map(\.property) == ["noHidingPlace"])
        result.plan.paths = []
        #expect(
            PlanProperties.violations(
                of: result, input: PolicyInput(virtualMachines: [F.vm("App", root: #"D:\VMs\App"#)]), volume: volume
            ).map(\.property) == ["coverage", "coverage"])
    }

    /// A volume on which one folder cannot be listed.
    struct UnreadableFolder: VolumeQueries {
        var base: InMemoryVolume
        var folder: WindowsPath
        func resolve(_ path: WindowsPath) -> PathResolution { base.resolve(path) }
        func windowsPath(forHostPath hostPath: String) -> WindowsPath? { base.windowsPath(forHostPath: hostPath) }
        func entries(of folder: WindowsPath) -> [VolumeEntry] { folder == self.folder ? [] : base.entries(of: folder) }
        func isListable(_ folder: WindowsPath) -> Bool { folder != self.folder }
    }

    @Test func anUnreadableFolderIsNeverTakenForAnEmptyOne() {
        let root = #"D:\VMs\App"#
        let volume = UnreadableFolder(
            base: InMemoryVolume(
                drives: ["C", "D"], files: F.vmFiles(root: root) + [#"D:\VMs\App\Snapshots\secret.txt"#]),
            folder: path(#"D:\VMs\App\Snapshots"#))
        let result = ExclusionPlanner(
            input: PolicyInput(virtualMachines: [F.vm("App", root: root, dataRootKey: true)]), volume: volume
        ).plan()
        // Its checkpoints' typed files only: a pattern ending in .vmcx cannot match what the folder may hide.
        #expect(
            result.plan.paths.map(\.path) == [
                #"D:\VMs\App\Snapshots\*.vmcx"#, #"D:\VMs\App\Snapshots\*.vmgs"#, #"D:\VMs\App\Snapshots\*.vmrs"#,
                #"D:\VMs\App\Virtual Machines"#,
            ])
        #expect(result.plan.refused.first { $0.path == root }?.reason.contains("could not be listed") == true)
    }

    @Test func replicaBrokerAuthorizationTriples() {
        let text =
            "*\u{00A0}C:\\ClusterStorage\\Volume1\\Replica\u{00A0}DEFAULT\u{00A0}hv01.corp\u{00A0}D:\\Replica\u{00A0}GROUP1\u{00A0}hv02.corp\u{00A0}D:\\Replica\u{00A0}GROUP1"
        #expect(
            HostFacts.Cluster.authorizationLocations(text) == [#"C:\ClusterStorage\Volume1\Replica"#, #"D:\Replica"#])
        #expect(HostFacts.Cluster.authorizationLocations("") == [])
    }

    /// Without SOFTWARE the release comes from other evidence (ntoskrnl.exe's version): the policy names it from its
    /// build and keeps what it was inferred from; a release read from SOFTWARE keeps its hive evidence.
    @Test func anInferredReleaseIsNamedFromItsBuildWithItsEvidence() throws {
        let why = "SOFTWARE is missing; the release comes from ntoskrnl.exe file version 10.0.17763.1 (build 17763)"
        var facts = HostFacts.read(software: nil, system: nil)
        facts.windows = HostFacts.Windows(
            productName: nil, currentBuild: nil, installationType: nil, editionID: nil, build: 17763, isServer: nil,
            generation: .v2019, exactBuild: false, evidence: why)
        var inventory = ModelFixture.inventory([])
        inventory.facts = facts
        let release = try #require(
            PolicyInput(inventory: inventory, map: VolumeMap.drives([:]), options: PlannerOptions()).release)
        #expect(release.name == "Windows Server 2019")
        #expect(release.generation == .v2019)
        #expect(!release.isClient)
        #expect(release.evidence == Evidence(source: "inferred", detail: why))
        facts.windows?.evidence = nil
        facts.windows?.release = "Windows 10"
        facts.windows?.isServer = false
        inventory.facts = facts
        let read = try #require(
            PolicyInput(inventory: inventory, map: VolumeMap.drives([:]), options: PlannerOptions()).release)
        #expect(read.name == "Windows 10" && read.isClient)
        #expect(read.evidence.source == "SOFTWARE")
    }
}
