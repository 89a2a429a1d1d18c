import Foundation
import Glibc
import Synchronization
import Testing

@testable import HVXBinary
@testable import HVXWalk

/// Temporary trees for the walker: loops, links out of the root, unreadable and vanishing directories,
/// non-UTF-8 names, a huge folder, a path past PATH_MAX, a mount point.
@Suite struct DirectoryWalkerTests {
    static let hyperV = ExtensionMatcher(["vhdx", "avhdx", "vmcx", "vmrs", "vmgs", "iso"])
    static let matchHyperV: @Sendable (UnsafeBufferPointer<UInt8>, EntryKind) -> Bool = { name, kind in
        kind == .file && hyperV.matches(name)
    }

    static func walk(_ roots: [String], jobs: Int = 2, crossMounts: Bool = false) throws -> WalkResult {
        try DirectoryWalker(options: WalkOptions(jobs: jobs, crossMounts: crossMounts))
            .walk(roots: roots, match: matchHyperV)
    }

    /// A small Windows-like tree with links in every awkward direction.
    static func makeTree(_ dir: TemporaryDirectory) throws {
        try dir.write("Hyper-V/Virtual Machines/A1B2.vmcx")
        try dir.write("Hyper-V/Virtual Machines/A1B2.VMRS")
        try dir.write("Hyper-V/Virtual Hard Disks/disk.vhdx")
        try dir.write("Hyper-V/Virtual Hard Disks/disk_1234.avhdx")
        try dir.write("Hyper-V/Virtual Hard Disks/notes.txt")
        try dir.write("ISO/setup.Iso")
        try dir.write("Windows/System32/vmms.exe")
        try dir.write("Windows/System32/drivers/etc/hosts")
        try dir.write("vhdx")  // no dot: not an extension
        try dir.write("Windows/.vhdx")  // Windows treats it as the extension alone
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir.path + "/Windows/Fake.vhdx", withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: dir.path + "/loop", withDestinationPath: ".")
        try fm.createSymbolicLink(atPath: dir.path + "/Hyper-V/up", withDestinationPath: "..")
        try fm.createSymbolicLink(atPath: dir.path + "/self", withDestinationPath: "self")
        try fm.createSymbolicLink(atPath: dir.path + "/ping", withDestinationPath: "pong")
        try fm.createSymbolicLink(atPath: dir.path + "/pong", withDestinationPath: "ping")
        try fm.createSymbolicLink(atPath: dir.path + "/outside", withDestinationPath: "/usr/share")
        try fm.createSymbolicLink(
            atPath: dir.path + "/ISO/linked.vhdx", withDestinationPath: "../Hyper-V/Virtual Hard Disks/disk.vhdx")
    }

    @Test(.requires(.tool("find"))) func recordsMatchesAndEveryLinkWithoutFollowingAny() throws {
        let dir = try TemporaryDirectory("walk")
        try Self.makeTree(dir)
        let result = try Self.walk([dir.path + "/"])
        let root = dir.path
        #expect(result.roots == [root])
        #expect(result.issues.isEmpty, "\(result.issues)")
        let matched = result.entries.filter(\.matched).map { String($0.hostPath.dropFirst(root.count)) }
        #expect(
            Set(matched) == [
                "/Hyper-V/Virtual Machines/A1B2.vmcx", "/Hyper-V/Virtual Machines/A1B2.VMRS",
                "/Hyper-V/Virtual Hard Disks/disk.vhdx", "/Hyper-V/Virtual Hard Disks/disk_1234.avhdx",
                "/ISO/setup.Iso", "/Windows/.vhdx",
            ])
        let links = Dictionary(
            uniqueKeysWithValues: result.entries.filter { $0.kind == .symlink }.map {
                (String($0.hostPath.dropFirst(root.count)), $0.linkTarget)
            })
        #expect(
            links == [
                "/loop": ".", "/Hyper-V/up": "..", "/self": "self", "/ping": "pong", "/pong": "ping",
                "/outside": "/usr/share", "/ISO/linked.vhdx": "../Hyper-V/Virtual Hard Disks/disk.vhdx",
            ])
        // The link named like a disk is a link, and is not a match: the predicate only takes files.
        #expect(result.entries.first { $0.name == "linked.vhdx" }?.matched == false)
        // Nothing was reached through a link (no path goes through loop/, up/ or outside/).
        #expect(
            !result.entries.contains {
                $0.hostPath.contains("/loop/") || $0.hostPath.contains("/up/") || $0.hostPath.contains("/outside/")
            })
        // Counted independently with find(1), which does not follow links either.
        let find = try runProcess("find", [root, "-mindepth", "1"])
        #expect(result.entriesVisited == find.stdout.split(separator: "\n").count)
        let dirs = try runProcess("find", [root, "-type", "d"])
        #expect(result.directoriesVisited == dirs.stdout.split(separator: "\n").count)
        #expect(result.entries == result.entries.sorted())
        let disk = try #require(result.entries.first { $0.name == "disk.vhdx" })
        #expect(disk.depth == 3 && disk.kind == .file && disk.root == root && disk.linkTarget == nil)
        #expect(disk.hostPathBytes == Array(disk.hostPath.utf8))
    }

    @Test func sameResultForOneAndEightJobs() throws {
        let dir = try TemporaryDirectory("walk")
        try Self.makeTree(dir)
        for a in 0..<30 {
            for b in 0..<10 {
                try dir.write("bulk/d\(a)/e\(b)/f.\(b % 3 == 0 ? "vhdx" : "dll")")
            }
        }
        try Self.createRaw(dir.path + "/bulk", [0x62, 0xFF, 0x2E, 0x69, 0x73, 0x6F])  // "b\xFF.iso"
        let one = try Self.walk([dir.path], jobs: 1)
        let eight = try Self.walk([dir.path], jobs: 8)
        #expect(one == eight)
        #expect(one.entries.filter(\.matched).count == 6 + 30 * 4 + 1)
        #expect(one.issues.count == 1)
    }

    @Test func nonUTF8NameIsAnIssueAndStillReported() throws {
        let dir = try TemporaryDirectory("walk")
        // "caf\xE9.vhdx": Latin-1 é, as a copy from an old FAT volume might carry.
        try Self.createRaw(dir.path, Array("caf".utf8) + [0xE9] + Array(".vhdx".utf8))
        let result = try Self.walk([dir.path])
        let entry = try #require(result.entries.first)
        #expect(entry.hostPathBytes == Array((dir.path + "/caf").utf8) + [0xE9] + Array(".vhdx".utf8))
        #expect(entry.name == "caf\u{FFFD}.vhdx")
        #expect(entry.escapedHostPath == dir.path + "/caf\\xE9.vhdx")
        let issue = try #require(result.issues.first)
        #expect(issue.code == EILSEQ && issue.operation == "decode name" && issue.severity == .error)
        #expect(issue.message.contains("caf\\xE9.vhdx"))
        #expect(result.issues.count == 1)
        // The raw bytes open the real file.
        let fd = entry.hostPathBytes.withUnsafeBufferPointer { bytes in
            (bytes.map { CChar(bitPattern: $0) } + [0]).withUnsafeBufferPointer {
                Glibc.open($0.baseAddress!, O_RDONLY)
            }
        }
        #expect(fd >= 0)
        close(fd)
    }

    @Test func nonUTF8DirectoryIsEnteredThroughItsRawBytes() throws {
        let dir = try TemporaryDirectory("walk")
        let name: [UInt8] = [0x56, 0x4D, 0xC3, 0x28]  // "VM" + a broken two-byte sequence
        let cName = name.map { CChar(bitPattern: $0) } + [0]
        let parent = open(dir.path, O_RDONLY | O_DIRECTORY)
        defer { close(parent) }
        #expect(cName.withUnsafeBufferPointer { mkdirat(parent, $0.baseAddress!, 0o755) } == 0)
        let child = cName.withUnsafeBufferPointer { openat(parent, $0.baseAddress!, O_RDONLY | O_DIRECTORY) }
        #expect(child >= 0)
        close(openat(child, "disk.vhdx", O_CREAT | O_WRONLY, 0o644))
        close(child)
        for jobs in [1, 2] {
            let result = try Self.walk([dir.path], jobs: jobs)
            let entry = try #require(result.entries.first)
            #expect(result.entries.count == 1)
            #expect(entry.hostPathBytes == Array((dir.path + "/").utf8) + name + Array("/disk.vhdx".utf8))
            #expect(entry.escapedHostPath == dir.path + "/VM\\xC3(/disk.vhdx")
            #expect(entry.hostPath == dir.path + "/VM\u{FFFD}(/disk.vhdx")
            #expect(result.issues.map(\.code) == [EILSEQ])
            #expect(result.issues.first?.message.contains("VM\\xC3(") == true)
        }
    }

    @Test func hugeDirectory() throws {
        let dir = try TemporaryDirectory("walk")
        let wide = dir.path + "/WinSxS"
        try FileManager.default.createDirectory(atPath: wide, withIntermediateDirectories: true)
        for index in 0..<20_000 {
            try Self.createRaw(wide, Array("amd64_component_\(index).\(index % 100 == 0 ? "VHDX" : "manifest")".utf8))
        }
        let result = try Self.walk([dir.path], jobs: 2)
        #expect(result.entriesVisited == 20_001)
        #expect(result.directoriesVisited == 2)
        #expect(result.entries.count == 200)
        #expect(result.issues.isEmpty)
    }

    @Test func pathLongerThanPathMax() throws {
        let dir = try TemporaryDirectory("walk")
        defer { _ = try? runProcess("rm", ["-rf", dir.path]) }  // FileManager gives up past PATH_MAX
        // 300 levels of 20-byte names: the deepest path is over 6,300 bytes.
        let (fd, _) = makeDeepFolders(in: dir.path, levels: 300)
        let file = openat(fd, "deep.vhdx", O_CREAT | O_WRONLY, 0o644)
        #expect(file >= 0)
        close(file)
        close(fd)
        let result = try Self.walk([dir.path])
        #expect(result.issues.isEmpty, "\(result.issues.prefix(3))")
        let deep = try #require(result.entries.first)
        #expect(deep.name == "deep.vhdx" && deep.depth == 301)
        #expect(deep.hostPathBytes.count > 4096 + 2000)
        #expect(result.directoriesVisited == 301)
    }

    /// A sibling left pending at every one of 300 levels keeps 300 parents waiting: past the cap of held
    /// parent descriptors the walker opens by full path (piecewise past PATH_MAX), and closes everything.
    @Test func deepTreeWithPendingSiblingsDoesNotLeakDescriptors() throws {
        let dir = try TemporaryDirectory("walk")
        defer { _ = try? runProcess("rm", ["-rf", dir.path]) }
        let (fd, _) = makeDeepFolders(in: dir.path, levels: 300) { parent in
            #expect(mkdirat(parent, "side", 0o755) == 0)
            close(openat(parent, "side/x.vmgs", O_CREAT | O_WRONLY, 0o644))
        }
        close(fd)
        for jobs in [1, 3] {
            let result = try Self.walk([dir.path], jobs: jobs)
            #expect(result.issues.isEmpty, "\(result.issues.prefix(2))")
            #expect(result.entries.count == 300 && result.directoriesVisited == 601)
            #expect(result.entries.map(\.depth).max() == 301)
        }
        // Other tests run concurrently in this process: count only descriptors open on this tree.
        let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").filter {
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0))?.hasPrefix(dir.path)
                == true
        }
        #expect(open.isEmpty)
    }

    @Test func directoryVanishingOrTurningIntoALinkDuringTheWalk() throws {
        let dir = try TemporaryDirectory("walk")
        try dir.write("keep/a.vhdx")
        try dir.write("gone/b.vhdx")
        try dir.write("swapped/c.vhdx")
        let root = dir.path
        let hook: @Sendable (String) -> Void = { path in
            if path == root + "/gone" { try? FileManager.default.removeItem(atPath: path) }
            if path == root + "/swapped" {
                try? FileManager.default.moveItem(atPath: path, toPath: root + "/moved")
                try? FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "moved")
            }
        }
        let walker = DirectoryWalker(options: WalkOptions(jobs: 2, beforeOpeningDirectory: hook))
        let result = try walker.walk(roots: [root], match: Self.matchHyperV)
        #expect(result.entries.map(\.name) == ["a.vhdx"])
        let issues = result.issues.map { "\($0.operation) \($0.path.dropFirst(root.count)) \($0.code)" }
        // O_DIRECTORY|O_NOFOLLOW on what is now a link fails with ENOTDIR (ELOOP only without O_DIRECTORY).
        #expect(issues == ["open /gone \(ENOENT)", "open /swapped \(ENOTDIR)"])
        #expect(result.issues[1].message.contains("links are not followed"))
        #expect(
            result.issues[0].message.contains("No such file or directory")
                && result.issues[0].message.contains("vanished"))
    }

    @Test func unreadableRootThrowsAndFileRootThrows() throws {
        let dir = try TemporaryDirectory("walk")
        let file = try dir.write("plain.txt")
        #expect(throws: SystemError.self) { try Self.walk([dir.path + "/missing"]) }
        do {
            _ = try Self.walk([file])
            Issue.record("a file as root must throw")
        } catch let error as SystemError {
            #expect(error.code == ENOTDIR && error.operation == "open")
        }
    }

    @Test func rootMayBeALinkButNothingBelowIsFollowed() throws {
        let dir = try TemporaryDirectory("walk")
        try dir.write("real/x.vmgs")
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/c", withDestinationPath: "real")
        let result = try Self.walk([dir.path + "/c"])
        #expect(result.entries.map(\.hostPath) == [dir.path + "/c/x.vmgs"])
    }

    @Test func progressAndCancel() throws {
        let dir = try TemporaryDirectory("walk")
        for a in 0..<50 { try dir.write("d\(a)/f.vhdx") }
        let walker = DirectoryWalker(options: WalkOptions(jobs: 1))
        let seen = Mutex<Int>(0)
        let cancelling = DirectoryWalker(options: WalkOptions(jobs: 1))
        let result = try cancelling.walk(roots: [dir.path]) { _, _ in
            seen.withLock { $0 += 1 }
            if seen.withLock({ $0 }) == 60 { cancelling.cancel() }
            return true
        }
        #expect(result.cancelled)
        #expect(result.directoriesVisited < 51)
        #expect(cancelling.progress.currentDirectory.hasPrefix(dir.path))
        let full = try walker.walk(roots: [dir.path], match: Self.matchHyperV)
        #expect(!full.cancelled && full.entries.count == 50)
        #expect(walker.progress.entriesVisited == 100 && walker.progress.directoriesVisited == 51)
    }

    @Test func mountinfoParsingUndoesOctalEscapes() {
        let text = """
            22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
            40 22 0:35 / /tmp/x/with\\040space rw - tmpfs tmpfs rw
            41 22 0:36 / /tmp/x/back\\134slash rw shared:7 master:2 - fuseblk /dev/loop0 ro
            """
        let mounts = MountTable.parse(Array(text.utf8))
        #expect(
            mounts.map { String(decoding: $0.path, as: UTF8.self) } == ["/", "/tmp/x/with space", "/tmp/x/back\\slash"])
        #expect(mounts.map(\.type) == ["ext4", "tmpfs", "fuseblk"])
    }

    @Test(arguments: [
        ("disk.VHDX", true), ("a.avhdx", true), (".vhdx", true), ("vhdx", false), ("disk.vhd", false),
        ("disk.vhdxx", false), ("x.vhdx.bak", false), ("", false), ("é.iso", true),
    ])
    func extensionMatcher(name: String, expected: Bool) {
        let bytes = Array(name.utf8)
        #expect(bytes.withUnsafeBufferPointer { Self.hyperV.matches($0) } == expected)
    }

    // MARK: - Mount points (root only: mounts a tmpfs)

    @Test(.requires(.root, .tool("mount"), .tool("umount")))
    func mountPointIsNotCrossedUnlessAsked() throws {
        let dir = try TemporaryDirectory("walk")
        try dir.write("local/a.vhdx")
        let point = dir.path + "/sub dir/mnt"
        try FileManager.default.createDirectory(atPath: point, withIntermediateDirectories: true)
        #expect(try runProcess("mount", ["-t", "tmpfs", "hvx-test", point]).status == 0)
        defer {
            _ = try? runProcess("umount", [point])
            _ = dir.path  // keeps the folder (and its removal) alive until the tmpfs is gone
        }
        try Data().write(to: URL(fileURLWithPath: point + "/hidden.vhdx"))
        // Reached through a link to the root, to check mount points are re-spelled below the root as given.
        try FileManager.default.createSymbolicLink(atPath: dir.path + "-link", withDestinationPath: dir.path)
        defer { try? FileManager.default.removeItem(atPath: dir.path + "-link") }
        for root in [dir.path, dir.path + "-link"] {
            let stay = try Self.walk([root])
            #expect(stay.entries.map(\.name) == ["a.vhdx"])
            let info = try #require(stay.issues.first)
            #expect(stay.issues.count == 1 && info.severity == .info && info.operation == "mount point")
            #expect(info.path == root + "/sub dir/mnt" && info.message.contains("tmpfs"))
            let cross = try Self.walk([root], crossMounts: true)
            #expect(cross.entries.map(\.name) == ["a.vhdx", "hidden.vhdx"])
            #expect(cross.issues.isEmpty)
        }
    }

    // MARK: - Unreadable directory (root reads everything, so a child process runs as nobody)

    /// The child half of the test below: inside the privilege-dropped child (`HVX_WALK_CHILD_ROOT` set) it walks
    /// that test's tree and writes what it saw; in an ordinary run it checks itself on a readable tree of its own.
    @Test func childWalkAsUnprivilegedUser() throws {
        let env = ProcessInfo.processInfo.environment
        guard let root = env["HVX_WALK_CHILD_ROOT"], let output = env["HVX_WALK_CHILD_OUT"] else {
            let dir = try TemporaryDirectory("walk-child")
            try dir.write("open/a.vhdx")
            try dir.write("locked/inner/b.vhdx")
            let lines = try Self.childWalk(root: dir.path)
            #expect(
                lines == [
                    "uid \(getuid())", "entry \(dir.path)/locked/inner/b.vhdx", "entry \(dir.path)/open/a.vhdx",
                    "root did not throw",
                ])
            return
        }
        try Self.childWalk(root: root).joined(separator: "\n").write(toFile: output, atomically: false, encoding: .utf8)
    }

    static func childWalk(root: String) throws -> [String] {
        var lines = ["uid \(getuid())"]
        let result = try Self.walk([root])
        lines += result.entries.map { "entry \($0.hostPath)" }
        lines += result.issues.map { "issue \($0.operation) \($0.code) \($0.path)" }
        do {
            _ = try Self.walk([root + "/locked"])
            lines.append("root did not throw")
        } catch let error as SystemError {
            lines.append("root throws \(error.operation) \(error.code)")
        }
        return lines
    }

    static var testBinary: String? {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
    }

    @Test(.requires(.root, .tool("setpriv")))
    func unreadableDirectoryIsAnIssue() throws {
        let dir = try TemporaryDirectory("walk")
        try dir.write("open/a.vhdx")
        try dir.write("locked/inner/b.vhdx")
        let out = dir.path + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: false)
        chmod(out, 0o777)
        chmod(dir.path, 0o755)
        chmod(dir.path + "/locked", 0o000)
        // Re-run this very test binary, filtered to the child half, as uid/gid 65534. A copy beside the tree,
        // because the build folder may sit below a home nobody cannot enter (/root is 0700).
        let binary = dir.path + "/tests.xctest"
        try FileManager.default.copyItem(atPath: try #require(Self.testBinary), toPath: binary)
        chmod(binary, 0o755)
        let child = try runProcess(
            "env",
            [
                "HVX_WALK_CHILD_ROOT=\(dir.path)", "HVX_WALK_CHILD_OUT=\(out)/result.txt",
                "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                binary, "--testing-library", "swift-testing", "--filter", "childWalkAsUnprivilegedUser",
            ])
        let text = try String(contentsOfFile: out + "/result.txt", encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(child.status == 0, "\(child.stdout)\n\(child.stderr)")
        #expect(
            lines == [
                "uid 65534", "entry \(dir.path)/open/a.vhdx", "issue open \(EACCES) \(dir.path)/locked",
                "root throws open \(EACCES)",
            ])
        chmod(dir.path + "/locked", 0o755)
    }

    // MARK: - Helpers

    /// Creates an empty file whose name is exactly `name` (which need not be UTF-8).
    static func createRaw(_ directory: String, _ name: [UInt8]) throws {
        let dirfd = open(directory, O_RDONLY | O_DIRECTORY)
        defer { close(dirfd) }
        let fd = (name.map { CChar(bitPattern: $0) } + [0]).withUnsafeBufferPointer {
            openat(dirfd, $0.baseAddress!, O_CREAT | O_WRONLY | O_CLOEXEC, 0o644)
        }
        guard fd >= 0 else { throw SystemError.current("create", path: directory) }
        close(fd)
    }
}
