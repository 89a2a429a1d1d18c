import Foundation
import Testing

/// Builds partitioned disk images with independent tools (sgdisk, sfdisk, mkntfs, dd) and reads them back with
/// independent readers (sfdisk --json, blkid) for comparison.
enum DiskImageFixture {
    static let basicData = "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7"

    /// Runs a program and fails the test with its stderr when it fails.
    @discardableResult
    static func run(_ program: String, _ arguments: [String]) throws -> String {
        let result = try runProcess(program, arguments)
        guard result.status == 0 else {
            throw FixtureError(
                "\(program) \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stderr)")
        }
        return result.stdout
    }

    /// A sparse file of `mib` MiB.
    static func blank(_ path: String, mib: Int) throws {
        try run("truncate", ["-s", "\(mib)M", path])
    }

    /// An NTFS volume of `mib` MiB in a file of its own.
    static func ntfsVolume(_ path: String, mib: Int, label: String) throws {
        try blank(path, mib: mib)
        try run("mkntfs", ["-q", "-F", "-Q", "-L", label, path])
    }

    /// Copies `volume` into `image` at byte `offset` without truncating the image.
    static func place(_ volume: String, into image: String, atMiB offset: Int) throws {
        try run("dd", ["if=\(volume)", "of=\(image)", "bs=1M", "seek=\(offset)", "conv=notrunc", "status=none"])
    }

    /// A 40 MiB GPT image (sgdisk) with two 12 MiB NTFS partitions at 1 MiB and 13 MiB and a 4 MiB Linux one.
    static func gptImage(in folder: TemporaryDirectory, withNTFS: Bool = true) throws -> String {
        let image = folder.path + "/gpt.img"
        try blank(image, mib: 40)
        try run(
            "sgdisk",
            [
                "-n", "1:1M:+12M", "-t", "1:0700", "-c", "1:system", "-u", "1:6B1E9C2A-1F3D-4C5E-8A7B-0C1D2E3F4A51",
                "-n", "2:13M:+12M", "-t", "2:0700", "-c", "2:data", "-u", "2:6B1E9C2A-1F3D-4C5E-8A7B-0C1D2E3F4A52",
                "-n", "3:25M:+4M", "-t", "3:8300", "-U", "0D2A5C1E-3B4F-4A6D-9E8F-7A6B5C4D3E2F", image,
            ])
        if withNTFS {
            try ntfsVolume(folder.path + "/p1.ntfs", mib: 12, label: "system")
            try ntfsVolume(folder.path + "/p2.ntfs", mib: 12, label: "data")
            try place(folder.path + "/p1.ntfs", into: image, atMiB: 1)
            try place(folder.path + "/p2.ntfs", into: image, atMiB: 13)
        }
        return image
    }

    /// A 48 MiB MBR image (sfdisk): primary NTFS at 1 MiB, an extended partition holding two logical ones, NTFS
    /// in the second logical partition.
    static func mbrImage(in folder: TemporaryDirectory) throws -> String {
        let image = folder.path + "/mbr.img"
        try blank(image, mib: 48)
        let script = """
            label: dos
            label-id: 0x5EED1234
            start=2048, size=16384, type=7
            start=18432, type=5
            start=20480, size=8192, type=83
            start=30720, size=12288, type=7
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sfdisk", "-q", image]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data(script.utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw FixtureError("sfdisk failed on \(image)") }
        try ntfsVolume(folder.path + "/primary.ntfs", mib: 8, label: "primary")
        try ntfsVolume(folder.path + "/logical.ntfs", mib: 6, label: "logical")
        try place(folder.path + "/primary.ntfs", into: image, atMiB: 1)
        try place(folder.path + "/logical.ntfs", into: image, atMiB: 15)
        return image
    }

    /// `sfdisk --json`'s partition table object.
    static func sfdisk(_ image: String) throws -> [String: Any] {
        let text = try run("sfdisk", ["--json", image])
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        return try #require(object?["partitiontable"] as? [String: Any])
    }

    /// `blkid`'s UUID (the NTFS serial) of the volume at `offset`, or nil when blkid sees no file system.
    static func blkidUUID(_ image: String, offset: UInt64) throws -> String? {
        let result = try runProcess("blkid", ["-p", "-o", "export", "-O", String(offset), image])
        return result.stdout.split(separator: "\n").first { $0.hasPrefix("UUID=") }.map { String($0.dropFirst(5)) }
    }

    /// Overwrites bytes of `path` at `offset`.
    static func poke(_ path: String, at offset: UInt64, _ bytes: [UInt8]) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try handle.seek(toOffset: offset)
        try handle.write(contentsOf: Data(bytes))
        try handle.close()
    }

    /// Reads bytes of `path` at `offset`.
    static func peek(_ path: String, at offset: UInt64, count: Int) throws -> [UInt8] {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        try handle.seek(toOffset: offset)
        let data = try handle.read(upToCount: count) ?? Data()
        try handle.close()
        return [UInt8](data)
    }

    /// The tools the builders and the independent readers need.
    static let requirements: [Requirement] = ["sgdisk", "sfdisk", "mkntfs", "blkid", "truncate", "dd"].map(
        Requirement.tool)
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
