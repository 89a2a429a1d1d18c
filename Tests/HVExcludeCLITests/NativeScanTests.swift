import Foundation
import Testing

@testable import HVXSession

/// `hvexclude scan IMAGE` read natively (no mount, no root) gives the report a scan of the ntfs-3g mount of the
/// same image gives, apart from what says where things were found on this machine: every `hostPath`,
/// `scan.roots`, `entriesVisited`/`directoriesVisited` (ntfs-3g hides metafiles), `durationSeconds`, `startedAt`,
/// and warning paths that name a host path or the image itself. Scans of an image or folder run in-process; those
/// with `--mount`, and the ones that check what the binary prints about the partitions it reads, run the binary.
@Suite(.serialized) struct NativeScanTests {
    static let script = CLI.projectRoot.appendingPathComponent("scripts").path

    /// The report with everything host-specific removed; `hostRoots` (mount points, image paths, native roots) in
    /// warning paths become `<root>`.
    static func normalized(_ json: String, hostRoots: [String]) throws -> NSDictionary {
        var report = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        var scan = try #require(report["scan"] as? [String: Any])
        func key(_ warning: [String: Any]) -> String {
            "\(warning["path"] ?? "")\u{0}\(warning["message"] ?? "")\u{0}\(warning["severity"] ?? "")"
        }
        for key in ["roots", "entriesVisited", "directoriesVisited", "durationSeconds", "startedAt"] { scan[key] = nil }
        if let warnings = scan["warnings"] as? [[String: Any]] {
            scan["warnings"] = warnings.map { warning -> [String: Any] in
                var warning = warning
                if var path = warning["path"] as? String {
                    for root in hostRoots.sorted(by: { $0.count > $1.count }) where path.hasPrefix(root) {
                        path = "<root>" + path.dropFirst(root.count)
                        break
                    }
                    warning["path"] = path
                }
                return warning
            }.sorted { key($0) < key($1) }
        }
        report["scan"] = scan
        func strip(_ value: Any) -> Any {
            if let object = value as? [String: Any] {
                return object.filter { $0.key != "hostPath" }.mapValues(strip)
            }
            if let array = value as? [Any] { return array.map(strip) }
            return value
        }
        return strip(report) as! NSDictionary
    }

