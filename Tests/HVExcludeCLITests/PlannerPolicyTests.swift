import Foundation
import Testing

@testable import HVXSession

/// Policy cases that need a host of their own, built in a temporary folder by the project's writers.
@Suite struct PlannerPolicyTests {
    static func copyTree(_ tree: String, to folder: String) throws {
        let result = try CLI.runTool("cp", ["-a", CLI.testTree(tree) + "/.", folder])
        try #require(result.status == 0, "\(result.stderr)")
    }

    /// Scans, checks the plan properties on the scanned roots (ROOT as C:, then --drive and --map), returns the JSON.
    static func plan(_ arguments: [String]) throws -> (verdict: ScanVerdict, json: JSONValue) {
        let result = try InProcess.outcome(["scan"] + arguments + ["--quiet"])
        var roots = ["C:": arguments[0]]
        for index in arguments.indices.dropFirst()
        where arguments[index - 1] == "--drive" || arguments[index - 1] == "--map" {
            let parts = arguments[index].split(separator: "=", maxSplits: 1).map(String.init)
            roots[arguments[index - 1] == "--drive" ? parts[0] + ":" : parts[0]] = parts[1]
        }
        #expect(PlanCheck.violations(result.stdout, roots: roots) == [])
        return (result.verdict, try JSONValue.parse(result.stdout))
    }

    @Test func aMissingBinaryWithItsServiceIsPlannedFromImagePathWithAWarning() throws {
        let work = try TemporaryFolder()
        try Self.copyTree("ws2019-custom", to: work.path)
        try FileManager.default.removeItem(atPath: work.path + "/C/Windows/System32/vmcompute.exe")
        let (_, json) = try Self.plan([work.path + "/C", "--drive", "D=" + work.path + "/D"])
        let processes = json["exclusions"]!["processes"]!.arrayValue
        let compute = try #require(
            processes.first { $0["path"]?.stringValue?.lowercased().hasSuffix("vmcompute.exe") == true })
        #expect(compute["verified"]?.boolValue == false)
        #expect(
            compute["evidence"]?.arrayValue.contains { $0["detail"]?.stringValue?.contains("vmcompute") == true }
                == true)
        #expect(
            processes.first { $0["path"]?.stringValue?.lowercased().hasSuffix("vmms.exe") == true }?["verified"]?
                .boolValue == true)
        let warnings = json["scan"]!["warnings"]!.arrayValue.compactMap { $0["message"]?.stringValue }
        #expect(warnings.contains { $0.contains("vmcompute.exe is not in the scanned copy") })
    }

    @Test(.requires(.tool("python3"))) func aDiskOnAnUnmappedDriveIsPlannedUnverifiedWithAWarning() throws {
        let work = try TemporaryFolder()
        try work.markAsSystemVolume("C")
        let folder = work.path + "/C/VMs/Web/Virtual Machines"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let id = "E0E0E0E0-1111-4222-8333-444455556666"
        let lib = CLI.projectRoot.appendingPathComponent("scripts/lib").path
        let made = try CLI.runTool(
            "python3",
            [
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
        #expect(
            warnings.contains {
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
        try FileManager.default.createDirectory(
            atPath: work.path + "/C/Windows/Cluster", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            atPath: work.path + "/csv1/VM1/Virtual Machines", withIntermediateDirectories: true)
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
            work.path + "/C", "--drive", "D=" + work.path + "/D", "--map",
            #"C:\ClusterStorage\Volume1="# + work.path + "/csv1",
        ])
        let paths = Dictionary(
            uniqueKeysWithValues: json["exclusions"]!["paths"]!.arrayValue.map { ($0["path"]!.stringValue!, $0) })
        // CSVs are known, so C:\ClusterStorage is planned (it covers the clustered VM's store on Volume1).
        let csv = try #require(paths[#"C:\ClusterStorage"#])
        #expect(csv["basis"]?.stringValue == "microsoftFolder")
        #expect(csv["reasons"]?.arrayValue.contains { $0.stringValue?.contains("clustered VM") == true } == true)
        // The share's store goes to its file server, never into the host's plan.
        #expect(!paths.keys.contains { $0.hasPrefix(#"\\"#) })
        let server = try #require(json["fileServers"]?.arrayValue.first)
        #expect(server["server"]?.stringValue == "fs01")
        #expect(server["shares"]?.arrayValue.first?["paths"]?.arrayValue.first?["relativePath"]?.stringValue == "VM2")
        #expect(json["host"]?["cluster"] != nil)
    }
}
