import Foundation
import Testing

@testable import HVXBinary
@testable import HVXFormats

@Suite("Virtual disk reader against vhdiinfo")
struct VirtualDiskReaderTests {
    /// vhdiinfo's identifier text in hvexclude's reading: VHDX GUIDs as they are, VHD ids (printed by vhdiinfo in
    /// stored byte order) as a Windows GUID, first three fields little-endian.
    static func reading(_ text: String, _ format: VirtualDisk.Format) -> String {
        guard let guid = GUID(text) else { return "not a GUID: " + text }
        return format == .vhd ? GUID(mixedEndian: guid.bytes).description : guid.description
    }

    /// Every good disk make-disks wrote: our reader and vhdiinfo agree on type, virtual size and parent name.
    @Test(.requires(Requirement.makeDisks)) func agreesWithVhdiinfo() throws {
        let tree = try GeneratedDisks.require()
        #expect(tree.disks.count >= 14)
        let names: [VirtualDisk.DiskType: String] = [
            .fixed: "Fixed", .dynamic: "Dynamic", .differencing: "Differential",
        ]
        for entry in tree.disks {
            let relative = try #require(entry["path"] as? String)
            let path = tree.path(relative)
            let disk = try VirtualDiskReader.read(path: path)
            // make-disks writes whole disks: every block its BAT names lies inside the file.
            #expect(disk.damage == [], "\(relative)")
            let output = try runProcess("vhdiinfo", [path])
            try #require(output.status == 0, "vhdiinfo \(relative): \(output.stderr)")
            var fields: [String: String] = [:]
            for line in output.stdout.split(separator: "\n") where line.hasPrefix("\t") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                fields[line[..<colon].trimmingCharacters(in: .whitespaces)] =
                    line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            #expect(fields["Disk type"] == names[disk.type], "\(relative)")
            #expect(fields["Media size"]?.contains("(\(disk.virtualSize) bytes)") == true, "\(relative)")
            #expect(
                fields["Identifier"].map { Self.reading($0, disk.format) } == disk.identity.description, "\(relative)")
            // vhdiinfo shows a VHDX's absolute_win32_path and a VHD's parent unicode name.
            let shown =
                disk.format == .vhdx
                ? disk.parent?.candidates.first { $0.source == "absolute_win32_path" }?.path
                : disk.parent?.candidates.first { $0.kind == .unicodeName }?.path
            #expect(fields["Parent filename"] == shown, "\(relative)")
            if let expected = disk.parent?.expectedIdentities.first {
                #expect(
                    fields["Parent identifier"].map { Self.reading($0, disk.format) } == expected.description,
                    "\(relative)")
            }
            #expect(disk.warnings.isEmpty, "\(relative): \(disk.warnings)")
        }
    }

    @Test func notADisk() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("x.vhdx", Array(repeating: 0x41, count: 4096))
        #expect { try VirtualDiskReader.read(path: path) } throws: { "\($0)".contains("neither a VHDX") }
    }

    /// Reads a 64 GiB sparse dynamic VHDX made by qemu-img and prints time and bytes read (no assertion on time).
    @Test(.requires(.tool("qemu-img"))) func measureLargeSparseVHDX() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/big.vhdx"
        let made = try runProcess("qemu-img", ["create", "-q", "-f", "vhdx", path, "64G"])
        try #require(made.status == 0, "\(made.stderr)")
        var best = Double.infinity
        var bytes: UInt64 = 0
        for _ in 0..<5 {
            let start = ContinuousClock.now
            let file = try FileReader(path: path)
            let disk = try VirtualDiskReader.read(file: file)
            let elapsed = ContinuousClock.now - start
            best = min(best, Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
            bytes = file.bytesRead
            #expect(disk.virtualSize == 64 << 30 && disk.type == .dynamic)
        }
        print(
            "MEASURE 64 GiB sparse VHDX: best of 5 \(String(format: "%.2f", best)) ms, bytesRead \(bytes) (\(bytes / 1024) KiB)"
        )
        #expect(bytes < 4 << 20)
    }
}
