import Foundation
import Testing

@testable import HVXBinary
@testable import HVXFormats

/// The guest bytes of VHD and VHDX containers, read through their BATs, against independent readers: qemu-img's
/// raw conversion (fixed and dynamic VHD/VHDX written by qemu, with data written by qemu-io), a real
/// differencing VHD and its parent, and the real Windows VHDX.
struct DiskImageBytesTests {
    static func readAll(_ source: any ByteSource) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var offset: UInt64 = 0
        while offset < source.size {
            // Odd-sized pieces cross block and sector boundaries.
            let piece = try source.read(at: offset, count: 777_777)
            #expect(!piece.isEmpty)
            if piece.isEmpty { break }
            bytes += piece
            offset += UInt64(piece.count)
        }
        return bytes
    }

    @Test(
        .requires(.tool("qemu-img"), .tool("qemu-io")),
        arguments: [("vhdx", "dynamic"), ("vhdx", "fixed"), ("vpc", "dynamic"), ("vpc", "fixed")])
    func guestBytesEqualQemuRawConversion(format: String, subformat: String) throws {
        let folder = try TemporaryDirectory("hvx-diskbytes")
        let disk = folder.path + "/disk." + (format == "vpc" ? "vhd" : "vhdx")
        try #require(
            try runProcess("qemu-img", ["create", "-q", "-f", format, "-o", "subformat=\(subformat)", disk, "48M"])
                .status == 0)
        // Data in the first block, across a 2 MiB (VHD) boundary, deep inside, and at the very end.
        for (pattern, offset, length) in [
            ("0xAB", 0, 4096), ("0x5C", 2_097_152 - 1024, 8192), ("0x11", 33_554_432 + 512, 65536),
            ("0xEE", 50_331_648 - 4096, 4096),
        ] {
            let result = try runProcess(
                "qemu-io", ["-f", format, "-c", "write -P \(pattern) \(offset) \(length)", disk])
            try #require(result.status == 0, "\(result.stderr)")
        }
        let raw = folder.path + "/disk.raw"
        try #require(try runProcess("qemu-img", ["convert", "-f", format, "-O", "raw", disk, raw]).status == 0)
        let opened = try DiskImageBytes.open(path: disk)
        #expect(opened.format == (format == "vpc" ? "VHD " : "VHDX ") + subformat)
        // Every block qemu allocated lies inside the file: no block past the end is claimed.
        #expect(opened.errors.isEmpty, "\(opened.errors)")
        let expected = try [UInt8](Data(contentsOf: URL(fileURLWithPath: raw)))
        let actual = try Self.readAll(opened.source)
        #expect(actual.count == expected.count)
        #expect(actual == expected)
    }

    @Test(.requires(Requirement.gzipFixture + [.tool("sh")]))
    func realWindowsVHDXIsDynamicWithItsFacts() throws {
        let opened = try DiskImageBytes.open(path: NTFSRealVolumeTests.image)
        #expect(opened.format == "VHDX dynamic")
        #expect(opened.errors.isEmpty, "\(opened.errors)")
        #expect(opened.source.size == 5_242_880)
        // The protective MBR and the GPT header sit where a GPT disk has them.
        #expect(try opened.source.read(at: 510, count: 2) == [0x55, 0xAA])
        #expect(try opened.source.read(at: 512, count: 8) == Array("EFI PART".utf8))
    }

    @Test(.requires(.sharedFixtures))
    func differencingVHDReadsThroughItsParent() throws {
        // dfvfs's qemu-made pair (checksums edited, so qemu-img refuses them): the child holds no block of its own,
        // so its guest view is its parent's, found beside it by the parent unicode name and checked by unique id.
        let folder = try TemporaryDirectory("hvx-vhd-chain")
        for name in ["image.vhd", "image-differential.vhd"] {
            try FileManager.default.copyItem(atPath: Fixtures.path("vhd/" + name), toPath: folder.path + "/" + name)
        }
        let child = try DiskImageBytes.open(path: folder.path + "/image-differential.vhd")
        let parent = try DiskImageBytes.open(path: folder.path + "/image.vhd")
        #expect(child.format == "VHD differencing over VHD dynamic")
        #expect(child.errors.isEmpty && parent.errors.isEmpty, "\(child.errors) \(parent.errors)")
        #expect(child.source.size == parent.source.size)
        let parentBytes = try Self.readAll(parent.source)
        #expect(parentBytes.contains { $0 != 0 })
        #expect(try Self.readAll(child.source) == parentBytes)
    }

    @Test(.requires(.sharedFixtures))
    func missingParentNamesTheCandidates() throws {
        let folder = try TemporaryDirectory("hvx-vhd-orphan")
        try FileManager.default.copyItem(
            atPath: Fixtures.path("vhd/image-differential.vhd"), toPath: folder.path + "/child.vhd")
        #expect(throws: DiskImageBytes.OpenError.self) { try DiskImageBytes.open(path: folder.path + "/child.vhd") }
        do {
            _ = try DiskImageBytes.open(path: folder.path + "/child.vhd")
        } catch {
            #expect("\(error)".contains(folder.path + "/image.vhd"))
        }
    }
}
