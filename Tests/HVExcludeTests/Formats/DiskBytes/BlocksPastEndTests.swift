import Foundation
import Testing

@testable import HVXBinary
@testable import HVXFormats

/// BAT entries that point past the end of a VHD/VHDX (a half-copied `.avhd`, a truncated download): reading the
/// blocks they name fails with ``BlockPastEndError`` (never zeros, never the parent's bytes), and opening names
/// them with the path, block, offset and file size. libvhdi agrees (checked by hand through vhdimount: reading the
/// missing part of a truncated dynamic VHD is an I/O error); qemu-img refuses the whole file.
struct BlocksPastEndTests {
    static let writer = Fixtures.projectRoot.appendingPathComponent("scripts/lib").path

    static func qemu(_ format: String, _ path: String, writes: [(String, Int)]) throws {
        try #require(
            try runProcess("qemu-img", ["create", "-q", "-f", format, "-o", "subformat=dynamic", path, "48M"]).status
                == 0)
        for (pattern, offset) in writes {
            let result = try runProcess("qemu-io", ["-f", format, "-c", "write -P \(pattern) \(offset) 65536", path])
            try #require(result.status == 0, "\(result.stderr)")
        }
    }

    static func size(_ path: String) throws -> UInt64 {
        try (FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.uint64Value ?? 0
    }

    static func patch(_ path: String, at offset: UInt64, _ bytes: [UInt8]) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seek(toOffset: offset)
        try handle.write(contentsOf: Data(bytes))
        try handle.close()
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) }
    }
    static func littleEndian(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    @Test(
        "a truncated dynamic VHD (footer kept): the cut block is an error naming it; the others read",
        .requires(.tool("qemu-img"), .tool("qemu-io")))
    func truncatedDynamicVHD() throws {
        let folder = try TemporaryDirectory("hvx-vhd-cut")
        let path = folder.path + "/disk.vhd"
        try Self.qemu("vpc", path, writes: [("0xAB", 0), ("0x5C", 16 << 20)])
        // Cut half of the second block (2 MiB + its bitmap sector) and put the footer back, as a copy that
        // stopped early and was "repaired" would look.
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let footer = Array(bytes.suffix(512))
        bytes.removeLast(512 + (1 << 20))
        try Data(bytes + footer).write(to: URL(fileURLWithPath: path))
        let fileSize = try Self.size(path)
        let opened = try DiskImageBytes.open(path: path)
        #expect(opened.format == "VHD dynamic")
        #expect(opened.errors.count == 1)
        let summary = try #require(opened.errors.first)
        #expect(
            summary.contains(path) && summary.contains("VHD data block 8") && summary.contains("file size \(fileSize)"),
            "\(summary)")
        #expect(try opened.source.read(at: 0, count: 4096) == [UInt8](repeating: 0xAB, count: 4096))
        // The inventory's reader of a disk found on a host names the same block, without the path (the finding
        // names the disk).
        let damage = try VirtualDiskReader.read(path: path).damage
        #expect(damage.codes == [.diskBlocksPastEnd], "\(damage)")
        #expect(damage.first?.message.hasPrefix("1 BAT entry points past the end") == true)
        #expect(damage.first?.message.contains("VHD data block 8 at ") == true)
        #expect(damage.first?.message.contains(path) == false)
        let error = try #require(throws: BlockPastEndError.self) { try opened.source.read(at: 16 << 20, count: 4096) }
        #expect(error.block == 8 && error.fileSize == fileSize && error.path == path)
        #expect(error.offset + error.length > fileSize)
        // Any byte of the damaged block fails, not only the missing half.
        #expect(throws: BlockPastEndError.self) { try opened.source.read(at: (17 << 20) + 512, count: 512) }
    }

    @Test(
        "libvhdi (vhdimount) fails the same read of a truncated dynamic VHD's missing half as hvexclude",
        .requires(
            .tool("qemu-img"), .tool("qemu-io"), .tool("vhdimount"), .tool("dd"), .root,
            .device("/dev/fuse", how: "FUSE: modprobe fuse")))
    func libvhdiAgrees() throws {
        let folder = try TemporaryDirectory("hvx-vhd-cut-libvhdi")
        let path = folder.path + "/disk.vhd"
        try Self.qemu("vpc", path, writes: [("0xAB", 0), ("0x5C", 16 << 20)])
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let footer = Array(bytes.suffix(512))
        bytes.removeLast(512 + (1 << 20))
        try Data(bytes + footer).write(to: URL(fileURLWithPath: path))
        let mount = folder.path + "/mnt"
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        // First block read (present), then the cut half of block 8 (17 MiB + 512 lies past the file's end).
        let script = """
            vhdimount "$0" "$1" > /dev/null 2>&1 &
            for i in $(seq 100); do [ -e "$1/vhdi1" ] && break; sleep 0.1; done
            dd if="$1/vhdi1" bs=512 count=1 of=/dev/null 2>/dev/null; a=$?
            dd if="$1/vhdi1" bs=512 skip=$((17 * 2048 + 1)) count=1 of=/dev/null 2>/dev/null; b=$?
            umount "$1"; wait; echo "$a $b"
            """
        let result = try runProcess("sh", ["-c", script, path, mount])
        #expect(
            result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0 1", "\(result.stdout) \(result.stderr)")
        let opened = try DiskImageBytes.open(path: path)
        #expect(try opened.source.read(at: 0, count: 512).count == 512)
        #expect(throws: BlockPastEndError.self) { try opened.source.read(at: (17 << 20) + 512, count: 512) }
    }

    @Test(
        "a truncated dynamic VHDX: the cut payload block is an error naming it",
        .requires(.tool("qemu-img"), .tool("qemu-io")))
    func truncatedDynamicVHDX() throws {
        let folder = try TemporaryDirectory("hvx-vhdx-cut")
        let path = folder.path + "/disk.vhdx"
        try Self.qemu("vhdx", path, writes: [("0xAB", 0), ("0x5C", 40 << 20)])
        let full = try Self.size(path)
        try #require(truncate(path, off_t(full - (1 << 20))) == 0)
        let opened = try DiskImageBytes.open(path: path)
        let bytes = try #require(opened.source as? VHDXDiskBytes)
        let block = (40 << 20) / bytes.blockSize
        #expect(opened.errors.count == 1)
        #expect(opened.errors.first?.contains("VHDX payload block \(block)") == true, "\(opened.errors)")
        let damage = try VirtualDiskReader.read(path: path).damage
        #expect(damage.codes == [.diskBlocksPastEnd], "\(damage)")
        #expect(damage.first?.message.contains("VHDX payload block \(block) at ") == true, "\(damage)")
        #expect(try opened.source.read(at: 0, count: 512) == [UInt8](repeating: 0xAB, count: 512))
        let error = try #require(throws: BlockPastEndError.self) { try opened.source.read(at: 40 << 20, count: 512) }
        #expect(error.block == block && error.fileSize == full - (1 << 20))
    }

    /// A qemu-made dynamic parent holding 0x11 in its first 64 KiB, and a differencing child written beside it
    /// by scripts/lib/vdisk_writer.py with no block of its own.
    static func chain(_ format: String, in folder: TemporaryDirectory) throws -> (parent: String, child: String) {
        let vhdx = format == "vhdx"
        let parent = folder.path + (vhdx ? "/parent.vhdx" : "/parent.vhd")
        let child = folder.path + (vhdx ? "/child.avhdx" : "/child.avhd")
        try qemu(vhdx ? "vhdx" : "vpc", parent, writes: [("0x11", 0)])
        let size = try DiskImageBytes.open(path: parent).source.size
        let script =
            vhdx
            ? "write_differencing_vhdx(c, vhdx_data_write_guid(p), relative_path='.\\\\parent.vhdx', virtual_size=\(size), block_size=MIB)"
            : "write_differencing_vhd(c, vhd_unique_id(p), 'parent.vhd', virtual_size=\(size))"
        let result = try runProcess(
            "python3",
            [
                "-c",
                "import sys; sys.path.insert(0, '\(writer)'); from vdisk_writer import *; "
                    + "p, c = sys.argv[1:3]; " + script, parent, child,
            ])
        try #require(result.status == 0, "\(result.stderr)")
        return (parent, child)
    }

    @Test(
        "a differencing VHD whose BAT points past its end: an error, never the parent's bytes",
        .requires(.tool("qemu-img"), .tool("qemu-io"), .tool("python3")))
    func differencingVHD() throws {
        let folder = try TemporaryDirectory("hvx-avhd-cut")
        let (_, child) = try Self.chain("vhd", in: folder)
        // Before: the child has no block, so its first sector is the parent's.
        #expect(
            try DiskImageBytes.open(path: child).source.read(at: 0, count: 512) == [UInt8](repeating: 0x11, count: 512))
        #expect(try VirtualDiskReader.read(path: child).damage == [])
        let header = try VHDFile(reading: FileReader(path: child))
        let table = try #require(header.dynamicHeader?.tableOffset)
        let fileSize = try Self.size(child)
        try Self.patch(child, at: table, Self.bigEndian(UInt32(fileSize / 512 + 64)))
        let opened = try DiskImageBytes.open(path: child)
        #expect(opened.errors.count == 1 && opened.errors[0].contains("VHD data block 0"), "\(opened.errors)")
        let damage = try VirtualDiskReader.read(path: child).damage
        #expect(damage.codes == [.diskBlocksPastEnd], "\(damage)")
        #expect(damage.first?.message.contains("VHD data block 0 at ") == true, "\(damage)")
        let error = try #require(throws: BlockPastEndError.self) { try opened.source.read(at: 0, count: 512) }
        #expect(error.block == 0 && error.offset == (fileSize / 512 + 64) * 512 && error.path == child)
        // Blocks the child does not hold still come from the parent (zeros there: qemu wrote only block 0).
        #expect(try opened.source.read(at: 4 << 20, count: 512) == [UInt8](repeating: 0, count: 512))
    }

    @Test(
        "a differencing VHDX whose payload or sector bitmap block lies past its end: an error, never the parent's",
        .requires(.tool("qemu-img"), .tool("qemu-io"), .tool("python3")), arguments: [6, 7])
    func differencingVHDX(state: UInt64) throws {
        let folder = try TemporaryDirectory("hvx-avhdx-cut")
        let (_, child) = try Self.chain("vhdx", in: folder)
        #expect(
            try DiskImageBytes.open(path: child).source.read(at: 0, count: 512) == [UInt8](repeating: 0x11, count: 512))
        #expect(try VirtualDiskReader.read(path: child).damage == [])
        let header = try VHDXFile(reading: FileReader(path: child))
        let fileSize = try Self.size(child)
        let beyond = ((fileSize >> 20) + 4) << 20
        let chunkRatio = ((UInt64(1) << 23) * 512) / (1 << 20)
        try #require(fileSize >= 2 << 20)
        if state == 6 {
            // Block 0 fully present, at an offset past the end.
            try Self.patch(child, at: header.batRegion.fileOffset, Self.littleEndian(beyond | 6))
        } else {
            // Block 0 partially present inside the file (over its log region: any 1 MiB the file holds), its
            // chunk's sector bitmap block past the end.
            try Self.patch(child, at: header.batRegion.fileOffset, Self.littleEndian((1 << 20) | 7))
            try Self.patch(child, at: header.batRegion.fileOffset + chunkRatio * 8, Self.littleEndian(beyond | 6))
        }
        let opened = try DiskImageBytes.open(path: child)
        let named = state == 6 ? "VHDX payload block 0" : "VHDX sector bitmap block of chunk 0"
        #expect(opened.errors.count == 1 && opened.errors[0].contains(named), "\(opened.errors)")
        let damage = try VirtualDiskReader.read(path: child).damage
        #expect(damage.codes == [.diskBlocksPastEnd], "\(damage)")
        #expect(damage.first?.message.contains(named) == true, "\(damage)")
        let error = try #require(throws: BlockPastEndError.self) { try opened.source.read(at: 0, count: 512) }
        #expect(error.offset == beyond && error.fileSize == fileSize)
        #expect(error.description.contains(named))
    }
}
