import Foundation
import Testing

@testable import HVXBinary
@testable import HVXDiskImage
@testable import HVXFormats

/// Strict identification of sector 0: volumes of other kinds and image containers are named (never an MBR), an
/// MBR is believed only when its records are valid, and an image shorter than its partitions or volume is an
/// error with both sizes.
@Suite("Sector 0")
struct SectorZeroTests {
    /// A 1 MiB image whose first bytes are `head` (the rest zeros).
    static func image(_ head: [(Int, [UInt8])], size: Int = 1 << 20, in folder: TemporaryDirectory) throws -> String {
        var bytes = [UInt8](repeating: 0, count: size)
        for (offset, value) in head { bytes.replaceSubrange(offset..<offset + value.count, with: value) }
        return try folder.write("image.img", bytes)
    }

    static let bootMark: (Int, [UInt8]) = (510, [0x55, 0xAA])
    static let jump: (Int, [UInt8]) = (0, [0xEB, 0x58, 0x90])
    static func text(_ offset: Int, _ value: String) -> (Int, [UInt8]) { (offset, Array(value.utf8)) }

    static let cases: [(String, [(Int, [UInt8])], SectorZeroContent)] = [
        ("BitLocker", [jump, text(3, "-FVE-FS-"), bootMark], .bitLocker),
        ("FAT32", [jump, text(3, "MSDOS5.0"), text(82, "FAT32   "), bootMark], .fat("FAT32")),
        ("FAT16", [jump, text(3, "MSDOS5.0"), text(54, "FAT16   "), bootMark], .fat("FAT16")),
        ("exFAT", [jump, text(3, "EXFAT   "), bootMark], .exFAT),
        ("ReFS", [(0, [0, 0, 0]), (3, Array("ReFS".utf8) + [0, 0, 0, 0]), text(16, "FSRS")], .refs),
        ("LUKS", [(0, Array("LUKS".utf8) + [0xBA, 0xBE, 0, 2])], .luks),
        ("qcow2", [(0, Array("QFI".utf8) + [0xFB, 0, 0, 0, 3])], .qcow),
        ("EWF", [(0, Array("EVF".utf8) + [0x09, 0x0D, 0x0A, 0xFF, 0x00])], .ewf),
        ("EWF2", [(0, Array("EVF2".utf8) + [0x0D, 0x0A, 0x81, 0x00])], .ewf),
        ("VMDK sparse", [text(0, "KDMV")], .vmdk),
        ("VMDK descriptor", [text(0, "# Disk DescriptorFile\nversion=1\n")], .vmdk),
        ("VDI", [text(0, "<<< Oracle VM VirtualBox Disk Image >>>\n"), (0x40, [0x7F, 0x10, 0xDA, 0xBE])], .vdi),
        ("ext2", [(1080, [0x53, 0xEF])], .ext),
    ]

    @Test("a volume or container at sector 0 is named, not read as an MBR", arguments: 0..<cases.count)
    func named(index: Int) throws {
        let (name, head, expected) = Self.cases[index]
        let folder = try TemporaryDirectory("hvx-sector0")
        // Bytes where MBR records sit, as a boot sector's code leaves them: four "partitions" if believed.
        let junk: (Int, [UInt8]) = (446, [0x80, 1, 1, 0, 0x07, 0xFE, 0xFF, 0xFF, 64, 0, 0, 0, 0, 0, 0, 0x70])
        let path = try Self.image((expected == .ext ? [] : [junk]) + head, in: folder)
        let table = try PartitionTable.read(path: path)
        #expect(table.kind == .unknown, "\(name)")
        #expect(table.partitions.isEmpty, "\(name)")
        #expect(table.content == expected, "\(name): \(String(describing: table.content))")
        let message = DiskImageError.unrecognised(table, image: path).description
        #expect(message.contains(expected.what), "\(name): \(message)")
    }

