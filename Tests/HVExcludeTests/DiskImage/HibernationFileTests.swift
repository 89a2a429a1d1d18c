import Foundation
import Testing

@testable import HVXDiskImage
@testable import HVXVolume

@Suite("HibernationFile")
struct HibernationFileTests {
    @Test(
        "signatures",
        arguments: [
            ("HIBR", true), ("hibr", true), ("RSTR", true), ("wake", false), ("WAKE", false), ("\0\0\0\0", false),
            ("HIB", false),
        ])
    func signatures(signature: String, hibernated: Bool) throws {
        let folder = try TemporaryDirectory("hvx-hiber")
        try folder.write(
            "HiberFil.sys", Array(signature.utf8) + [UInt8](repeating: 0, count: signature.count == 3 ? 0 : 60))
        let file = try #require(HibernationFile.read(volumeRoot: folder.path))
        #expect(file.isHibernated == hibernated)
        #expect(file.hostPath == folder.path + "/HiberFil.sys")
        let warnings = HibernationFile.warnings(for: [.init(prefix: WindowsPath("D:\\")!, hostRoot: folder.path)])
        #expect(warnings.count == (hibernated ? 1 : 0))
        if hibernated {
            #expect(warnings[0].path == "D:\\hiberfil.sys")
            #expect(warnings[0].severity == .warning)
            #expect(
                warnings[0].message.hasPrefix(
                    "D:\\hiberfil.sys starts with \"\(signature)\": Windows was hibernated or shut down with Fast Startup"
                ))
            // remove_hiberfile may only ever be named together with its warning.
            #expect(
                warnings[0].message.contains(
                    "Never mount it read-write with ntfs-3g's remove_hiberfile: that deletes the hibernated session"))
        }
    }

    @Test("no hiberfil.sys, or a mapping below a drive root: nothing")
    func absent() throws {
        let folder = try TemporaryDirectory("hvx-hiber-none")
        #expect(HibernationFile.read(volumeRoot: folder.path) == nil)
        try folder.write("hiberfil.sys", Array("HIBR".utf8))
        #expect(
            HibernationFile.warnings(for: [
                .init(prefix: WindowsPath("C:\\ClusterStorage\\Volume1")!, hostRoot: folder.path)
            ]).isEmpty)
    }

    @Test(
        "mount tool messages that mean hibernation",
        arguments: [
            ("Windows is hibernated, refused to mount.", true),
            (
                "The disk contains an unclean file system (0, 0).\nMetadata kept in Windows cache, refused to mount.",
                true
            ),
            ("The NTFS partition is in an unsafe state. Please resume and shutdown Windows fully", true),
            ("ntfs-3g: Failed to access volume '/dev/loop0': No such file or directory", false),
        ])
    func messages(text: String, expected: Bool) {
        #expect(HibernationFile.mentionsHibernation(text) == expected)
    }
}
