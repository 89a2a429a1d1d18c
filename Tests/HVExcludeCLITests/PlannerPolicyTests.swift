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

    @Test func aDiskOnAnUnmappedDriveIsPlannedUnverifiedWithAWarning() throws {
        let work = try TemporaryFolder()
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
