import Foundation
import Testing

@testable import HVXBinary
@testable import HVXDiskImage
@testable import HVXFormats

@Suite("PartitionTable")
struct PartitionTableTests {
    @Test("GPT with two NTFS partitions matches sfdisk --json and blkid", .requires(DiskImageFixture.requirements))
    func gptMatchesSfdisk() throws {
        let folder = try TemporaryDirectory("hvx-gpt")
        let image = try DiskImageFixture.gptImage(in: folder)
        let table = try PartitionTable.read(path: image)
        let expected = try DiskImageFixture.sfdisk(image)
        #expect(table.kind == .gpt)
        #expect(table.warnings.isEmpty, "\(table.warnings)")
        #expect(table.sectorSize == expected["sectorsize"] as? Int)
        #expect(table.diskGUID?.description == (expected["id"] as? String)?.uppercased())
        let partitions = try #require(expected["partitions"] as? [[String: Any]])
        #expect(table.partitions.count == partitions.count)
        for (ours, theirs) in zip(table.partitions, partitions) {
            let sector = UInt64(table.sectorSize)
            #expect(ours.offset == UInt64(try #require(theirs["start"] as? Int)) * sector)
            #expect(ours.size == UInt64(try #require(theirs["size"] as? Int)) * sector)
            #expect(ours.partitionGUID?.description == (theirs["uuid"] as? String)?.uppercased())
            #expect(ours.gptType?.description == (theirs["type"] as? String)?.uppercased())
            #expect((theirs["node"] as? String)?.hasSuffix(String(ours.number)) == true)
            #expect(ours.name == theirs["name"] as? String)
            let serial = try DiskImageFixture.blkidUUID(image, offset: ours.offset)
            #expect(ours.ntfs?.serialText == serial, "partition \(ours.number)")
        }
        #expect(table.ntfsPartitions.map(\.number) == [1, 2])
        #expect(table.partitions[0].partitionGUID == GUID("6B1E9C2A-1F3D-4C5E-8A7B-0C1D2E3F4A51"))
        #expect(table.partitions[0].typeName == "Microsoft basic data")
        #expect(table.partitions[2].typeName == "Linux data")
        #expect(table.partitions[0].ntfs?.bytesPerSector == 512)
    }