    /// The first line where two reports differ, as sorted pretty JSON.
    static func firstDifference(_ a: NSDictionary, _ b: NSDictionary) -> String {
        func lines(_ value: NSDictionary) -> [String] {
            let data =
                (try? JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys])) ?? Data()
            return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        }
        let left = lines(a)
        let right = lines(b)
        for index in 0..<max(left.count, right.count)
        where index >= left.count || index >= right.count || left[index] != right[index] {
            let context = left[max(0, index - 3)..<min(left.count, index + 1)].joined(separator: "\n")
            return "native line \(index): \(context)\nmounted: \(index < right.count ? right[index] : "<end>")"
        }
        return "none"
    }

    /// Scans natively and through the mounts (folders the test mounted), and expects the same report.
    func expectSameReports(native: [String], mounted: [String], hostRoots: [String], label: String) throws {
        let nativeRun = try InProcess.outcome(["scan"] + native + ["--quiet"])
        let mountedRun = try InProcess.outcome(["scan"] + mounted + ["--quiet"])
        #expect(
            nativeRun.verdict == mountedRun.verdict,
            "\(label): \(nativeRun.verdict) natively, \(mountedRun.verdict) mounted: \(nativeRun.shownWarnings)")
        let a = try Self.normalized(nativeRun.stdout, hostRoots: hostRoots)
        let b = try Self.normalized(mountedRun.stdout, hostRoots: hostRoots)
        #expect(a == b, "\(label): native and mounted reports differ: \(Self.firstDifference(a, b))")
        let roots = try #require(
            (try JSONSerialization.jsonObject(with: Data(nativeRun.stdout.utf8)) as? [String: Any])?["scan"]
                as? [String: Any])
        #expect((roots["entriesVisited"] as? Int ?? 0) > 0)
    }

    @Test(
        "the two-volume NTFS host (make-ntfs-host): C.img and --drive D=D.img natively = the ntfs-3g mounts",
        .requires(.ntfsMount))
    func twoVolumeHost() throws {
        let work = try TemporaryFolder()
        try Shell.check(Self.script + "/make-ntfs-host", [work.path])
        let c = work.path + "/c"
        let d = work.path + "/d"
        try Shell.check(Self.script + "/ntfs-volume", ["mount", work.path + "/C.img", c])
        defer { _ = try? Shell.run("umount", [c]) }
        try Shell.check(Self.script + "/ntfs-volume", ["mount", work.path + "/D.img", d])
        defer { _ = try? Shell.run("umount", [d]) }
        try expectSameReports(
            native: [work.path + "/C.img", "--drive", "D=" + work.path + "/D.img"], mounted: [c, "--drive", "D=" + d],
            hostRoots: [c, d, work.path + "/C.img#p1", work.path + "/D.img#p1"], label: "make-ntfs-host")
    }

    @Test(
        "the hostile volume natively = its ntfs-3g mount (links, loops, deep paths, odd names, corrupt files)",
        .requires([.ntfsMount, .sharedFixtures] + Requirement.makeDisks + Requirement.makeHives),
        .timeLimit(.minutes(10)))
    func hostileVolume() throws {
        let work = try TemporaryFolder()
        let image = work.path + "/hostile.img"
        try Shell.check(Self.script + "/make-hostile-volume", ["--entries", "2000", image])
        let mount = work.path + "/m"
        try Shell.check(Self.script + "/ntfs-volume", ["mount", image, mount])
        defer { _ = try? Shell.run("umount", [mount]) }
        try expectSameReports(
            native: [image], mounted: [mount], hostRoots: [mount, image + "#p1"], label: "hostile volume")
    }

    @Test(
        "the two-drive GPT image of the rescue tests: natively = --mount (C: and D: from MountedDevices)",
        .requires(RescueImageBuilder.requirements))
    func gptImage() throws {
        let work = try TemporaryFolder()
        let image = try RescueImageBuilder.gptHost(in: work.path)
        let native = try CLI.run(["scan", image])
        #expect(native.status == 0, "\(native.stderr)")
        #expect(
            native.stderr.contains(
                "hvexclude: C: = partition 1 of \(image), read natively (raw) as \(image)#p1 (Windows partition)"))
        #expect(
            native.stderr.contains(
                "hvexclude: D: = partition 2 of \(image), read natively (raw) as \(image)#p2 (MountedDevices)"))
        let mounted = try CLI.run(["scan", image, "--mount", "--quiet"])
        let mountRoots = try #require(
            (try JSONSerialization.jsonObject(with: Data(mounted.stdout.utf8)) as? [String: Any])?["scan"]
                as? [String: Any])
        let roots = (mountRoots["roots"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
        #expect(roots.count == 2)
        let a = try Self.normalized(native.stdout, hostRoots: [image])
        let b = try Self.normalized(mounted.stdout, hostRoots: roots + [image])
        #expect(a == b, "\(Self.firstDifference(a, b))")
        let artifacts = try #require(try CLI.json(native.stdout)["artifacts"] as? [[String: Any]])
        #expect(
            artifacts.contains {
                $0["path"] as? String == "D:\\VMs\\Virtual Hard Disks\\web.vhdx"
                    && $0["hostPath"] as? String == image + "#p2/VMs/Virtual Hard Disks/web.vhdx"
            })
    }

    /// The real Windows Server 2022 VHDX, decompressed into `work`.
    static func realVHDX(in work: TemporaryFolder) throws -> String {
        let target = work.path + "/ws2022 disk.vhdx"
        try Shell.check(
            "sh",
            [
                "-c", "gunzip -c \"$0\" > \"$1\"",
                CLI.projectRoot.deletingLastPathComponent().appendingPathComponent(
                    "shared/fixtures/vhdx/real/ws2022-gpt-ntfs.vhdx.gz"
                ).path, target,
            ])
        return target
    }

    @Test(
        "the real Windows Server 2022 VHDX natively = its raw copy mounted with --mount",
        .requires([.ntfsMount, .loopDevice, .tool("qemu-img"), .tool("sh")] + Requirement.gzipFixture))
    func realVHDX() throws {
        let work = try TemporaryFolder()
        let vhdx = try Self.realVHDX(in: work)
        let raw = work.path + "/disk.raw"
        try Shell.check("qemu-img", ["convert", "-O", "raw", vhdx, raw])
        // Its volume holds no Windows\System32\config: refused as a folder would be, read through the native reader.
        guard case .failure(let refused) = try InProcess.scan(["scan", vhdx, "--quiet"]) else {
            throw Failure("a volume without Windows\\System32\\config was scanned")
        }
        #expect(!refused.reason.isUsage)
        #expect(
            refused.messages.contains("ROOT \(vhdx)#p1 does not look like a Windows system volume"), "\(refused)")
        let native = try CLI.run(["scan", vhdx, "--quiet", "--data-only"])
        let mounted = try CLI.run(["scan", raw, "--mount", "--quiet", "--data-only"])
        #expect(native.status == mounted.status, "\(native.stderr)")
        let roots =
            ((try JSONSerialization.jsonObject(with: Data(mounted.stdout.utf8)) as? [String: Any])?["scan"]
            as? [String: Any])?["roots"] as? [[String: Any]] ?? []
        let a = try Self.normalized(native.stdout, hostRoots: [vhdx])
        let b = try Self.normalized(mounted.stdout, hostRoots: roots.compactMap { $0["path"] as? String } + [raw])
        #expect(a == b, "\(Self.firstDifference(a, b))")
    }

    @Test(
        "hvexclude scan disk.vhdx as an ordinary user (nobody): the real VHDX's GPT disk is read, exit 0",
        .requires(Requirement.gzipFixture + [.root, .tool("setpriv"), .tool("sh")]))
    func vhdxAsOrdinaryUser() throws {
        let work = try TemporaryFolder()
        let vhdx = try Self.realVHDX(in: work)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: work.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: vhdx)
        let result = try Shell.run(
            "setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", CLI.binary, "scan", vhdx, "--data-only"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("C: = partition 1 of \(vhdx), read natively (VHDX dynamic)"))
        let report = try CLI.json(result.stdout)
        let scan = try #require(report["scan"] as? [String: Any])
        #expect((scan["roots"] as? [[String: Any]])?.first?["path"] as? String == vhdx + "#p1")
        // Hello.txt.txt, Users, Windows, $RECYCLE.BIN, System Volume Information and what they hold; metafiles hidden.
        #expect(scan["entriesVisited"] as? Int == 12)
    }

    @Test(
        "a BitLocker partition is refused natively with what to do; exit 2 when nothing else is readable",
        .requires(.tool("sfdisk"), .tool("truncate"), .tool("sh")))
    func bitLockerPartition() throws {
        let work = try TemporaryFolder()
        let image = work.path + "/bitlocker.img"
        try Shell.check("truncate", ["-s", "8M", image])
        try Shell.check("sh", ["-c", "echo 'start=2048, type=7' | sfdisk -q \"$0\"", image])
        // A BitLocker volume's boot sector: jump, then the "-FVE-FS-" signature where NTFS has "NTFS    ".
        var sector = [UInt8](repeating: 0, count: 512)
        sector[0...2] = [0xEB, 0x58, 0x90]
        sector[3..<11] = ArraySlice(Array("-FVE-FS-".utf8))
        sector[510] = 0x55
        sector[511] = 0xAA
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: image))
        try handle.seek(toOffset: 1 << 20)
        try handle.write(contentsOf: Data(sector))
        try handle.close()
        guard case .failure(let failure) = try InProcess.scan(["scan", image]) else {
            throw Failure("a BitLocker partition was scanned")
        }
        #expect(!failure.reason.isUsage)
        #expect(
            failure.messages.contains(
                "partition 1: the volume at 0x100000 is BitLocker-encrypted (boot signature -FVE-FS-)"),
            "\(failure.messages)")
        #expect(failure.messages.contains("dislocker") && failure.messages.contains("--mount"))
    }
}
