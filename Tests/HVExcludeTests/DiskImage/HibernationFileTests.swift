import Foundation
import Testing
@testable import HVExclude

@Suite("HibernationFile")
struct HibernationFileTests {
    @Test("signatures", arguments: [
        ("HIBR", true), ("hibr", true), ("RSTR", true), ("wake", false), ("WAKE", false), ("\0\0\0\0", false), ("HIB", false),
    ])
    func signatures(signature: String, hibernated: Bool) throws {
        let folder = try TemporaryDirectory("hvx-hiber")
        try folder.write("HiberFil.sys", Array(signature.utf8) + [UInt8](repeating: 0, count: signature.count == 3 ? 0 : 60))
        let file = try #require(HibernationFile.read(volumeRoot: folder.path))
        #expect(file.isHibernated == hibernated)
        #expect(file.hostPath == folder.path + "/HiberFil.sys")
        let warnings = HibernationFile.warnings(for: [.init(prefix: WindowsPath("D:\\")!, hostRoot: folder.path)])
        #expect(warnings.count == (hibernated ? 1 : 0))
        if hibernated {
            #expect(warnings[0].path == "D:\\hiberfil.sys")
            #expect(warnings[0].severity == .warning)
            #expect(warnings[0].message.hasPrefix("D:\\hiberfil.sys starts with \"\(signature)\": Windows was hibernated or shut down with Fast Startup"))
            // remove_hiberfile may only ever be named together with its warning.
            #expect(warnings[0].message.contains("Never mount it read-write with ntfs-3g's remove_hiberfile: that deletes the hibernated session"))
        }
    }

    @Test("no hiberfil.sys, or a mapping below a drive root: nothing")
    func absent() throws {
        let folder = try TemporaryDirectory("hvx-hiber-none")
        #expect(HibernationFile.read(volumeRoot: folder.path) == nil)
        try folder.write("hiberfil.sys", Array("HIBR".utf8))
        #expect(HibernationFile.warnings(for: [.init(prefix: WindowsPath("C:\\ClusterStorage\\Volume1")!, hostRoot: folder.path)]).isEmpty)
    }

    @Test("mount tool messages that mean hibernation", arguments: [
        ("Windows is hibernated, refused to mount.", true),
        ("The disk contains an unclean file system (0, 0).\nMetadata kept in Windows cache, refused to mount.", true),
        ("The NTFS partition is in an unsafe state. Please resume and shutdown Windows fully", true),
        ("ntfs-3g: Failed to access volume '/dev/loop0': No such file or directory", false),
    ])
    func messages(text: String, expected: Bool) {
        #expect(HibernationFile.mentionsHibernation(text) == expected)
    }
}

@Suite("ExternalCommand")
struct ExternalCommandTests {
    @Test("collects stdout, stderr and the exit status")
    func run() throws {
        let result = try ExternalCommand.run("sh", ["-c", "echo out; echo err >&2; exit 3"])
        #expect(result == .init(status: 3, output: "out\n", errorOutput: "err\n"))
    }

    @Test("a killed child reports 128 + the signal")
    func killed() throws {
        let result = try ExternalCommand.run("sh", ["-c", "kill -TERM $$"])
        #expect(result.status == 128 + 15, "\(result)")
    }

    @Test("a child that leaves a daemon holding its output does not hang the caller")
    func daemon() throws {
        let start = ContinuousClock.now
        let result = try ExternalCommand.run("sh", ["-c", "sleep 5 & echo started"])
        #expect(result.status == 0)
        #expect(result.output == "started\n")
        #expect(ContinuousClock.now - start < .seconds(3))
    }

    @Test("a missing program is ENOENT; sbin folders are searched without PATH")
    func missing() throws {
        #expect(throws: SystemError.self) { try ExternalCommand.run("hvexclude-no-such-tool", []) }
        #expect(ExternalCommand.locate("losetup") != nil)
    }
}

@Suite("DiskImageScan")
struct DiskImageScanTests {
    @Test("shell quoting", arguments: [
        ("/srv/disk.img", "/srv/disk.img"), ("/srv/my disk.img", "'/srv/my disk.img'"), ("/srv/it's.img", "'/srv/it'\\''s.img'"), ("", "''"),
    ])
    func quoting(text: String, quoted: String) {
        #expect(DiskImageScan.quote(text) == quoted)
    }

    @Test("the instructions name each NTFS partition's offset and size and mount read-only")
    func instructions() {
        var p1 = DiskPartition(number: 1, scheme: .gpt, offset: 1 << 20, size: 12 << 20, typeName: "Microsoft basic data")
        var p3 = DiskPartition(number: 3, scheme: .gpt, offset: 25 << 20, size: 4 << 20, typeName: "Microsoft basic data")
        let boot = try? { () throws -> NTFSBootSector in
            var sector = [UInt8](repeating: 0, count: 512)
            sector.replaceSubrange(3..<14, with: NTFSBootSector.oemID + [0x00, 0x02, 0x08])
            var reader = ByteReader(sector, structure: "NTFS")
            return try NTFSBootSector(parsing: &reader)
        }()
        p1.ntfs = boot
        p3.ntfs = boot
        let other = DiskPartition(number: 2, scheme: .gpt, offset: 13 << 20, size: 12 << 20, typeName: "Linux data")
        let table = PartitionTable(kind: .gpt, sectorSize: 512, diskSize: 40 << 20, diskSignature: 0, diskGUID: nil, partitions: [p1, other, p3], warnings: [])
        let text = DiskImageScan.instructions(table, image: "/srv/my disk.img")
        #expect(text.contains("  L1=$(losetup -r -o 1048576 --sizelimit 12582912 --show -f '/srv/my disk.img')\n"))
        #expect(text.contains("  ntfs-3g -o ro \"$L1\" /mnt/hvx/p1"))
        #expect(text.contains("  L3=$(losetup -r -o 26214400 --sizelimit 4194304 --show -f '/srv/my disk.img')\n"))
        #expect(text.contains("mount -t ntfs3 -o ro \"$L3\" /mnt/hvx/p3"))
        #expect(!text.contains("p2"))
        #expect(text.contains("  hvexclude scan /mnt/hvx/p1 --drive D=/mnt/hvx/p3 -o report.json\n"))
        #expect(text.contains("  hvexclude scan '/srv/my disk.img' --mount -o report.json\n"))
    }
}
