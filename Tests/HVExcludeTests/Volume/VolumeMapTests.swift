import Foundation
import Testing

@testable import HVXVolume

@Suite struct VolumeMapTests {
    @Test func resolvesCaseInsensitivelyAndByLongestPrefix() throws {
        let tree = try TemporaryDirectory()
        try tree.write("C/ProgramData/Microsoft/Windows/Hyper-V/data.vmcx")
        try tree.write("D/Hyper-V/Virtual hard disks/base.vhdx")
        try tree.write("CSV1/VM1/disk.vhdx")
        let map = VolumeMap([
            .init(prefix: try #require(WindowsPath("C:\\")), hostRoot: tree.path + "/C/"),
            .init(prefix: try #require(WindowsPath("D:")), hostRoot: tree.path + "/D"),
            .init(prefix: try #require(WindowsPath("C:\\ClusterStorage\\Volume1")), hostRoot: tree.path + "/CSV1"),
        ])
        let data = map.resolve(try #require(WindowsPath("c:\\programdata\\MICROSOFT\\windows\\hyper-v\\DATA.VMCX")))
        #expect(data == .found(hostPath: tree.path + "/C/ProgramData/Microsoft/Windows/Hyper-V/data.vmcx", kind: .file))
        #expect(
            map.hostPath(for: try #require(WindowsPath("D:\\Hyper-V\\Virtual Hard Disks\\BASE.vhdx"))) == tree.path
                + "/D/Hyper-V/Virtual hard disks/base.vhdx")
        #expect(
            map.hostPath(for: try #require(WindowsPath("C:\\ClusterStorage\\Volume1\\vm1\\Disk.vhdx"))) == tree.path
                + "/CSV1/VM1/disk.vhdx")
        #expect(map.resolve(try #require(WindowsPath("E:\\x"))) == .unmapped)
        guard case .missing(let reason) = map.resolve(try #require(WindowsPath("D:\\Hyper-V\\nothing\\x.vhdx"))) else {
            Issue.record("expected missing"); return
        }
        #expect(reason.contains("nothing"))
    }

    @Test func hostToWindowsUsesTheDeepestRoot() throws {
        let map = VolumeMap([
            .init(prefix: try #require(WindowsPath("C:\\")), hostRoot: "/mnt/c"),
            .init(prefix: try #require(WindowsPath("C:\\ClusterStorage\\Volume1")), hostRoot: "/mnt/c/csv"),
        ])
        #expect(map.windowsPath(forHostPath: "/mnt/c/VMs/a b.vhdx")?.description == "C:\\VMs\\a b.vhdx")
        #expect(map.windowsPath(forHostPath: "/mnt/c/csv/x")?.description == "C:\\ClusterStorage\\Volume1\\x")
        #expect(map.windowsPath(forHostPath: "/mnt/c")?.description == "C:\\")
        #expect(map.windowsPath(forHostPath: "/mnt/cc/x") == nil)
        #expect(map.windowsPath(forHostPath: "/etc/passwd") == nil)
    }

    @Test func folderLinksAreResolvedThroughTheMapNotTheHost() throws {
        let tree = try TemporaryDirectory()
        try tree.write("C/Users/Public/x.vhdx")
        try tree.write("outside/secret.vhdx")
        // A relative link inside the volume, like the "Documents and Settings" junction.
        try FileManager.default.createSymbolicLink(
            atPath: tree.path + "/C/Documents and Settings", withDestinationPath: "Users")
        // A link whose host target lies outside the mapped root must never be followed.
        try FileManager.default.createSymbolicLink(
            atPath: tree.path + "/C/escape", withDestinationPath: tree.path + "/outside")
        let map = VolumeMap([.init(prefix: try #require(WindowsPath("C:")), hostRoot: tree.path + "/C")])
        #expect(
            map.hostPath(for: try #require(WindowsPath("C:\\Documents and Settings\\public\\X.VHDX"))) == tree.path
                + "/C/Users/Public/x.vhdx")
        guard case .missing(let reason) = map.resolve(try #require(WindowsPath("C:\\escape\\secret.vhdx"))) else {
            Issue.record("a link out of the root resolved"); return
        }
        #expect(reason.contains("outside the mapped roots"))
    }
}
