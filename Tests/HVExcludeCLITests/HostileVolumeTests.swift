import Foundation
import Testing

@testable import HVXSession

/// A full scan (in-process; under strace, the binary) of the NTFS image `scripts/make-hostile-volume` builds (link loops, links leaving the
/// volume, 300-deep paths, odd names, 100,000 entries in one folder, sparse 1 TiB files, corrupt disks, hives
/// and configurations), mounted read-write (noatime) and then read-only through ntfs-3g. Checked: the image's
/// bytes do not change, the report is valid JSON with one warning per planted problem, nothing outside the
/// root is opened (strace) or read (a canary's access time), `--output` inside the mount is refused, and the
/// scan does not hang. Skipped with one line naming what is missing (root, FUSE, a tool, ../shared/fixtures).
@Suite(.serialized) struct HostileVolumeTests {
    static let script = CLI.projectRoot.appendingPathComponent("scripts").path

    /// make-hostile-volume builds with ntfs-3g (as root), make-disks, make-hives and make-vmcx, and cuts corrupt
    /// configurations from the real ones in ../shared/fixtures.
    static let requirements: [Requirement] =
        [.ntfsMount, .sharedFixtures] + Requirement.makeDisks + Requirement.makeHives

    @Test(.requires(HostileVolumeTests.requirements), .timeLimit(.minutes(10)))
    func scanOfTheHostileVolumeChangesNothingAndReportsEveryProblem() throws {
        let work = try TemporaryFolder()
        let outside = work.path + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        let canary = outside + "/canary.vhdx"
        try Data("canary: a scan must never open this file".utf8).write(to: URL(fileURLWithPath: canary))
        // An access time older than the modification time: relatime would update it on the first read.
        try Shell.check("touch", ["-a", "-d", "2001-01-01 00:00:00", canary])
        let canaryAccess = try accessTime(canary)

        let image = work.path + "/hostile.img"
        let made = try Shell.check(Self.script + "/make-hostile-volume", ["--canary", canary, image])
        print("make-hostile-volume: \(made.stdout.trimmingCharacters(in: .whitespacesAndNewlines))")
        let manifest = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: image + ".manifest.json")))
                as? [String: Any])
        let problems = try #require(manifest["problems"] as? [[String: String]])
        // A part the script could not build (a tool missing) would make this test pass on less than it claims.
        #expect(
            (manifest["skipped"] as? [String] ?? []).isEmpty,
            "make-hostile-volume skipped: \(manifest["skipped"] ?? "")")
        let mount = work.path + "/mnt"

        // Read-write with noatime, then read-only: the image must hash the same before and after each scan.
        var reports: [[String: Any]] = []
        for writable in [true, false] {
            try Shell.check(Self.script + "/ntfs-volume", ["mount", image, mount] + (writable ? ["--rw"] : []))
            defer { _ = try? Shell.run(Self.script + "/ntfs-volume", ["umount", mount]) }
            let label = writable ? "read-write,noatime" : "read-only"
            try Shell.check("sync", [])
            let before = try sha256(image)

            let clock = ContinuousClock()
            let started = clock.now
            let scan = try InProcess.outcome(["scan", mount, "--quiet"])
            let elapsed = clock.now - started
            print("hostile volume (\(label)): scan took \(elapsed), \(scan.verdict)")
            #expect(elapsed < .seconds(120), "the scan must not hang (\(elapsed))")

            // --output inside the mounted volume is refused before anything is written.
            let refused = try InProcess.failure(["scan", mount, "--output", mount + "/report.json", "--quiet"])
            #expect(refused.reason.isUsage)
            #expect(refused.description.contains("inside the scanned root"))
            #expect(!FileManager.default.fileExists(atPath: mount + "/report.json"))

            let strict = try InProcess.outcome(["scan", mount, "--quiet", "--strict"])
            try Shell.check("sync", [])
            let after = try sha256(image)
            #expect(before == after, "\(label): the image changed during the scans (\(before) → \(after))")

            let report = try CLI.json(scan.stdout)
            try checkReport(report, problems: problems, verdict: scan.verdict, label: label)
            // The plan keeps its properties on a volume built to break it (link loops, odd names, corrupt files).
            #expect(PlanCheck.violations(scan.stdout, roots: ["C:": mount]) == [], "\(label)")
            // Every planted link problem is a warning: --strict turns them into exit code 1.
            #expect(strict.verdict == .finishedWithErrors, "\(label): --strict: \(strict.verdict)")
            reports.append(report)
        }
        // Both mounts show the same volume.
        let artifacts = reports.map { ($0["artifacts"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String } }
        #expect(artifacts[0] == artifacts[1])
        #expect(try accessTime(canary) == canaryAccess, "the canary outside the root was read")
    }

    @Test(.requires(HostileVolumeTests.requirements + [.tool("strace")]), .timeLimit(.minutes(10)))
    func aScanOpensNothingOutsideTheRoot() throws {
        let work = try TemporaryFolder()
        let outside = work.path + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        let canary = outside + "/canary.vhdx"
        try Data("canary".utf8).write(to: URL(fileURLWithPath: canary))
        let image = work.path + "/hostile.img"
        // The confinement check needs the links, not the 100,000-entry folder.
        try Shell.check(Self.script + "/make-hostile-volume", ["--entries", "1000", "--canary", canary, image])
        let mount = work.path + "/mnt"
        try Shell.check(Self.script + "/ntfs-volume", ["mount", image, mount])
        defer { _ = try? Shell.run(Self.script + "/ntfs-volume", ["umount", mount]) }

        let log = work.path + "/strace.log"
        // -y prints each descriptor's path, so openat(dirfd, relative) can be resolved.
        let traced = try Shell.run(
            "strace",
            [
                "-f", "-y", "-qq", "-e", "trace=open,openat,openat2,execve", "-e", "signal=none", "-o", log,
                CLI.binary, "scan", mount, "--quiet",
            ])
        #expect(traced.status == 0 || traced.status == 1, "scan under strace exited \(traced.status): \(traced.stderr)")
        let opened = try String(contentsOfFile: log, encoding: .utf8)
            .split(separator: "\n").compactMap { Self.openedPath(String($0)) }
        #expect(
            opened.contains { $0.hasPrefix(mount + "/") }, "strace saw no open under the mount: \(opened.prefix(20))")
        // The binary's own libraries and the process's view of itself are allowed; nothing else outside the root.
        let allowed = [
            "/proc/", "/sys/devices/system/cpu/", "/etc/ld.so", "/lib", "/usr/lib", "/opt/swift/", "/dev/null",
            "/dev/urandom", "/usr/share/zoneinfo", "/etc/localtime", CLI.binary,
            (CLI.binary as NSString).deletingLastPathComponent + "/",
        ]
        let escaped = opened.filter { path in
            path != mount && !path.hasPrefix(mount + "/") && !allowed.contains { path == $0 || path.hasPrefix($0) }
        }
        #expect(escaped.isEmpty, "opened outside the root: \(escaped)")
        #expect(!opened.contains { $0.hasPrefix(outside) }, "the canary folder was opened")
    }

    @Test func namesThatAreNotUTF8ScanToValidJSON() throws {
        // ntfs-3g refuses such names, so a plain folder stands in for the volume.
        let root = try TemporaryFolder()
        try root.markAsSystemVolume()
        let names: [[UInt8]] = [
            Array("bad-".utf8) + [0xFF, 0xFE] + Array(".vhdx".utf8),
            Array("latin1-".utf8) + [0xE9] + Array(".avhdx".utf8),
            Array("Virtual Machines".utf8),
        ]
        for name in names {
            let path = Array(root.path.utf8) + [0x2F] + name + [0]
            let isFolder = name == Array("Virtual Machines".utf8)
            let result = path.withUnsafeBufferPointer { raw -> Int32 in
                let chars = UnsafeRawPointer(raw.baseAddress!).assumingMemoryBound(to: CChar.self)
                if isFolder { return mkdir(chars, 0o755) }
                let fd = open(chars, O_CREAT | O_WRONLY, 0o644)
                if fd >= 0 { close(fd) }
                return fd >= 0 ? 0 : -1
            }
            #expect(result == 0)
        }
        let scan = try InProcess.outcome(["scan", root.path, "--quiet"])
        #expect(scan.verdict == .success || scan.verdict == .finishedWithErrors)
        #expect(PlanCheck.violations(scan.stdout, roots: ["C:": root.path]) == [])
        let report = try CLI.json(scan.stdout)
        let artifacts = (report["artifacts"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
        let warnings = ((report["scan"] as? [String: Any])?["warnings"] as? [[String: Any]] ?? []).compactMap {
            $0["path"] as? String
        }
        // Each undecodable name is either listed (lossy) or warned about: never silently dropped.
        for stem in ["bad-", "latin1-"] {
            #expect(
                artifacts.contains { $0.contains(stem) } || warnings.contains { $0.contains(stem) },
                "\(stem): \(scan.stdout.prefix(2000))")
        }
    }

    // MARK: Checks

    func checkReport(_ report: [String: Any], problems: [[String: String]], verdict: ScanVerdict, label: String) throws
    {
        let scan = try #require(report["scan"] as? [String: Any])
        let warnings = try #require(scan["warnings"] as? [[String: Any]])
        let links = try #require(scan["links"] as? [[String: Any]])
        let artifacts = try #require(report["artifacts"] as? [[String: Any]])
        let hasErrors = warnings.contains { $0["severity"] as? String == "error" }
        // Exit 1 exactly when something could not be read (an error-severity warning), else 0.
        #expect(
            verdict == (hasErrors ? .finishedWithErrors : .success),
            "\(label): \(verdict), errors in report: \(hasErrors)")
        #expect(
            (scan["entriesVisited"] as? Int ?? 0) >= 100_000,
            "\(label): entriesVisited \(scan["entriesVisited"] ?? "nil")")

        func windows(_ relative: String) -> String { "C:\\" + relative.replacingOccurrences(of: "/", with: "\\") }
        let warningsByPath = Dictionary(grouping: warnings) { $0["path"] as? String ?? "" }
        // One warning per problem: no path carries the same message twice.
        for (path, list) in warningsByPath {
            let messages = list.compactMap { $0["message"] as? String }
            #expect(Set(messages).count == messages.count, "\(label): repeated warnings for \(path): \(messages)")
        }

        // Links that leave the volume: exactly one warning each, naming why.
        let escapes: [(String, String)] = [
            ("Links/etc", "points outside the mapped roots (/etc)"),
            ("Links/passwd", "climbs above the volume root"),
            ("Links/parent-escape", "climbs above the volume root"),
            ("Links/canary-file.vhdx", "points outside the mapped roots"),
            ("Links/canary-folder", "points outside the mapped roots"),
        ]
        for (relative, expected) in escapes {
            let list = warningsByPath[windows(relative)] ?? []
            #expect(list.count == 1, "\(label): \(relative): \(list)")
            // Bound first: inside #expect, `x as? String ?? ""` parsed so that the check could not fail.
            let message: String = list.first?["message"] as? String ?? ""
            #expect(message.contains(expected), "\(label): \(relative): \(list)")
        }
        // Loops and the other-drive junction are recorded with their targets and not followed.
        let targets = Dictionary(
            links.compactMap { link in (link["path"] as? String).map { ($0, link["target"] as? String ?? "") } },
            uniquingKeysWith: { first, _ in first })
        #expect(targets[windows("Loops/self")] == "C:\\Loops\\self")
        #expect(targets[windows("Loops/a")] == "C:\\Loops\\b")
        #expect(targets[windows("Loops/up")] == "C:\\Loops")
        #expect(targets[windows("Loops/j1")] == "C:\\Loops\\j2")
        #expect(targets[windows("Links/other-drive")] == "E:\\VMs")
        let artifactPaths = artifacts.compactMap { $0["path"] as? String }
        #expect(
            !artifactPaths.contains { $0.uppercased().hasPrefix("C:\\LOOPS\\") },
            "\(label): something was found through a loop")
        let hostPaths: [String] = artifacts.compactMap { $0["hostPath"] as? String }
        #expect(!hostPaths.contains { $0.contains("/canary") })

        // Everything planted with a Hyper-V extension is listed once: deep, odd names, sparse, empty, corrupt.
        for problem in problems
        where ["deep-path", "sparse-1tib", "zero-length", "corrupt-disk"].contains(problem["kind"] ?? "") {
            let path = problem["path"]! + (problem["kind"] == "deep-path" ? "/bottom.vhdx" : "")
            #expect(artifactPaths.filter { $0 == windows(path) }.count == 1, "\(label): \(path) not listed once")
        }
        for name in [
            "line\nfeed.vhdx", "double\"quote.avhdx", "single'quote.vhd", "dollar$HOME.vmcx", "-dash-first.vhdx",
        ] {
            #expect(
                artifactPaths.contains(windows("Names/" + name)), "\(label): Names/\(name.debugDescription) missing")
        }
        // A host name holding '\' must not turn into another Windows path; it is reported instead.
        #expect(!artifactPaths.contains(windows("Names/back") + "\\slash.vhdx"))
        #expect(
            warnings.contains {
                ($0["path"] as? String ?? "").hasSuffix("/Names/back\\slash.vhdx")
                    && ($0["message"] as? String ?? "").contains("has no Windows path")
            }, "\(label): no warning for the backslash name")
    }

    func sha256(_ path: String) throws -> String {
        let result = try Shell.check("sha256sum", [path])
        return String(result.stdout.prefix(64))
    }

    func accessTime(_ path: String) throws -> String {
        try Shell.check("stat", ["-c", "%X.%x", path]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The absolute path an `open`/`openat`/`openat2` line of `strace -y` opened, or `nil` for other lines.
    static func openedPath(_ line: String) -> String? {
        guard let call = line.range(of: #"open(at2?)?\("#, options: .regularExpression) else { return nil }
        let rest = line[call.upperBound...]
        guard let firstQuote = rest.firstIndex(of: "\"") else { return nil }
        let arguments = rest[..<firstQuote]
        let afterQuote = rest[rest.index(after: firstQuote)...]
        guard let closing = afterQuote.firstIndex(of: "\"") else { return nil }
        let name = String(afterQuote[..<closing])
        if name.hasPrefix("/") { return name }
        // openat(3</dir>, "name", …): resolve against the descriptor's path; AT_FDCWD against the test's cwd.
        if let open = arguments.firstIndex(of: "<"), let close = arguments.lastIndex(of: ">") {
            return String(arguments[arguments.index(after: open)..<close]) + "/" + name
        }
        if !arguments.contains("AT_FDCWD") {
            // A descriptor whose path strace cannot print (deeper than PATH_MAX): the walker opened it itself, and
            // every such open is checked on its own line. One more component below it stays below it; anything
            // else is reported as it stands.
            return name.contains("/") || name == ".." ? "<unprintable descriptor>/" + name : nil
        }
        return FileManager.default.currentDirectoryPath + "/" + name
    }
}

/// Runs helper programs for the hostile-volume tests.
enum Shell {
    typealias Result = CLI.Result

    static func run(_ program: String, _ arguments: [String]) throws -> Result {
        try CLI.runTool(program, arguments)
    }

    /// Runs and fails the test with the program's output when it exits non-zero.
    @discardableResult
    static func check(_ program: String, _ arguments: [String]) throws -> Result {
        let result = try run(program, arguments)
        try #require(
            result.status == 0,
            "\(program) \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)\(result.stdout)")
        return result
    }
}
