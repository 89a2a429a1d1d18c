// Shared by both test targets through the HVExcludeTestSupport target.
import Foundation
import Testing

/// Something a test needs that a machine may lack: a program, a Python module, root, a kernel feature, or the
/// real sample files in `../shared/fixtures`.
///
/// A test declares what it needs with `@Test(.requires(.tool("qemu-img"), .root))`. Where something is missing it
/// is skipped with one line naming exactly what and how to get it; with `HVX_REQUIRE_ALL=1` (set by `.ci/run`)
/// the same test fails with that line instead, unless everything missing is on ``Requirements/allowedMissing``.
package enum Requirement: Hashable, Sendable {
    /// A program on PATH; its Debian package comes from ``Requirements/debianPackages``.
    case tool(String)
    /// A Python module importable by python3, from a pip package.
    case pip(module: String, package: String)
    /// A Python module of the system interpreter `/usr/bin/python3`, from a Debian package (python3-samba installs
    /// there, not for a python3 earlier on PATH).
    case systemPython(module: String, debianPackage: String)
    /// Running as root (mounts, loop devices).
    case root
    /// `../shared/fixtures` beside the project root.
    case sharedFixtures
    /// A device node such as `/dev/nbd0`, with how to create it.
    case device(String, how: String)
    /// A working ntfs-3g mount of an image file (FUSE, root, the NTFS tools, python3).
    case ntfsMount
    /// A free loop device (`losetup -f`), as root.
    case loopDevice

    /// Whether it is there (probes run once per process).
    package var isMet: Bool {
        switch self {
        case .tool(let name): return Requirements.onPath(name)
        case .pip(let module, _):
            return Requirements.onPath("python3") && Requirements.probe("python3", ["-c", "import " + module]) == nil
        case .systemPython(let module, _):
            return FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
                && Requirements.probe("/usr/bin/python3", ["-c", "import " + module]) == nil
        case .root: return getuid() == 0
        case .sharedFixtures: return FileManager.default.fileExists(atPath: Requirements.sharedFixtures + "/README.md")
        case .device(let path, _): return FileManager.default.fileExists(atPath: path)
        case .ntfsMount: return Requirements.ntfsMountProblem == nil
        case .loopDevice: return Requirements.loopDeviceProblem == nil
        }
    }

    /// The phrase naming what is missing and how to get it.
    package var missingText: String {
        switch self {
        case .tool(let name):
            return "\(name) (Debian package \(Requirements.debianPackages[name] ?? name))"
        case .pip(let module, let package):
            return Requirements.onPath("python3")
                ? "the Python module \(module) (pip install \(package))" : "python3 (Debian package python3)"
        case .systemPython(let module, let package):
            return "the Python module \(module) for /usr/bin/python3 (Debian package \(package))"
        case .root: return "root (run as root)"
        case .sharedFixtures: return "../shared/fixtures (the real sample files, beside the project root)"
        case .device(let path, let how): return "\(path) (\(how))"
        case .ntfsMount: return Requirements.ntfsMountProblem ?? "a working ntfs-3g mount"
        case .loopDevice: return Requirements.loopDeviceProblem ?? "a free loop device"
        }
    }

    /// What it depends on itself, checked first so the line names the root cause (python3 before a module).
    package var prerequisites: [Requirement] {
        switch self {
        case .pip: return [.tool("python3")]
        case .ntfsMount:
            return [
                .root, .tool("python3"), .tool("mkntfs"), .tool("ntfs-3g"), .tool("setfattr"),
                .device("/dev/fuse", how: "FUSE: modprobe fuse"),
            ]
        case .loopDevice: return [.root, .tool("losetup")]
        default: return []
        }
    }
}

