import Testing
@testable import HVExclude

/// The planner's rules on plain values: an inventory built in Swift, an in-memory volume, no subprocess.
@Suite("ExclusionPlanner on an in-memory volume")
struct ExclusionPlannerTests {
    typealias F = ModelFixture

    static let volume = InMemoryVolume(
        drives: ["C", "D"],
        files: [
            "C:\\Windows\\System32\\vmms.exe", "C:\\Windows\\System32\\vmwp.exe",
            "D:\\VMs\\web\\Virtual Machines\\11111111-2222-3333-4444-555555555555.vmcx",
            "D:\\Disks\\web.vhdx", "D:\\Disks\\base.vhdx",
            "D:\\Mixed\\web-data.vhdx", "D:\\Mixed\\notes.txt",
            "D:\\Spare\\spare.vhdx",
        ],
        folders: ["C:\\ProgramData\\Microsoft\\Windows\\Hyper-V"])

    static func plan(_ inventory: HostInventory, _ options: PlannerOptions = PlannerOptions()) -> (paths: [String: PathExclusion], findings: [Finding], plan: ExclusionPlan) {
        let planned = ExclusionPlanner(map: volume, options: options).plan(inventory)
        return (Dictionary(planned.plan.paths.map { (NTFSName.fold($0.path), $0) }, uniquingKeysWith: { a, _ in a }), planned.findings, planned.plan)
    }

    static let web = F.vm(
        "D:\\VMs\\web\\Virtual Machines\\11111111-2222-3333-4444-555555555555.vmcx",
        folders: [F.used("D:\\VMs\\web", .dataRoot)],
        disks: [F.disk("D:\\Disks\\web.vhdx", parents: ["D:\\Disks\\base.vhdx"]), F.disk("D:\\Mixed\\web-data.vhdx")])

    @Test("a registered VM: its data root, a disk folder holding only disks, a lone disk in a mixed folder")
    func registeredVM() throws {
        let result = ExclusionPlannerTests.plan(F.inventory([ExclusionPlannerTests.web]))
        let root = try #require(result.paths["D:\\VMS\\WEB"])
        #expect(root.kind == .directory && root.verified)
        #expect(root.reasons.contains { $0.contains("VM 'web' data root") })
        // D:\Disks holds only Hyper-V files: the folder covers the disk and its parent.
        let disks = try #require(result.paths["D:\\DISKS"])
        #expect(disks.kind == .directory)
        #expect(disks.reasons.contains { $0.contains("parent disk of D:\\Disks\\web.vhdx") })
        // D:\Mixed also holds notes.txt: only the disk is excluded.
        #expect(result.paths["D:\\MIXED"] == nil)
        #expect(result.paths["D:\\MIXED\\WEB-DATA.VHDX"]?.kind == .file)
        // Nothing below an excluded folder is listed again.
        #expect(result.paths["D:\\VMS\\WEB\\VIRTUAL MACHINES"] == nil)
    }

    @Test("processes only for binaries present; extensions by the Windows generation the files imply")
    func processesAndExtensions() {
        let result = ExclusionPlannerTests.plan(F.inventory([ExclusionPlannerTests.web]))
        #expect(result.plan.processes.map(\.path) == ["C:\\Windows\\System32\\vmms.exe", "C:\\Windows\\System32\\vmwp.exe"])
        // No SOFTWARE hive and no .vmcx artifact: the 2012 R2 list, which has no .vmcx.
        #expect(!result.plan.extensions.map(\.extension).contains("vmcx"))
        let withVMCX = F.inventory(
            [], artifacts: [FoundArtifact(path: F.path("D:\\x\\a.vmcx"), hostPath: "/mem/D:\\x\\a.vmcx", kind: .vmConfiguration)])
        #expect(ExclusionPlannerTests.plan(withVMCX).plan.extensions.map(\.extension).contains("vmcx"))
    }

    @Test("unregistered VMs and unreferenced disks only with --include-unregistered")
    func unregistered() {
        var stray = ExclusionPlannerTests.web
        stray.registered = false
        stray.registration = []
        let spare = UnreferencedFile(path: F.path("D:\\Spare\\spare.vhdx"), kind: .virtualDisk, reason: .diskUnused)
        let inventory = F.inventory([stray], unreferenced: [spare])
        #expect(ExclusionPlannerTests.plan(inventory).paths["D:\\VMS\\WEB"] == nil)
        #expect(ExclusionPlannerTests.plan(inventory).paths["D:\\SPARE\\SPARE.VHDX"] == nil)
        let included = ExclusionPlannerTests.plan(inventory, PlannerOptions(includeUnregistered: true))
        #expect(included.paths["D:\\VMS\\WEB"]?.reasons.first?.contains("unregistered; --include-unregistered") == true)
        #expect(included.paths["D:\\SPARE\\SPARE.VHDX"]?.reasons == ["--include-unregistered: no VM uses this disk, directly or as a parent"])
    }

    @Test("a registered VM whose configuration is missing still gets its folder, unverified, with a warning")
    func missingConfiguration() throws {
        let lost = F.vm("E:\\Gone\\Virtual Machines\\11111111-2222-3333-4444-555555555555.xml", outcome: .unmapped(root: "E:"))
        let result = ExclusionPlannerTests.plan(F.inventory([lost]))
        let folder = try #require(result.paths["E:\\GONE"])
        #expect(!folder.verified)
        #expect(result.findings.contains { $0.path == "E:\\Gone" && $0.severity == .warning && $0.category == .exclusion })
    }

    @Test("a disk on a drive root is excluded as a file: a volume root is never excluded whole")
    func driveRootNeverExcluded() {
        let volume = InMemoryVolume(drives: ["C", "D"], files: ["D:\\root.vhdx"])
        let vm = F.vm("D:\\root.vmcx", folders: [], disks: [F.disk("D:\\root.vhdx")])
        let planned = ExclusionPlanner(map: volume, options: PlannerOptions()).plan(F.inventory([vm]))
        let paths = planned.plan.paths.map(\.path)
        #expect(!paths.contains("D:\\"))
        #expect(paths.contains("D:\\root.vhdx"))
    }
}
