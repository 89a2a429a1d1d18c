import Foundation
import Testing

@testable import HVXSession

/// `hvexclude scan IMAGE` over damaged or foreign images (issue 24), in-process: each ends in a named warning or
/// error and a verdict that says something could not be read (exit 1: the scan ran without part of the image), or
/// in a failure (exit 2: nothing read).
@Suite("Damaged images")
struct DamagedImageTests {
    static func write(_ path: String, at offset: UInt64, _ bytes: [UInt8]) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seek(toOffset: offset)
        try handle.write(contentsOf: Data(bytes))
        try handle.close()
    }

    static func size(_ path: String) throws -> UInt64 {
        try (FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.uint64Value ?? 0
    }

    /// Error and warning messages of a JSON report.
    static func messages(_ stdout: String, severity: String) throws -> [String] {
        let report = try CLI.json(stdout)
        let warnings = (report["scan"] as? [String: Any])?["warnings"] as? [[String: Any]] ?? []
        return warnings.filter { $0["severity"] as? String == severity }.compactMap { $0["message"] as? String }
    }

    @Test(
        "an NTFS image cut in half: the scan names both sizes and exits non-zero",
        .requires(.tool("mkntfs"), .tool("truncate")))
    func truncatedImage() throws {
        let work = try TemporaryFolder()
        let image = work.path + "/cut.img"
        try Shell.check("truncate", ["-s", "16M", image])
        try Shell.check("mkntfs", ["-F", "-Q", "-q", image])
        let whole = try InProcess.outcome(["scan", image, "--data-only", "--quiet"])
        #expect(whole.verdict == .success, "\(whole.shownWarnings)")
        try Shell.check("truncate", ["-s", "8M", image])
        let result = try InProcess.outcome(["scan", image, "--data-only"])
        #expect(result.verdict == .finishedWithErrors)
        #expect(result.warns("the image is shorter than the NTFS volume"), "\(result.shownWarnings)")
        #expect(
            result.warns("16776704 bytes") && result.warns("the image has 8388608 bytes"), "\(result.shownWarnings)")
    }

    /// A dynamic VHD of a fresh 16 MiB NTFS volume (mkntfs, then qemu-img convert).
    static func ntfsVHD(in work: TemporaryFolder) throws -> String {
        let raw = work.path + "/volume.img"
        try Shell.check("truncate", ["-s", "16M", raw])
        try Shell.check("mkntfs", ["-F", "-Q", "-q", raw])
        let vhd = work.path + "/volume.vhd"
        try Shell.check("qemu-img", ["convert", "-f", "raw", "-O", "vpc", "-o", "subformat=dynamic", raw, vhd])
        return vhd
    }

    @Test(
        "a VHD whose BAT points past its end: an error naming path, block, offset and file size; exit 1",
        .requires(.tool("mkntfs"), .tool("truncate"), .tool("qemu-img")))
    func vhdBlockPastEnd() throws {
        let work = try TemporaryFolder()
        let vhd = try Self.ntfsVHD(in: work)
        #expect(try InProcess.outcome(["scan", vhd, "--data-only", "--quiet"]).verdict == .success)
        // The dynamic header (at 512) holds the BAT offset at +16 (big-endian); point the first unallocated
        // block (zeros in the guest, which the scan need not read) past the end.
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: vhd)))
        let table = Int((16..<24).reduce(UInt64(0)) { $0 << 8 | UInt64(bytes[512 + $1]) })
        let blocks = Int((28..<32).reduce(UInt32(0)) { $0 << 8 | UInt32(bytes[512 + $1]) })
        let block = try #require(
            (0..<blocks).first { index in bytes[table + index * 4..<table + index * 4 + 4].allSatisfy { $0 == 0xFF } })
        let fileSize = try Self.size(vhd)
        let sector = UInt32(fileSize / 512 + 100)
        try Self.write(
            vhd, at: UInt64(table + block * 4), (0..<4).map { UInt8(truncatingIfNeeded: sector >> (24 - 8 * $0)) })
        let result = try InProcess.outcome(["scan", vhd, "--data-only"])
        #expect(result.verdict == .finishedWithErrors, "\(result.shownWarnings)")
        let errors = try Self.messages(result.stdout, severity: "error")
        #expect(
            errors.contains {
                $0.contains(vhd) && $0.contains("VHD data block \(block) at \(hex(UInt64(sector) * 512))")
                    && $0.contains("file size \(fileSize)")
            }, "\(errors)")
    }

    @Test(
        "a VHDX whose first payload block lies past its end: the real error with the format's name, exit 2",
        .requires(.tool("mkntfs"), .tool("truncate"), .tool("qemu-img")))
    func vhdxSectorZeroPastEnd() throws {
        let work = try TemporaryFolder()
        let raw = work.path + "/volume.img"
        try Shell.check("truncate", ["-s", "16M", raw])
        try Shell.check("mkntfs", ["-F", "-Q", "-q", raw])
        let vhdx = work.path + "/volume.vhdx"
        try Shell.check("qemu-img", ["convert", "-f", "raw", "-O", "vhdx", "-o", "subformat=dynamic", raw, vhdx])
        // qemu writes the data blocks after its 1 MiB regions: cut the file right after them.
        try Shell.check("truncate", ["-s", "4M", vhdx])
        let failure = try InProcess.failure(["scan", vhdx])
        #expect(!failure.reason.isUsage)
        let stderr = failure.messages
        #expect(stderr.contains("cannot read sector 0 of the VHDX dynamic image \(vhdx)"), "\(stderr)")
        #expect(stderr.contains("VHDX payload block 0") && stderr.contains("past the end of the file"), "\(stderr)")
        #expect(!stderr.contains("no MBR, GPT or NTFS boot sector"))
    }

    static func sector(_ fields: [(Int, [UInt8])], mark: Bool = true) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 4096)
        for (offset, value) in fields { bytes.replaceSubrange(offset..<offset + value.count, with: value) }
        if mark { bytes[510] = 0x55; bytes[511] = 0xAA }
        return bytes
    }

    static let foreign: [(String, [UInt8], [String])] = [
        (
            "BitLocker", sector([(0, [0xEB, 0x58, 0x90]), (3, Array("-FVE-FS-".utf8))]),
            ["BitLocker-encrypted volume", "dislocker"]
        ),
        (
            "FAT32", sector([(0, [0xEB, 0x58, 0x90]), (82, Array("FAT32   ".utf8))]),
            ["FAT32 volume", "reads NTFS only"]
        ),
        (
            "exFAT", sector([(0, [0xEB, 0x76, 0x90]), (3, Array("EXFAT   ".utf8))]),
            ["exFAT volume", "reads NTFS only"]
        ),
        (
            "ReFS", sector([(3, Array("ReFS".utf8) + [0, 0, 0, 0]), (16, Array("FSRS".utf8))], mark: false),
            ["ReFS volume", "Windows host"]
        ),
        (
            "LUKS", sector([(0, Array("LUKS".utf8) + [0xBA, 0xBE, 0, 1])], mark: false),
            ["LUKS-encrypted volume", "cryptsetup open --readonly"]
        ),
        (
            "EWF", sector([(0, Array("EVF".utf8) + [0x09, 0x0D, 0x0A, 0xFF, 0x00, 0x01, 0x01, 0x00])], mark: false),
            ["EnCase/EWF evidence file", "ewfexport", "ewfmount"]
        ),
        (
            "invalid MBR", sector([(446, [0x3F, 0, 2, 0, 0x07, 0xFE, 0xFF, 0xFF, 0, 8, 0, 0, 0, 0, 1, 0])]),
            ["partition records are not valid", "status byte 0x3F"]
        ),
    ]

    @Test(
        "a foreign volume, a container or an invalid MBR at sector 0 is named with what to do; exit 2",
        .requires(.tool("truncate")), arguments: 0..<foreign.count)
    func foreignSectorZero(index: Int) throws {
        let (name, head, expected) = Self.foreign[index]
        let work = try TemporaryFolder()
        let image = work.path + "/image.bin"
        try Shell.check("truncate", ["-s", "8M", image])
        try Self.write(image, at: 0, head)
        let failure = try InProcess.failure(["scan", image])
        #expect(!failure.reason.isUsage, "\(name)")
        let stderr = failure.messages
        for text in expected { #expect(stderr.contains(text), "\(name): \(stderr)") }
        #expect(!stderr.contains("MBR disk"), "\(name)")
        #expect(!stderr.contains("no MBR, GPT or NTFS boot sector"), "\(name)")
    }

    @Test(
        "qcow2 and VMDK (made by qemu-img) and ext2 inside a VHD are named with the command that converts them",
        .requires(.tool("qemu-img"), .tool("mke2fs"), .tool("truncate")), arguments: ["qcow2", "vmdk", "ext2-vhd"])
    func containers(kind: String) throws {
        let work = try TemporaryFolder()
        var image = work.path + "/disk." + kind
        var expected: [String]
        switch kind {
        case "qcow2":
            try Shell.check("qemu-img", ["create", "-q", "-f", "qcow2", image, "64M"])
            expected = ["QEMU qcow/qcow2 image", "qemu-img convert -O raw \(image) \(image).raw"]
        case "vmdk":
            try Shell.check("qemu-img", ["create", "-q", "-f", "vmdk", image, "64M"])
            expected = ["VMware VMDK virtual disk", "qemu-img convert -O raw \(image) \(image).raw"]
        default:
            let raw = work.path + "/ext2.img"
            try Shell.check("truncate", ["-s", "8M", raw])
            try Shell.check("mke2fs", ["-q", "-F", "-t", "ext2", raw])
            image = work.path + "/ext2.vhd"
            try Shell.check("qemu-img", ["convert", "-f", "raw", "-O", "vpc", raw, image])
            expected = ["the VHD dynamic disk \(image) holds at sector 0 an ext2/3/4 file system"]
        }
        let failure = try InProcess.failure(["scan", image])
        #expect(!failure.reason.isUsage, "\(kind)")
        for text in expected { #expect(failure.messages.contains(text), "\(kind): \(failure.messages)") }
    }
}

private func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16, uppercase: true) }
