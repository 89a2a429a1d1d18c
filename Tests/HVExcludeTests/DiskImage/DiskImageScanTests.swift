import Foundation
import Testing

@testable import HVXBinary
@testable import HVXDiskImage
@testable import HVXFormats

@Suite("DiskImageScan")
struct DiskImageScanTests {
    @Test(
        "shell quoting",
        arguments: [
            ("/srv/disk.img", "/srv/disk.img"), ("/srv/my disk.img", "'/srv/my disk.img'"),
            ("/srv/it's.img", "'/srv/it'\\''s.img'"), ("", "''"),
        ])
    func quoting(text: String, quoted: String) {
        #expect(DiskImageScan.quote(text) == quoted)
    }

    @Test("the instructions name each NTFS partition's offset and size and mount read-only")
    func instructions() {
        var p1 = DiskPartition(
            number: 1, scheme: .gpt, offset: 1 << 20, size: 12 << 20, typeName: "Microsoft basic data")
        var p3 = DiskPartition(
            number: 3, scheme: .gpt, offset: 25 << 20, size: 4 << 20, typeName: "Microsoft basic data")
        let boot = try? { () throws -> NTFSBootSector in
            var sector = [UInt8](repeating: 0, count: 512)
            sector.replaceSubrange(3..<14, with: NTFSBootSector.oemID + [0x00, 0x02, 0x08])
            var reader = ByteReader(sector, structure: "NTFS")
            return try NTFSBootSector(parsing: &reader)
        }()
        p1.ntfs = boot
        p3.ntfs = boot
        let other = DiskPartition(number: 2, scheme: .gpt, offset: 13 << 20, size: 12 << 20, typeName: "Linux data")
        let table = PartitionTable(
            kind: .gpt, sectorSize: 512, diskSize: 40 << 20, diskSignature: 0, diskGUID: nil,
            partitions: [p1, other, p3], warnings: [])
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
