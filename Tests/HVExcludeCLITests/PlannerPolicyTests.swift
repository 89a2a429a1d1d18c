import Foundation
import Testing

/// Policy cases that need a host of their own, built in a temporary folder by the project's writers.
@Suite struct PlannerPolicyTests {
    static func copyTree(_ tree: String, to folder: String) throws {
        let result = try CLI.runTool("cp", ["-a", CLI.testTree(tree) + "/.", folder])
        try #require(result.status == 0, "\(result.stderr)")
    }

    static func plan(_ arguments: [String]) throws -> (status: Int32, json: JSONValue) {
        let result = try CLI.run(["scan"] + arguments + ["--quiet"])
        return (result.status, try JSONValue.parse(result.stdout))
    }

    @Test func noProcessEntryWithoutItsBinary() throws {
        let work = try TemporaryFolder()
        try Self.copyTree("ws2019-custom", to: work.path)
        try FileManager.default.removeItem(atPath: work.path + "/C/Windows/System32/vmcompute.exe")
        let (_, json) = try Self.plan([work.path + "/C", "--drive", "D=" + work.path + "/D"])
        let processes = json["exclusions"]!["processes"]!.arrayValue.compactMap { $0["path"]?.stringValue }
        #expect(!processes.contains { $0.lowercased().hasSuffix("vmcompute.exe") })
        #expect(processes.contains { $0.lowercased().hasSuffix("vmms.exe") })
    }

    @Test(.requires(.tool("python3"))) func aDiskOnAnUnmappedDriveIsPlannedUnverifiedWithAWarning() throws {
        let work = try TemporaryFolder()
        try work.markAsSystemVolume("C")
        let folder = work.path + "/C/VMs/Web/Virtual Machines"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let id = "E0E0E0E0-1111-4222-8333-444455556666"
        let lib = CLI.projectRoot.appendingPathComponent("scripts/lib").path
        let made = try CLI.runTool("python3", [
            "-c",
            "import sys; sys.path.insert(0, sys.argv[1]); import vmcx_writer as w; "
                + "w.write_vm_config(sys.argv[2], name='Web', vm_id=sys.argv[3], ide=[(0, 0, 'VHD', r'E:\\Disks\\web.vhdx')])",
            lib, folder + "/\(id).vmcx", id,
        ])
        try #require(made.status == 0, "\(made.stderr)")
        let (_, json) = try Self.plan([work.path + "/C", "--include-unregistered"])
        let paths = json["exclusions"]!["paths"]!.arrayValue
        let disk = try #require(paths.first { $0["path"]?.stringValue == #"E:\Disks\web.vhdx"# })
        #expect(disk["verified"]?.boolValue == false)
        #expect(disk["kind"]?.stringValue == "file")
        let warnings = json["scan"]!["warnings"]!.arrayValue
        #expect(warnings.contains {
            $0["path"]?.stringValue == #"E:\Disks\web.vhdx"# && $0["severity"]?.stringValue == "warning"
        })
    }
}

extension PlannerPolicyTests {
    /// A cluster node: the cluster database names VM stores on a CSV (mapped with --map) and on a share (not
    /// mapped); both are planned, the share's unverified. The CLUSDB layout follows documentation, not a real cluster.
    @Test(.requires(Requirement.makeHives))
    func clusteredVMStoresFromTheClusterDatabase() throws {
        let work = try TemporaryFolder()
        try Self.copyTree("ws2019-custom", to: work.path)
        try FileManager.default.createDirectory(atPath: work.path + "/C/Windows/Cluster", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: work.path + "/csv1/VM1/Virtual Machines", withIntermediateDirectories: true)
        let script = CLI.projectRoot.appendingPathComponent("scripts/make-hives").path
        let python = """
            import importlib.machinery, sys
            mh = importlib.machinery.SourceFileLoader("mh", sys.argv[1]).load_module()
            resources = [
                ("{A1B2C3D4-0002-4000-8000-000000000002}", "Virtual Machine Configuration VM1", "Virtual Machine Configuration",
                 {"VmId": mh.sz("11111111-2222-4333-8444-555555555555"), "ConfigStoreRootPath": mh.sz(r"C:\\ClusterStorage\\Volume1\\VM1"),
                  "VmStoreRootPath": mh.sz(r"C:\\ClusterStorage\\Volume1\\VM1")}),
                ("{A1B2C3D4-0005-4000-8000-000000000005}", "Virtual Machine Configuration VM2", "Virtual Machine Configuration",
                 {"VmId": mh.sz("66666666-2222-4333-8444-555555555555"), "ConfigStoreRootPath": mh.sz(r"\\\\fs01\\vms\\VM2")}),
            ]
            mh.write_hive(sys.argv[2], mh.clusdb_tree(resources))
            """
        let made = try CLI.runTool("python3", ["-c", python, script, work.path + "/C/Windows/Cluster/CLUSDB"])
        try #require(made.status == 0, "\(made.stderr)")
        let (_, json) = try Self.plan([
            work.path + "/C", "--drive", "D=" + work.path + "/D", "--map", #"C:\ClusterStorage\Volume1="# + work.path + "/csv1",
        ])
        let paths = Dictionary(uniqueKeysWithValues: json["exclusions"]!["paths"]!.arrayValue.map { ($0["path"]!.stringValue!, $0) })
        let csv = try #require(paths[#"C:\ClusterStorage\Volume1\VM1"#])
        #expect(csv["verified"]?.boolValue == true)
        #expect(csv["reasons"]?.arrayValue.contains { $0.stringValue?.contains("clustered VM") == true } == true)
        let share = try #require(paths[#"\\fs01\vms\VM2"#])
        #expect(share["verified"]?.boolValue == false)
        #expect(json["host"]?["cluster"] != nil)
    }
}
