import Foundation
import Testing

/// Builds partitioned disk images holding NTFS volumes filled from folders, for the rescue (`--mount`) tests:
/// sgdisk/sfdisk for the table, `scripts/ntfs-volume create` (mkntfs + an ntfs-3g mount) for each volume, dd to
/// place it, `scripts/make-hives` (hivexsh) for a SYSTEM hive whose MountedDevices names the partitions.
enum RescueImageBuilder {
    /// What building and mounting the images needs: root, FUSE and ntfs-3g, loop devices, the partitioning tools,
    /// and make-hives (python3, hivexsh) for the SYSTEM hive.
    static let requirements: [Requirement] =
        [.ntfsMount, .loopDevice, .tool("sgdisk"), .tool("sfdisk"), .tool("dd"), .tool("truncate")]
        + Requirement.makeHives

    /// Writes a real (3 MiB, dynamic, empty) VHDX with the project's own writer, so the scan reads a valid disk.
    static func virtualDisk(at path: String) throws {
        let lib = CLI.projectRoot.appendingPathComponent("scripts/lib").path
        try must(
            "python3",
            [
                "-c",
                "import sys; sys.path.insert(0, sys.argv[1]); import vdisk_writer; vdisk_writer.write_base_vhdx(sys.argv[2], 1 << 30)",
                lib, path,
            ])
    }

    /// Runs a program found on PATH.
    @discardableResult
    static func shell(_ program: String, _ arguments: [String], input: String? = nil) throws -> CLI.Result {
        try CLI.runTool(program, arguments, input: input)
    }

    /// Runs and throws with stderr when the program fails.
    @discardableResult
    static func must(_ program: String, _ arguments: [String], input: String? = nil) throws -> String {
        let result = try shell(program, arguments, input: input)
        guard result.status == 0 else {
            throw RescueFixtureError(
                "\(program) \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stderr)")
        }
        return result.stdout
    }

    /// A folder tree → an NTFS volume file of `mib` MiB.
    static func volume(_ path: String, mib: Int, from folder: String) throws {
        try must(
            CLI.projectRoot.appendingPathComponent("scripts/ntfs-volume").path, ["create", path, String(mib), folder])
    }

    /// Writes `root/Windows/System32/config/SYSTEM` whose MountedDevices maps each name to a GPT partition GUID
    /// (`["gpt", guid]`) or an MBR disk signature + offset (`["mbr", signature, offset]`).
    static func systemHive(volumeRoot root: String, mounted: [String: [Any]]) throws {
        let folder = root + "/Windows/System32/config"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let script = """
            import importlib.machinery, importlib.util, json, struct, sys, uuid
            loader = importlib.machinery.SourceFileLoader("make_hives", sys.argv[1])
            spec = importlib.util.spec_from_loader("make_hives", loader)
            mh = importlib.util.module_from_spec(spec)
            loader.exec_module(mh)
            def data(item):
                if item[0] == "gpt":
                    return b"DMIO:ID:" + uuid.UUID(item[1]).bytes_le
                return struct.pack("<IQ", item[1], item[2])
            mounted = {name: mh.binary(data(item)) for name, item in json.loads(sys.argv[3]).items()}
            mh.write_hive(sys.argv[2], mh.system_tree("2022", mounted=mounted))
            """
        let spec = String(decoding: try JSONSerialization.data(withJSONObject: mounted), as: UTF8.self)
        try must(
            "python3",
            ["-c", script, CLI.projectRoot.appendingPathComponent("scripts/make-hives").path, folder + "/SYSTEM", spec])
    }

    static let systemGUID = "5A1C2E3F-4B5D-4E6F-8A9B-1C2D3E4F5A61"
    static let dataGUID = "5A1C2E3F-4B5D-4E6F-8A9B-1C2D3E4F5A62"

    /// The folders ``gptHost(in:)`` filled its volumes from, by drive: the plan properties (``PlanCheck``) of a
    /// `--mount` scan are checked on them once the mounts are gone.
    static func gptHostFolders(in work: String) -> [String: String] { ["C:": work + "/c", "D:": work + "/d"] }

    /// A 64 MiB GPT image: partition 1 (1 MiB, 24 MiB) holds Windows with a SYSTEM hive naming partition 1 C: and
    /// partition 2 D:; partition 2 (25 MiB, 24 MiB) holds `VMs\Virtual Hard Disks\web.vhdx`; partition 3 is an
    /// unformatted EFI system partition.
    static func gptHost(in work: String) throws -> String {
        let c = work + "/c"
        let d = work + "/d"
        try FileManager.default.createDirectory(atPath: c + "/Windows/System32", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            atPath: d + "/VMs/Virtual Hard Disks", withIntermediateDirectories: true)
        try Data("MZ".utf8).write(to: URL(fileURLWithPath: c + "/Windows/System32/vmms.exe"))
        try virtualDisk(at: d + "/VMs/Virtual Hard Disks/web.vhdx")
        try systemHive(
            volumeRoot: c, mounted: ["\\DosDevices\\C:": ["gpt", systemGUID], "\\DosDevices\\D:": ["gpt", dataGUID]])
        let image = work + "/host disk.img"
        try must("truncate", ["-s", "64M", image])
        try must(
            "sgdisk",
            [
                "-n", "1:1M:+24M", "-t", "1:0700", "-u", "1:\(systemGUID)",
                "-n", "2:25M:+24M", "-t", "2:0700", "-u", "2:\(dataGUID)",
                "-n", "3:49M:+8M", "-t", "3:EF00", image,
            ])
        try volume(work + "/c.ntfs", mib: 24, from: c)
        try volume(work + "/d.ntfs", mib: 24, from: d)
        try must("dd", ["if=\(work)/c.ntfs", "of=\(image)", "bs=1M", "seek=1", "conv=notrunc", "status=none"])
        try must("dd", ["if=\(work)/d.ntfs", "of=\(image)", "bs=1M", "seek=25", "conv=notrunc", "status=none"])
        return image
    }

    /// Loop devices still attached to `image` (`losetup -j`).
    static func attachedLoops(_ image: String) throws -> String {
        try must("losetup", ["-j", image]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The mount points of the loop devices attached to `image`: a scan's own mounts, told apart from those of
    /// other scans running on the same machine at the same time (all below `/tmp/hvexclude-…`).
    static func mountPoints(of image: String) throws -> Set<String> {
        let loops = Set(
            try attachedLoops(image).split(separator: "\n").compactMap {
                $0.split(separator: ":").first.map(String.init)
            })
        return mountPoints(where: { loops.contains($0) })
    }

    /// The mount points in /proc/mounts whose device passes `test`.
    static func mountPoints(where test: (String) -> Bool) -> Set<String> {
        let table = (try? String(contentsOfFile: "/proc/mounts", encoding: .utf8)) ?? ""
        return Set(
            table.split(separator: "\n").compactMap { line in
                let fields = line.split(separator: " ")
                return fields.count > 1 && test(String(fields[0])) ? String(fields[1]) : nil
            })
    }
}

struct RescueFixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
