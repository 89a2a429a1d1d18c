import Foundation
import Testing

@testable import HVXScan

@Suite struct SystemVolumeCheckTests {
    @Test func aFolderWithoutTheMarkersThrowsNamingCandidates() throws {
        let dir = try TemporaryDirectory("sysvol")
        try dir.write("C/Windows/System32/config/SYSTEM")
        try dir.write("D/VMs/a.vhdx")
        #expect(throws: ScanError.notASystemVolume(root: dir.path, candidates: [dir.path + "/C"])) {
            try SystemVolumeCheck.check(dir.path)
        }
        #expect(throws: Never.self) { try SystemVolumeCheck.check(dir.path + "/C") }
        // A file or a missing path is not this check's business (the image and walker paths report those).
        #expect(throws: Never.self) { try SystemVolumeCheck.check(dir.path + "/D/VMs/a.vhdx") }
        #expect(throws: Never.self) { try SystemVolumeCheck.check(dir.path + "/nope") }
    }

    @Test func markersAreMatchedCaseInsensitivelyAndLinksAreNotFollowed() throws {
        let dir = try TemporaryDirectory("sysvol")
        try dir.write("a/PROGRAMDATA/microsoft/WINDOWS/hyper-v/x")
        #expect(SystemVolumeCheck.isSystemVolume(dir.path + "/a"))
        try dir.write("real/Windows/System32/config/x")
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/b", withDestinationPath: dir.path + "/real")
        try FileManager.default.createDirectory(atPath: dir.path + "/c", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: dir.path + "/c/Windows", withDestinationPath: dir.path + "/real/Windows")
        #expect(!SystemVolumeCheck.isSystemVolume(dir.path + "/c"))
        #expect(SystemVolumeCheck.systemVolumesBelow(dir.path) == [dir.path + "/a", dir.path + "/real"])
    }
}
