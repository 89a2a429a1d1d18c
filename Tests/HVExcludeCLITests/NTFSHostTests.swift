import Foundation
import Testing

@testable import HVXSession

/// On real NTFS: two images made by mkntfs, filled through ntfs-3g, with a real NTFS symlink (reparse data) as a
/// 2012 R2 registration pointing at D:, mounted read-only and scanned (in-process).
@Suite(.serialized) struct NTFSHostTests {
    /// make-ntfs-host writes the images through ntfs-3g with make-disks, make-hives and make-vmcx.
    @Test(.requires([.ntfsMount] + Requirement.makeDisks + Requirement.makeHives))
    func crossDriveRegistrationAndChainOnMountedNTFS() throws {
        let work = try TemporaryFolder()
        let script = CLI.projectRoot.appendingPathComponent("scripts").path
        let made = try CLI.runTool(script + "/make-ntfs-host", [work.path])
        try #require(made.status == 0, "\(made.stderr)")
        let manifest = try JSONValue.parse(try String(contentsOfFile: work.path + "/manifest.json", encoding: .utf8))
        let c = work.path + "/c"
        let d = work.path + "/d"
        try #require(try CLI.runTool(script + "/ntfs-volume", ["mount", work.path + "/C.img", c]).status == 0)
        defer { _ = try? CLI.runTool("umount", [c]) }
        try #require(try CLI.runTool(script + "/ntfs-volume", ["mount", work.path + "/D.img", d]).status == 0)
        defer { _ = try? CLI.runTool("umount", [d]) }

        let result = try InProcess.outcome(["scan", c, "--drive", "D=" + d, "--quiet"])
        #expect(result.verdict == .success, "\(result.shownWarnings)")
        let json = try JSONValue.parse(result.stdout)
        #expect(PlanCheck.violations(result.stdout, roots: ["C:": c, "D:": d]) == [])

        // The link's true Windows target comes from its reparse data, not from ntfs-3g's readlink.
        let registration = try #require(manifest["registration"]?.stringValue)
        let target = try #require(manifest["registrationTarget"]?.stringValue)
        let link = try #require(json["scan"]?["links"]?.arrayValue.first { $0["path"]?.stringValue == registration })
        #expect(link["target"]?.stringValue == target)
        #expect(link["targetSource"]?.stringValue == "reparseData")
        let readlink = try FileManager.default.destinationOfSymbolicLink(
            atPath: try #require(link["hostPath"]?.stringValue))
        #expect(readlink.hasPrefix(c), "ntfs-3g's own readlink points into the C: mount: \(readlink)")

        // The D: VM is the registered one; the config planted at the same path on C: is not.
        let vms = json["virtualMachines"]!.arrayValue
        let a = try #require(vms.first { $0["id"]?.stringValue == manifest["vmA"]?.stringValue })
        let b = try #require(vms.first { $0["id"]?.stringValue == manifest["vmB"]?.stringValue })
        #expect(a["registered"]?.boolValue == true && a["configurationFile"]?.stringValue == target)
        #expect(b["registered"]?.boolValue == false)

        // Base on D:, two checkpoints on C:, every link verified.
        let chain = try #require(a["disks"]?.arrayValue.first?["chain"]?.arrayValue)
        #expect(chain.map { $0["path"]?.stringValue } == manifest["chain"]!.arrayValue.map(\.stringValue))
        #expect(chain.map { $0["status"]?.stringValue } == ["start", "verified", "verified"])

        // Only the registered VM's folders are excluded: D:\VMs\VmA, not C:\VMs\VmA.
        let paths = json["exclusions"]!["paths"]!.arrayValue.compactMap { $0["path"]?.stringValue }
        #expect(paths.contains(#"D:\VMs\VmA"#))
        #expect(!paths.contains { $0.uppercased().hasPrefix(#"C:\VMS"#) })
        // The chain's folders are not Hyper-V's (no configuration names them, their names are not Hyper-V's): the files.
        #expect(paths.contains { $0.hasPrefix(#"D:\Base\"#) } && paths.contains { $0.hasPrefix(#"C:\Checkpoints\"#) })
        #expect(!paths.contains(#"D:\Base"#) && !paths.contains(#"C:\Checkpoints"#))
    }
}