    @Test(
        "MBR with an extended partition: primary and logical partitions match sfdisk --json and blkid",
        .requires(DiskImageFixture.requirements))
    func mbrMatchesSfdisk() throws {
        let folder = try TemporaryDirectory("hvx-mbr")
        let image = try DiskImageFixture.mbrImage(in: folder)
        let table = try PartitionTable.read(path: image)
        let expected = try DiskImageFixture.sfdisk(image)
        #expect(table.kind == .mbr)
        #expect(table.warnings.isEmpty, "\(table.warnings)")
        #expect(table.diskSignature.map { "0x" + String($0, radix: 16) } == (expected["id"] as? String)?.lowercased())
        // sfdisk also lists the extended container itself; it holds no file system and is not ours to list.
        let partitions = try #require(expected["partitions"] as? [[String: Any]]).filter {
            ($0["type"] as? String) != "5"
        }
        #expect(table.partitions.count == partitions.count)
        for (ours, theirs) in zip(table.partitions, partitions) {
            #expect(ours.offset == UInt64(try #require(theirs["start"] as? Int)) * 512)
            #expect(ours.size == UInt64(try #require(theirs["size"] as? Int)) * 512)
            #expect((theirs["node"] as? String)?.hasSuffix(String(ours.number)) == true)
            #expect(ours.mbrType.map { String($0, radix: 16) } == theirs["type"] as? String)
            #expect(ours.diskSignature == 0x5EED_1234)
            #expect(ours.ntfs?.serialText == (try DiskImageFixture.blkidUUID(image, offset: ours.offset)))
        }
        #expect(table.partitions.map(\.number) == [1, 5, 6])
        #expect(table.partitions.map(\.scheme) == [.mbrPrimary, .mbrLogical, .mbrLogical])
        #expect(table.ntfsPartitions.map(\.number) == [1, 6])
        #expect(table.ntfsPartitions.map(\.offset) == [1 << 20, 15 << 20])
    }

    @Test(
        "a damaged primary GPT header falls back to the backup header, with a specific warning",
        .requires(DiskImageFixture.requirements))
    func damagedPrimaryHeader() throws {
        let folder = try TemporaryDirectory("hvx-gpt-crc")
        let image = try DiskImageFixture.gptImage(in: folder)
        let intact = try PartitionTable.read(path: image)
        // One byte of the disk GUID: the header CRC no longer matches.
        let byte = try DiskImageFixture.peek(image, at: 512 + 56, count: 1)[0]
        try DiskImageFixture.poke(image, at: 512 + 56, [byte ^ 0xFF])
        let table = try PartitionTable.read(path: image)
        #expect(table.kind == .gpt)
        #expect(table.partitions == intact.partitions)
        #expect(table.diskGUID == intact.diskGUID)
        #expect(table.warnings.has(.gptDamaged, at: .offset(0x210)), "\(table.warnings)")
        #expect(table.warnings.has(.gptBackupUsed, at: .offset(UInt64(40 << 20) - 512)), "\(table.warnings)")
    }

    @Test(
        "a damaged primary partition entry array falls back to the backup array",
        .requires(DiskImageFixture.requirements))
    func damagedPrimaryArray() throws {
        let folder = try TemporaryDirectory("hvx-gpt-array")
        let image = try DiskImageFixture.gptImage(in: folder)
        let intact = try PartitionTable.read(path: image)
        // The first entry's name: the array CRC no longer matches, the header's still does.
        try DiskImageFixture.poke(image, at: 1024 + 56, [0x58, 0x00])
        let table = try PartitionTable.read(path: image)
        #expect(table.partitions == intact.partitions)
        #expect(table.warnings.has(.gptDamaged, at: .offset(0x400)), "\(table.warnings)")
    }

    @Test(
        "both GPT headers damaged: no partitions from GPT, and warnings that say so",
        .requires(DiskImageFixture.requirements))
    func bothHeadersDamaged() throws {
        let folder = try TemporaryDirectory("hvx-gpt-both")
        let image = try DiskImageFixture.gptImage(in: folder)
        try DiskImageFixture.poke(image, at: 512 + 56, [0x00, 0x11, 0x22])
        try DiskImageFixture.poke(image, at: UInt64(40 << 20) - 512 + 56, [0x00, 0x11, 0x22])
        let table = try PartitionTable.read(path: image)
        #expect(table.kind == .mbr)
        #expect(table.ntfsPartitions.isEmpty)
        #expect(table.partitions.map(\.typeName) == ["GPT protective"])
        #expect(table.warnings.codes == [.gptDamaged, .gptDamaged, .gptMissing], "\(table.warnings)")
    }

    @Test("an image of one NTFS partition is a bare volume at offset 0", .requires(DiskImageFixture.requirements))
    func bareVolume() throws {
        let folder = try TemporaryDirectory("hvx-bare")
        let image = folder.path + "/volume.ntfs"
        try DiskImageFixture.ntfsVolume(image, mib: 8, label: "bare")
        let table = try PartitionTable.read(path: image)
        #expect(table.kind == .bareNTFS)
        #expect(table.partitions.count == 1)
        #expect(table.partitions[0].offset == 0)
        #expect(table.partitions[0].size == 8 << 20)
        #expect(table.partitions[0].ntfs?.serialText == (try DiskImageFixture.blkidUUID(image, offset: 0)))
        #expect(table.partitions[0].ntfs?.volumeBytes == 8 << 20)
    }

    @Test("a GPT image without NTFS lists partitions but no NTFS", .requires(DiskImageFixture.requirements))
    func gptWithoutNTFS() throws {
        let folder = try TemporaryDirectory("hvx-gpt-empty")
        let table = try PartitionTable.read(path: try DiskImageFixture.gptImage(in: folder, withNTFS: false))
        #expect(table.partitions.count == 3)
        #expect(table.ntfsPartitions.isEmpty)
    }

    // MARK: crafted tables

    /// An MBR sector with `records` (type, start LBA, count) in its slots and the 0x55AA signature.
    static func sector(signature: UInt32 = 0xCAFE_F00D, _ records: [(UInt8, UInt32, UInt32)]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 512)
        withUnsafeBytes(of: signature.littleEndian) { bytes.replaceSubrange(440..<444, with: $0) }
        for (slot, record) in records.enumerated() {
            let base = 446 + slot * 16
            bytes[base + 4] = record.0
            withUnsafeBytes(of: record.1.littleEndian) { bytes.replaceSubrange(base + 8..<base + 12, with: $0) }
            withUnsafeBytes(of: record.2.littleEndian) { bytes.replaceSubrange(base + 12..<base + 16, with: $0) }
        }
        bytes[510] = 0x55
        bytes[511] = 0xAA
        return bytes
    }

    @Test("an EBR chain that loops back stops with a warning")
    func ebrLoop() throws {
        let folder = try TemporaryDirectory("hvx-ebr-loop")
        // Extended partition at LBA 2; its EBR lists one logical partition and names itself as the next EBR.
        var image = PartitionTableTests.sector([(0x07, 64, 8), (0x05, 2, 60)])
        image += [UInt8](repeating: 0, count: 512)
        image += PartitionTableTests.sector(signature: 0, [(0x83, 2, 4), (0x05, 0, 60)])
        image += [UInt8](repeating: 0, count: 512 * 69)
        let path = try folder.write("loop.img", image)
        let table = try PartitionTable.read(path: path)
        #expect(table.kind == .mbr)
        #expect(table.diskSignature == 0xCAFE_F00D)
        #expect(table.partitions.map(\.number) == [1, 5])
        #expect(table.partitions.map(\.offset) == [64 * 512, 4 * 512])
        #expect(table.warnings.codes == [.mbrEBRLoop])
    }

    @Test("a partition past the end of the image is listed, with an error naming both sizes")
    func partitionPastEnd() throws {
        let folder = try TemporaryDirectory("hvx-past-end")
        let path = try folder.write(
            "short.img", PartitionTableTests.sector([(0x07, 1, 1000)]) + [UInt8](repeating: 0, count: 512))
        let table = try PartitionTable.read(path: path)
        #expect(table.partitions.count == 1)
        #expect(table.warnings.isEmpty)
        #expect(
            table.errors == [
                "the image is shorter than partition 1 (record at 0x1BE): the partition ends at 0x7D200 "
                    + "(512512 bytes), the image has 1024 bytes (511488 bytes missing: a truncated copy?); listed anyway, "
                    + "what lies past the image's end cannot be read"
            ])
    }

    @Test("an EBR without a signature ends the chain with a warning naming its offset")
    func ebrWithoutSignature() throws {
        let folder = try TemporaryDirectory("hvx-ebr-bad")
        let image = PartitionTableTests.sector([(0x0F, 1, 10)]) + [UInt8](repeating: 0, count: 512 * 11)
        let table = try PartitionTable.read(path: try folder.write("bad-ebr.img", image))
        #expect(table.partitions.isEmpty)
        #expect(table.warnings.codes == [.mbrEBRUnreadable] && table.warnings.first?.location == .offset(0x200))
    }

    @Test(
        "no table, no NTFS: unknown with a warning; shorter than a sector: an error",
        arguments: [0, 100, 511, 512, 4096])
    func unrecognised(size: Int) throws {
        let folder = try TemporaryDirectory("hvx-unknown")
        let path = try folder.write("zero.img", [UInt8](repeating: 0, count: size))
        if size < 512 {
            #expect(throws: BinaryFormatError.self) { try PartitionTable.read(path: path) }
        } else {
            let table = try PartitionTable.read(path: path)
            #expect(table.kind == .unknown)
            #expect(table.partitions.isEmpty)
            #expect(table.warnings.codes == [.imageUnrecognised])
            #expect(
                table.warnings.messages == [
                    "MBR at 0x1FE: no 0x55AA boot signature (found 0x0); no partition table or NTFS volume recognised"
                ])
        }
    }

    @Test(
        "GPT header checks",
        arguments: [
            ("signature", 0, [UInt8(ascii: "X")], "no \"EFI PART\" signature"),
            ("header size", 12, [0x10, 0, 0, 0], "header size 16 is outside 92…512"),
            ("entry size", 84, [0x81, 0, 0, 0], "partition entry size 129 is not 128 × 2ⁿ"),
            ("entry count", 80, [0x01, 0x10, 0, 0], "4097 partition entries of 128 bytes exceed the cap"),
        ])
    func gptHeaderMatrix(field: String, offset: Int, bytes: [UInt8], message: String) throws {
        var header = [UInt8](repeating: 0, count: 512)
        header.replaceSubrange(0..<8, with: Array("EFI PART".utf8))
        header.replaceSubrange(8..<16, with: [0, 0, 1, 0, 92, 0, 0, 0])
        header.replaceSubrange(80..<88, with: [128, 0, 0, 0, 128, 0, 0, 0])
        header.replaceSubrange(offset..<offset + bytes.count, with: bytes)
        let crc = CRC32.ieee.checksum(header[0..<92])
        withUnsafeBytes(of: crc.littleEndian) { header.replaceSubrange(16..<20, with: $0) }
        var reader = ByteReader(header, baseOffset: 512, structure: "GPT primary header")
        #expect {
            _ = try GPTHeader(parsing: &reader)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test(
        "NTFS boot sector checks",
        arguments: [
            (3, Array("NTFX    ".utf8), "no \"NTFS    \" signature"),
            (11, [0x00, 0x03], "bytes per sector 768 is not a power of two"),
            (11, [0x00, 0x20], "bytes per sector 8192"),
            (13, [0x00], "sectors per cluster 0 is not a power of two"),
            (13, [0x03], "sectors per cluster 3 is not a power of two"),
        ])
    func ntfsMatrix(offset: Int, bytes: [UInt8], message: String) throws {
        var sector = [UInt8](repeating: 0, count: 512)
        sector.replaceSubrange(3..<11, with: NTFSBootSector.oemID)
        sector.replaceSubrange(11..<14, with: [0x00, 0x02, 0x08])
        sector[510] = 0x55
        sector[511] = 0xAA
        var good = ByteReader(sector, structure: "NTFS boot sector")
        #expect(try NTFSBootSector(parsing: &good).bytesPerCluster == 4096)
        sector.replaceSubrange(offset..<offset + bytes.count, with: bytes)
        var reader = ByteReader(sector, structure: "NTFS boot sector")
        #expect {
            _ = try NTFSBootSector(parsing: &reader)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test("an NTFS boot sector with a negative cluster exponent and no 0x55AA reads on with a warning")
    func ntfsLargeClusters() throws {
        var sector = [UInt8](repeating: 0, count: 512)
        sector.replaceSubrange(3..<11, with: NTFSBootSector.oemID)
        sector.replaceSubrange(11..<14, with: [0x00, 0x10, 0xF4])  // 4096-byte sectors, 2^12 = 4096... 256-244 = 12
        var reader = ByteReader(sector, baseOffset: 0x100000, structure: "NTFS boot sector")
        let boot = try NTFSBootSector(parsing: &reader)
        #expect(boot.bytesPerCluster == 4096)
        #expect(boot.warnings.codes == [.ntfsBootSignature] && boot.warnings.first?.location == .offset(0x100000 + 510))
    }
}