    @Test("each named content says what to do")
    func advice() {
        #expect(SectorZeroContent.bitLocker.advice(image: "/x.img").contains("dislocker"))
        #expect(
            SectorZeroContent.qcow.advice(image: "/x.qcow2").contains("qemu-img convert -O raw /x.qcow2 /x.qcow2.raw"))
        #expect(SectorZeroContent.vmdk.advice(image: "/x.vmdk").contains("qemu-img convert -O raw /x.vmdk"))
        #expect(SectorZeroContent.ewf.advice(image: "/x.E01").contains("ewfexport"))
        #expect(SectorZeroContent.ewf.advice(image: "/x.E01").contains("ewfmount /x.E01"))
        #expect(SectorZeroContent.luks.advice(image: "/x.img").contains("cryptsetup open --readonly /x.img"))
    }

    static func record(
        status: UInt8, type: UInt8 = 0x07, chs: [UInt8] = [0, 0x21, 0], start: UInt32, count: UInt32
    ) -> [UInt8] {
        [status] + chs + [type] + [0xFE, 0xFF, 0xFF]
            + (0..<4).map { UInt8(truncatingIfNeeded: start >> (8 * $0)) }
            + (0..<4).map { UInt8(truncatingIfNeeded: count >> (8 * $0)) }
    }

    @Test(
        "an MBR is believed only with valid records",
        arguments: [
            (
                "status byte 0x3F", [record(status: 0x3F, start: 2048, count: 100)],
                "status byte 0x3F is neither 0x00 nor 0x80"
            ),
            (
                "CHS sector 0", [record(status: 0, chs: [1, 0, 0], start: 2048, count: 100)],
                "starting CHS has sector 0"
            ),
            ("LBA 0", [record(status: 0x80, start: 0, count: 100)], "starting LBA 0"),
            (
                "overlap", [record(status: 0, start: 64, count: 100), record(status: 0, start: 100, count: 100)],
                "slots 1 and 2 overlap"
            ),
            (
                "past the end", [record(status: 0, start: 1 << 30, count: 100)],
                "every record starts past the end of the 2048-sector disk"
            ),
        ])
    func invalidMBR(name: String, records: [[UInt8]], problem: String) throws {
        let folder = try TemporaryDirectory("hvx-badmbr")
        let entries = records.enumerated().map { (446 + 16 * $0.offset, $0.element) }
        let table = try PartitionTable.read(path: try Self.image(entries + [Self.bootMark], in: folder))
        #expect(table.kind == .unknown, "\(name)")
        guard case .invalidMBR(let reason) = table.content else {
            Issue.record("\(name): \(String(describing: table.content))")
            return
        }
        #expect(reason.contains(problem), "\(name): \(reason)")
    }

    @Test("a valid MBR (active or not, hybrid 0xEE spanning the others) is still believed")
    func validMBR() throws {
        let folder = try TemporaryDirectory("hvx-goodmbr")
        let records = [
            Self.record(status: 0x80, start: 64, count: 512), Self.record(status: 0, start: 576, count: 512),
            Self.record(status: 0, type: 0xEE, start: 1, count: 2047),
        ]
        let entries = records.enumerated().map { (446 + 16 * $0.offset, $0.element) }
        let table = try PartitionTable.read(path: try Self.image(entries + [Self.bootMark], in: folder))
        #expect(table.content == nil)
        #expect(table.kind == .mbr)
        #expect(table.partitions.map(\.number) == [1, 2, 3])
    }

    @Test("a damaged NTFS boot sector is named, not read as an MBR")
    func damagedNTFS() throws {
        let folder = try TemporaryDirectory("hvx-badntfs")
        // "NTFS    " but 3 bytes per sector; the record bytes hold a valid-looking partition.
        let path = try Self.image(
            [
                Self.jump, Self.text(3, "NTFS    "), (11, [3, 0]), (13, [8]), Self.bootMark,
                (446, Self.record(status: 0x80, start: 64, count: 512)),
            ], in: folder)
        let table = try PartitionTable.read(path: path)
        #expect(table.kind == .unknown)
        guard case .damagedNTFS(let reason) = table.content else {
            Issue.record("\(String(describing: table.content))")
            return
        }
        #expect(reason.contains("bytes per sector 3"), "\(reason)")
    }

    @Test("an image shorter than its MBR partition: an error with both sizes", .requires(.tool("sfdisk")))
    func truncatedMBR() throws {
        let folder = try TemporaryDirectory("hvx-cutmbr")
        let path = try Self.image([], size: 8 << 20, in: folder)
        #expect(try runProcess("sh", ["-c", "echo 'start=2048, type=7' | sfdisk -q \"$0\"", path]).status == 0)
        try #require(truncate(path, 4 << 20) == 0)
        let table = try PartitionTable.read(path: path)
        #expect(table.kind == .mbr)
        #expect(table.errors.count == 1)
        let error = try #require(table.errors.first)
        #expect(
            error.contains("shorter than partition 1") && error.contains("8388608 bytes")
                && error.contains("4194304 bytes"), "\(error)")
    }

    @Test("an image shorter than its bare NTFS volume: an error with both sizes", .requires(.tool("mkntfs")))
    func truncatedBareNTFS() throws {
        let folder = try TemporaryDirectory("hvx-cutntfs")
        let path = try Self.image([], size: 16 << 20, in: folder)
        try #require(try runProcess("mkntfs", ["-F", "-Q", "-q", path]).status == 0)
        #expect(try PartitionTable.read(path: path).errors.isEmpty)
        try #require(truncate(path, 8 << 20) == 0)
        let table = try PartitionTable.read(path: path)
        #expect(table.kind == .bareNTFS)
        let error = try #require(table.errors.first)
        #expect(
            error.contains("shorter than the NTFS volume") && error.contains("the image has 8388608 bytes"), "\(error)")
        #expect(error.contains("\((16 << 20) - 512) bytes"), "\(error)")
    }
}
