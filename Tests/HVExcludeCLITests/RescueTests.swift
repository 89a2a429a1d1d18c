import Foundation
import Testing

@testable import HVXSession

/// `hvexclude scan IMAGE` and `--mount` on partitioned disk images (docs/rescue.md). The `--mount` flows run the
/// binary (root, loop devices, FUSE, signals, the commands it prints); a native scan and the usage error in-process.
@Suite("Rescue", .serialized)
struct RescueTests {
    @Test(
        "an image ROOT without --mount is read natively: C: and D: lettered from MountedDevices, no mount",
        .requires(RescueImageBuilder.requirements))
    func imageWithoutMountIsReadNatively() throws {
        let work = try TemporaryFolder()
        let image = try RescueImageBuilder.gptHost(in: work.path)
        let result = try InProcess.outcome(["scan", image])
        #expect(result.verdict == .success, "\(result.shownWarnings)")
        let report = try CLI.json(result.stdout)
        let roots = try #require((report["scan"] as? [String: Any])?["roots"] as? [[String: Any]])
        #expect(roots.map { $0["drive"] as? String } == ["C:", "D:"])
        #expect(roots.map { $0["path"] as? String } == [image + "#p1", image + "#p2"])
        // The partition records name the image, as --mount's do.
        #expect(roots.map { ($0["partition"] as? [String: Any])?["device"] as? String } == [image, image])
        #expect(
            roots.map { ($0["partition"] as? [String: Any])?["basis"] as? String } == [
                "Windows partition", "MountedDevices",
            ])
        let artifacts = try #require(report["artifacts"] as? [[String: Any]])
        #expect(artifacts.contains { $0["path"] as? String == "D:\\VMs\\Virtual Hard Disks\\web.vhdx" })
        #expect(artifacts.contains { $0["path"] as? String == "C:\\Windows\\System32\\vmms.exe" })
        #expect(try RescueImageBuilder.attachedLoops(image).isEmpty)
    }

    @Test(
        "the printed commands mount the partitions, and a scan of the mounts finds D:'s disk",
        .requires(RescueImageBuilder.requirements + [.tool("bash")]))
    func printedCommandsWork() throws {
        let work = try TemporaryFolder()
        let image = try RescueImageBuilder.gptHost(in: work.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: work.path)
        // The listing and the commands are what --mount prints when it cannot mount (here: as nobody).
        let listing = try RescueImageBuilder.shell(
            "setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", CLI.binary, "scan", image, "--mount"]
        ).stderr
        let mountRoot = work.path + "/mnt"
        // Every indented command line up to the scan, with /mnt/hvx moved into the test's folder.
        let commands = listing.split(separator: "\n").map(String.init)
            .filter { $0.hasPrefix("  mkdir") || $0.hasPrefix("  L") || $0.hasPrefix("  ntfs-3g") }
            .map { $0.replacingOccurrences(of: "/mnt/hvx", with: mountRoot) }
        let unmount = try #require(listing.split(separator: "\n").first { $0.hasPrefix("  umount") })
            .replacingOccurrences(of: "/mnt/hvx", with: mountRoot)
        let scanLine = try #require(listing.split(separator: "\n").first { $0.hasPrefix("  hvexclude scan /mnt/hvx") })
        #expect(commands.count == 5)
        let script =
            "set -e\n" + commands.joined(separator: "\n") + "\ntrap '\(unmount)' EXIT\n"
            + "\"$HVX\" "
            + scanLine.replacingOccurrences(of: "/mnt/hvx", with: mountRoot).replacingOccurrences(
                of: "  hvexclude ", with: ""
            )
            .replacingOccurrences(of: "-o report.json", with: "-o \(work.path)/report.json --quiet") + "\n"
        let process = try RescueImageBuilder.shell("env", ["HVX=\(CLI.binary)", "bash", "-c", script])
        #expect(process.status == 0, "\(process.stderr)")
        let reportText = try String(contentsOfFile: work.path + "/report.json", encoding: .utf8)
        let report = try CLI.json(reportText)
        let artifacts = try #require(report["artifacts"] as? [[String: Any]])
        #expect(artifacts.contains { $0["path"] as? String == "D:\\VMs\\Virtual Hard Disks\\web.vhdx" })
        #expect(try RescueImageBuilder.attachedLoops(image).isEmpty)
        #expect(PlanCheck.violations(reportText, roots: RescueImageBuilder.gptHostFolders(in: work.path)) == [])
    }

    @Test(
        "--mount scans the Windows partition as C: and the data partition as D: (from MountedDevices), then cleans up",
        .requires(RescueImageBuilder.requirements))
    func mountGPT() throws {
        let work = try TemporaryFolder()
        let image = try RescueImageBuilder.gptHost(in: work.path)
        let result = try CLI.run(["scan", image, "--mount"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(PlanCheck.violations(result.stdout, roots: RescueImageBuilder.gptHostFolders(in: work.path)) == [])
        let report = try CLI.json(result.stdout)
        let scan = try #require(report["scan"] as? [String: Any])
        let roots = try #require(scan["roots"] as? [[String: Any]])
        #expect(roots.map { $0["drive"] as? String } == ["C:", "D:"])
        let c = try #require(roots.first?["path"] as? String)
        let d = try #require(roots.last?["path"] as? String)
        // Which partition became which drive stays in the report after the mount points are gone.
        let partitions = roots.compactMap { $0["partition"] as? [String: Any] }
        #expect(partitions.map { $0["index"] as? Int } == [1, 2])
        #expect(partitions.map { $0["device"] as? String } == [image, image])
        #expect(partitions.map { $0["basis"] as? String } == ["Windows partition", "MountedDevices"])
        #expect(partitions.map { $0["offset"] as? Int } == [1_048_576, 26_214_400])
        #expect(partitions.allSatisfy { ($0["gptPartitionGuid"] as? String).flatMap(UUID.init(uuidString:)) != nil })
        #expect(
            partitions.map { $0["gptPartitionGuid"] as? String } == [
                RescueImageBuilder.systemGUID, RescueImageBuilder.dataGUID,
            ])
        let text = try CLI.run(["scan", image, "--mount", "--quiet", "--format", "text"])
        // Long lines wrap with a six-space indent: joined again, the root's description is whole.
        #expect(
            text.stdout.replacingOccurrences(of: "\n      ", with: "").contains(
                "C: = partition 1 of \(image) (offset 1048576, GPT partition GUID \(RescueImageBuilder.systemGUID); Windows partition)"
            ))
        #expect(c.hasPrefix("/tmp/hvexclude-") && c.hasSuffix("/p1"))
        #expect(d.hasPrefix("/tmp/hvexclude-") && d.hasSuffix("/p2"))
        let artifacts = try #require(report["artifacts"] as? [[String: Any]])
        let disk = try #require(artifacts.first { $0["path"] as? String == "D:\\VMs\\Virtual Hard Disks\\web.vhdx" })
        #expect(disk["hostPath"] as? String == d + "/VMs/Virtual Hard Disks/web.vhdx")
        #expect(artifacts.contains { $0["path"] as? String == "C:\\Windows\\System32\\vmms.exe" })
        let warnings = try #require(scan["warnings"] as? [[String: Any]])
        // Nothing unreadable: only notes about what this minimal Windows volume lacks (a SOFTWARE hive).
        #expect(!warnings.contains { $0["severity"] as? String == "error" }, "\(warnings)")
        #expect(
            result.stderr.contains(
                "hvexclude: C: = partition 1 of \(image), mounted read-only at \(c) (Windows partition)"))
        #expect(
            result.stderr.contains(
                "hvexclude: D: = partition 2 of \(image), mounted read-only at \(d) (MountedDevices)"))
        // Unmounted, detached, folders gone; the image unchanged in size.
        #expect(!FileManager.default.fileExists(atPath: c))
        let temporary = (c as NSString).deletingLastPathComponent
        #expect(!FileManager.default.fileExists(atPath: temporary))
        #expect(try RescueImageBuilder.attachedLoops(image).isEmpty)
        #expect(!(try String(contentsOfFile: "/proc/mounts", encoding: .utf8)).contains(temporary))
    }

    @Test(
        "--mount on an MBR image with the Windows volume in a logical partition, letters by signature + offset",
        .requires(RescueImageBuilder.requirements))
    func mountMBR() throws {
        let work = try TemporaryFolder()
        let c = work.path + "/c"
        let e = work.path + "/e"
        try FileManager.default.createDirectory(
            atPath: e + "/Hyper-V/Virtual Hard Disks", withIntermediateDirectories: true)
        try RescueImageBuilder.virtualDisk(at: e + "/Hyper-V/Virtual Hard Disks/db.avhdx")
        let signature = 0x7E57_D15C
        try RescueImageBuilder.systemHive(
            volumeRoot: c,
            mounted: [
                "\\DosDevices\\C:": ["mbr", signature, 30 << 20], "\\DosDevices\\E:": ["mbr", signature, 1 << 20],
            ])
        let image = work.path + "/mbr.img"
        try RescueImageBuilder.must("truncate", ["-s", "64M", image])
        try RescueImageBuilder.must(
            "sfdisk", ["-q", image],
            input: """
                label: dos
                label-id: 0x7E57D15C
                start=2048, size=40960, type=7
                start=43008, type=5
                start=61440, size=40960, type=7
                """)
        try RescueImageBuilder.volume(work.path + "/e.ntfs", mib: 20, from: e)
        try RescueImageBuilder.volume(work.path + "/c.ntfs", mib: 20, from: c)
        try RescueImageBuilder.must(
            "dd", ["if=\(work.path)/e.ntfs", "of=\(image)", "bs=1M", "seek=1", "conv=notrunc", "status=none"])
        try RescueImageBuilder.must(
            "dd", ["if=\(work.path)/c.ntfs", "of=\(image)", "bs=1M", "seek=30", "conv=notrunc", "status=none"])
        // --include-unregistered: the disk no VM names is planned, so the plan check below has a folder to judge.
        let result = try CLI.run(["scan", image, "--mount", "--quiet", "--include-unregistered"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(PlanCheck.violations(result.stdout, roots: ["C:": c, "E:": e]) == [])
        let report = try CLI.json(result.stdout)
        let planned = ((report["exclusions"] as? [String: Any])?["paths"] as? [[String: Any]] ?? []).compactMap {
            $0["path"] as? String
        }
        #expect(planned.contains { $0.hasPrefix("E:\\Hyper-V") }, "\(planned)")
        let roots = try #require((report["scan"] as? [String: Any])?["roots"] as? [[String: Any]])
        #expect(roots.map { $0["drive"] as? String } == ["C:", "E:"])
        #expect((roots.first?["path"] as? String)?.hasSuffix("/p5") == true)
        #expect((roots.last?["path"] as? String)?.hasSuffix("/p1") == true)
        let partitions = roots.compactMap { $0["partition"] as? [String: Any] }
        #expect(partitions.map { $0["index"] as? Int } == [5, 1])
        #expect(partitions.map { $0["basis"] as? String } == ["Windows partition", "MountedDevices"])
        #expect(
            partitions.allSatisfy {
                ($0["mbrDiskSignature"] as? String)?.hasPrefix("0x") == true && $0["gptPartitionGuid"] == nil
            })
        let artifacts = try #require(report["artifacts"] as? [[String: Any]])
        #expect(artifacts.contains { $0["path"] as? String == "E:\\Hyper-V\\Virtual Hard Disks\\db.avhdx" })
        #expect(try RescueImageBuilder.attachedLoops(image).isEmpty)
    }

    @Test(
        "a hibernated volume (hiberfil.sys \"HIBR\") is scanned read-only and explained; --strict makes it exit 1",
        .requires(RescueImageBuilder.requirements))
    func hibernated() throws {
        let work = try TemporaryFolder()
        let c = work.path + "/c"
        try FileManager.default.createDirectory(atPath: c + "/VMs", withIntermediateDirectories: true)
        // A system volume whose hives are not there (the check for a wrong ROOT wants the folder, not the hive).
        try FileManager.default.createDirectory(
            atPath: c + "/Windows/System32/config", withIntermediateDirectories: true)
        try RescueImageBuilder.virtualDisk(at: c + "/VMs/a.vhdx")
        try Data(Array("HIBR".utf8) + [UInt8](repeating: 0, count: 4092)).write(
            to: URL(fileURLWithPath: c + "/hiberfil.sys"))
        let image = work.path + "/volume.ntfs"
        try RescueImageBuilder.volume(image, mib: 16, from: c)
        for strict in [false, true] {
            let result = try CLI.run(["scan", image, "--mount"] + (strict ? ["--strict"] : []))
            #expect(result.status == (strict ? 1 : 0), "\(result.stderr)")
            #expect(PlanCheck.violations(result.stdout, roots: ["C:": c]) == [])
            let report = try CLI.json(result.stdout)
            let scan = try #require(report["scan"] as? [String: Any])
            let warnings = try #require(scan["warnings"] as? [[String: Any]])
            let hiber = try #require(warnings.first { $0["path"] as? String == "C:\\hiberfil.sys" })
            let message = try #require(hiber["message"] as? String)
            #expect(message.contains("Windows was hibernated or shut down with Fast Startup"))
            #expect(message.contains("Never mount it read-write with ntfs-3g's remove_hiberfile"))
            // The bare volume has no SYSTEM hive: it is C: by default, and said so.
            #expect(
                warnings.contains {
                    ($0["message"] as? String)?.hasPrefix("no partition holds Windows\\System32\\config\\SYSTEM")
                        == true
                })
            let artifacts = try #require(report["artifacts"] as? [[String: Any]])
            #expect(artifacts.contains { $0["path"] as? String == "C:\\VMs\\a.vhdx" })
            #expect(result.stderr.contains("warning: C:\\hiberfil.sys: C:\\hiberfil.sys starts with \"HIBR\""))
        }
        #expect(try RescueImageBuilder.attachedLoops(image).isEmpty)
    }

    @Test("a mounted folder ROOT with a hibernated hiberfil.sys gets the same explanation")
    func hibernatedFolder() throws {
        let root = try TemporaryFolder()
        try root.markAsSystemVolume()
        try Data(Array("hibr".utf8)).write(to: URL(fileURLWithPath: root.path + "/hiberfil.sys"))
        let result = try InProcess.outcome(["scan", root.path, "--quiet"])
        #expect(result.verdict == .success)
        let warnings = try #require(
            (try CLI.json(result.stdout)["scan"] as? [String: Any])?["warnings"] as? [[String: Any]])
        #expect(
            warnings.contains { ($0["message"] as? String)?.hasPrefix("C:\\hiberfil.sys starts with \"hibr\"") == true }
        )
    }

    @Test("--mount with a folder ROOT is a usage error")
    func mountFolder() throws {
        let root = try TemporaryFolder()
        let result = try InProcess.scan(["scan", root.path, "--mount"])
        guard case .failure(let failure) = result, case .usage(let message) = failure.reason else {
            throw Failure("not a usage error: \(result)")
        }
        #expect(message.contains("--mount takes a disk image file or a block device as ROOT"))
    }

    @Test(
        "--mount as an ordinary user: exit 2, needs root, with the manual commands",
        .requires(RescueImageBuilder.requirements + [.tool("setpriv")]))
    func mountNeedsRoot() throws {
        let work = try TemporaryFolder()
        let image = try RescueImageBuilder.gptHost(in: work.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: work.path)
        let result = try RescueImageBuilder.shell(
            "setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", CLI.binary, "scan", image, "--mount"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("--mount needs root"))
        #expect(result.stderr.contains("losetup -r -o 1048576 --sizelimit 25165824 --show -f"))
    }

    @Test(
        "SIGTERM while the partitions are mounted: unmounted, detached and removed before exiting 143",
        .requires(RescueImageBuilder.requirements))
    func signalCleansUp() throws {
        let work = try TemporaryFolder()
        let c = work.path + "/c"
        try FileManager.default.createDirectory(atPath: c + "/VMs", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            atPath: c + "/Windows/System32/config", withIntermediateDirectories: true)
        // Enough artifacts that the JSON report overflows a pipe nobody reads: the scan then waits, mounted.
        for index in 0..<800 {
            #expect(
                FileManager.default.createFile(
                    atPath: c + "/VMs/disk-\(index)-with-a-long-name-to-fill-the-report.vhdx", contents: nil))
        }
        let image = work.path + "/volume.ntfs"
        try RescueImageBuilder.volume(image, mib: 32, from: c)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = ["scan", image, "--mount", "--quiet"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // This scan's mounts only: other scans on a shared machine may have their own /tmp/hvexclude-… mounts.
        var mounts: Set<String> = []
        for _ in 0..<200 {
            mounts = try RescueImageBuilder.mountPoints(of: image)
            if !mounts.isEmpty { break }
            usleep(50_000)
        }
        #expect(!mounts.isEmpty && mounts.allSatisfy { $0.hasPrefix("/tmp/hvexclude-") }, "\(mounts)")
        usleep(500_000)
        #expect(process.isRunning, "the scan should be blocked writing its report")
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 128 + 15)
        #expect(try RescueImageBuilder.attachedLoops(image).isEmpty)
        #expect(RescueImageBuilder.mountPoints { _ in true }.isDisjoint(with: mounts))
        #expect(mounts.allSatisfy { !FileManager.default.fileExists(atPath: $0) }, "mount folders removed")
        _ = out.fileHandleForReading.readDataToEndOfFile()
    }

    @Test(
        "a whole-disk block device as ROOT (a read-only loop device over the image) is read natively and mounts like the image",
        .requires(RescueImageBuilder.requirements))
    func blockDevice() throws {
        let work = try TemporaryFolder()
        let image = try RescueImageBuilder.gptHost(in: work.path)
        let device = try RescueImageBuilder.must("losetup", ["-r", "--show", "-f", image]).trimmingCharacters(
            in: .whitespacesAndNewlines)
        defer { _ = try? RescueImageBuilder.shell("losetup", ["-d", device]) }
        let native = try CLI.run(["scan", device])
        #expect(native.status == 0, "\(native.stderr)")
        #expect(
            native.stderr.contains(
                "hvexclude: D: = partition 2 of \(device), read natively (raw) as \(device)#p2 (MountedDevices)"))
        let nativeRoots = try #require(
            (try CLI.json(native.stdout)["scan"] as? [String: Any])?["roots"] as? [[String: Any]])
        #expect(nativeRoots.map { $0["drive"] as? String } == ["C:", "D:"])
        let result = try CLI.run(["scan", device, "--mount", "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(PlanCheck.violations(result.stdout, roots: RescueImageBuilder.gptHostFolders(in: work.path)) == [])
        let roots = try #require((try CLI.json(result.stdout)["scan"] as? [String: Any])?["roots"] as? [[String: Any]])
        #expect(roots.map { $0["drive"] as? String } == ["C:", "D:"])
        #expect(roots.map { ($0["partition"] as? [String: Any])?["device"] as? String } == [device, device])
        #expect(try RescueImageBuilder.must("losetup", ["-j", device]).isEmpty)
    }

    @Test(
        "a VHDX host disk through qemu-nbd --read-only: scan /dev/nbd0 --mount",
        .requires(RescueImageBuilder.requirements + [.tool("qemu-img"), .tool("qemu-nbd"), .tool("blockdev"), .nbd0]))
    func vhdxThroughNBD() throws {
        let work = try TemporaryFolder()
        let image = try RescueImageBuilder.gptHost(in: work.path)
        let vhdx = work.path + "/host.vhdx"
        try RescueImageBuilder.must("qemu-img", ["convert", "-f", "raw", "-O", "vhdx", image, vhdx])
        try RescueImageBuilder.must("qemu-nbd", ["--read-only", "--connect=/dev/nbd0", vhdx])
        defer { _ = try? RescueImageBuilder.shell("qemu-nbd", ["--disconnect", "/dev/nbd0"]) }
        // qemu-nbd returns before the kernel knows the size.
        for _ in 0..<50
        where (try? RescueImageBuilder.must("blockdev", ["--getsize64", "/dev/nbd0"]))?.hasPrefix("0") != false {
            usleep(100_000)
        }
        let result = try CLI.run(["scan", "/dev/nbd0", "--mount", "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(PlanCheck.violations(result.stdout, roots: RescueImageBuilder.gptHostFolders(in: work.path)) == [])
        let artifacts = try #require(try CLI.json(result.stdout)["artifacts"] as? [[String: Any]])
        #expect(artifacts.contains { $0["path"] as? String == "D:\\VMs\\Virtual Hard Disks\\web.vhdx" })
    }

    @Test(
        "a VHDX or dynamic VHD as ROOT: exit 2 with the qemu-nbd commands", .requires(.tool("qemu-img")),
        arguments: ["vhdx", "vpc"])
    func virtualDiskRoot(format: String) throws {
        let work = try TemporaryFolder()
        let disk = work.path + "/host." + (format == "vpc" ? "vhd" : "vhdx")
        try RescueImageBuilder.must("qemu-img", ["create", "-f", format, disk, "64M"])
        let result = try CLI.run(["scan", disk, "--mount"])
        #expect(result.status == 2)
        #expect(
            result.stderr.hasPrefix(
                "hvexclude: could not scan: \(disk) is a \(format == "vpc" ? "VHD" : "VHDX") virtual disk"))
        #expect(result.stderr.contains("  qemu-nbd --read-only --connect=/dev/nbd0 \(disk)\n"))
    }
}