/// Checks ``Requirement``s and turns them into test traits.
package enum Requirements {
    /// The environment variable under which a test that would skip fails instead (`.ci/run` sets it to 1).
    package static let strictVariable = "HVX_REQUIRE_ALL"
    /// What may be missing even under ``strictVariable``: hardware CI machines do not have.
    package static let allowedMissing: Set<Requirement> = [.nbd0]

    /// Debian packages of the programs the tests run.
    package static let debianPackages: [String: String] = [
        "qemu-img": "qemu-utils", "qemu-nbd": "qemu-utils", "vhdiinfo": "libvhdi-utils", "vhdimount": "libvhdi-utils",
        "mke2fs": "e2fsprogs", "regfexport": "libregf-utils",
        "hivexsh": "libhivex-bin", "hivexml": "libhivex-bin", "hivexregedit": "libwin-hivex-perl", "sgdisk": "gdisk",
        "sfdisk": "fdisk", "mkntfs": "ntfs-3g", "ntfs-3g": "ntfs-3g", "setfattr": "attr", "strace": "strace",
        "losetup": "mount", "mount": "mount", "umount": "mount", "blkid": "util-linux", "setpriv": "util-linux",
        "python3": "python3", "gunzip": "gzip", "sh": "dash", "dd": "coreutils", "truncate": "coreutils",
        "touch": "coreutils",
        "fls": "sleuthkit", "icat": "sleuthkit", "script": "bsdutils", "chromium": "chromium", "qemu-io": "qemu-utils",
        "evtxexport": "libevtx-utils", "find": "findutils", "bash": "bash", "blockdev": "util-linux",
    ]

    /// Whether a failing requirement fails the test instead of skipping it.
    package static var strict: Bool {
        ProcessInfo.processInfo.environment[strictVariable].map { !$0.isEmpty && $0 != "0" } ?? false
    }

    package static let projectRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    /// `../shared/fixtures`.
    package static let sharedFixtures = projectRoot.deletingLastPathComponent().appendingPathComponent(
        "shared/fixtures"
    ).path

    /// The requirements (with their prerequisites first) that are not met, without repeats.
    package static func missing(_ requirements: [Requirement]) -> [Requirement] {
        var out: [Requirement] = []
        for requirement in requirements {
            for needed in requirement.prerequisites + [requirement] where !needed.isMet && !out.contains(needed) {
                // A prerequisite already named explains the rest of its requirement.
                if requirement.prerequisites.contains(where: { out.contains($0) }) && needed == requirement { continue }
                out.append(needed)
            }
        }
        return out
    }

    /// The one line a skipped (or, strictly, failed) test prints.
    package static func line(_ missing: [Requirement]) -> String {
        "needs " + missing.map(\.missingText).joined(separator: ", ")
    }

    /// Whether a test with `requirements` runs: all met, or strict mode with something missing that is not
    /// allowed to be (the test then fails with ``RequirementMissing`` before its body runs).
    package static func shouldRun(_ requirements: [Requirement]) throws -> Bool {
        let lacking = missing(requirements)
        if lacking.isEmpty { return true }
        if strict && !lacking.allSatisfy(allowedMissing.contains) {
            throw RequirementMissing(line: line(lacking) + " (\(strictVariable) is set: nothing may be skipped)")
        }
        return false
    }

    // MARK: probes

    private static let cache = NSLock()
    nonisolated(unsafe) private static var pathCache: [String: Bool] = [:]

    /// Whether `program` is an executable file in a PATH folder.
    package static func onPath(_ program: String) -> Bool {
        cache.lock()
        defer { cache.unlock() }
        if let known = pathCache[program] { return known }
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        let found = folders.contains { FileManager.default.isExecutableFile(atPath: $0 + "/" + program) }
        pathCache[program] = found
        return found
    }

    /// Runs a program; nil when it exits 0, else its output (or why it did not start).
    package static func probe(_ program: String, _ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return "\(program) did not start: \(error)" }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus == 0 { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "\(program) exited \(process.terminationStatus)" : text
    }

    /// Why an ntfs-3g mount cannot be made here (after the prerequisites are met), or nil.
    package static let ntfsMountProblem: String? = {
        guard Requirement.ntfsMount.prerequisites.allSatisfy(\.isMet) else { return nil }
        return probe(projectRoot.appendingPathComponent("scripts/ntfs-volume").path, ["check"])
            .map { "a working ntfs-3g mount (scripts/ntfs-volume check: \($0))" }
    }()

    /// Why no loop device can be attached here (after the prerequisites are met), or nil.
    package static let loopDeviceProblem: String? = {
        guard Requirement.loopDevice.prerequisites.allSatisfy(\.isMet) else { return nil }
        return probe("losetup", ["-f"]).map { "a free loop device (losetup -f: \($0))" }
    }()
}

/// Thrown by a requirement trait under `HVX_REQUIRE_ALL`: the test fails with the line it would have skipped with.
package struct RequirementMissing: Error, CustomStringConvertible {
    package let line: String
    package var description: String { line }
}

extension Requirement {
    /// `scripts/make-disks`: python3, qemu-img for the base disks, vhdiinfo to check them.
    package static let makeDisks: [Requirement] = [.tool("python3"), .tool("qemu-img"), .tool("vhdiinfo")]
    /// `scripts/make-hives`: python3 and hivexsh (the minimal hive is the project's own).
    package static let makeHives: [Requirement] = [.tool("python3"), .tool("hivexsh")]
    /// The first network block device, which qemu-nbd attaches a VHDX to (CI machines often lack the module).
    package static let nbd0 = Requirement.device("/dev/nbd0", how: "load the nbd module: modprobe nbd max_part=8")
    /// A real PowerShell grammar: PyPI tree-sitter and tree-sitter-powershell, in versions that work together.
    package static let powerShellGrammar = Requirement.pip(
        module: "tree_sitter, tree_sitter_powershell", package: "tree-sitter==0.26.1 tree-sitter-powershell==0.26.4")
    /// Samba's Registry.pol parser, the independent reader of `--format pol`.
    package static let sambaPolicyParser = Requirement.systemPython(
        module: "samba.gp_parse.gp_pol", debianPackage: "python3-samba")
    /// A gzip-compressed file of `../shared/fixtures`, decompressed by the test.
    package static let gzipFixture: [Requirement] = [.sharedFixtures, .tool("gunzip")]
}

extension Trait where Self == ConditionTrait {
    /// ``requires(_:sourceLocation:)`` for a list built from the sets above.
    package static func requires(
        _ requirements: [Requirement], sourceLocation: SourceLocation = #_sourceLocation
    ) -> Self {
        let lacking = Requirements.missing(requirements)
        return .enabled(
            if: try Requirements.shouldRun(requirements),
            Comment(rawValue: lacking.isEmpty ? "requirements met" : Requirements.line(lacking)),
            sourceLocation: sourceLocation)
    }

    /// Runs the test only where every requirement is met; otherwise skips it with one line naming what is missing
    /// (or fails under `HVX_REQUIRE_ALL`).
    package static func requires(
        _ requirements: Requirement..., sourceLocation: SourceLocation = #_sourceLocation
    ) -> Self {
        requires(requirements, sourceLocation: sourceLocation)
    }
}
