import Foundation
import Testing

@testable import HVXReport
@testable import HVXSession

/// Easy mistakes a new user makes fail loudly, with the exit code and a message that says what to do.
@Suite struct WrongInputTests {
    /// The scan of `request` in-process, as ScanSession returns it.
    static func scan(_ request: ScanRequest) -> Result<ScanOutcome, ScanFailure> {
        Result { () throws(ScanFailure) in try ScanSession.run(request) }
    }

    /// The failure of `request`'s scan; nil (and a recorded issue) when it succeeded.
    static func failure(_ request: ScanRequest) -> ScanFailure? {
        guard case .failure(let failure) = scan(request) else {
            Issue.record("the scan succeeded")
            return nil
        }
        return failure
    }

    @Test func anEmptyFolderIsNotASystemVolume() throws {
        let root = try TemporaryFolder()
        let failure = try #require(Self.failure(ScanRequest(.scan, root: root.path)))
        guard case .couldNotScan(let message) = failure.reason else { throw Failure("not couldNotScan: \(failure)") }
        #expect(message.contains("ROOT \(root.path) does not look like a Windows system volume"))
        #expect(message.contains("--data-only"))
        #expect(!message.contains("Subfolders that do"))
        // The command line says so on stderr with exit 2 and nothing on stdout.
        let result = try CLI.run(["scan", root.path])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "hvexclude: could not scan: \(message)\n")
    }

    @Test func theFolderAboveCNamesTheSubfoldersThatLookRight() throws {
        let above = CLI.testTree("ws2019-custom")
        let failure = try #require(Self.failure(ScanRequest(.scan, root: above)))
        #expect(failure.description.hasPrefix("could not scan: "))
        #expect(failure.description.contains("does not look like a Windows system volume"))
        // C holds Windows\System32\config; D holds only VM data and is not named.
        #expect(failure.description.contains("Subfolders that do: \(above)/C (ROOT is the C: volume itself)"))
        #expect(!failure.description.contains("\(above)/D"))
    }

    @Test func atMostThreeSubfoldersAreNamedAndCaseDoesNotMatter() throws {
        let root = try TemporaryFolder()
        for name in ["a", "b", "c", "d"] {
            try FileManager.default.createDirectory(
                atPath: root.path + "/\(name)/programdata/MICROSOFT/windows/hyper-v", withIntermediateDirectories: true)
        }
        let failure = try #require(Self.failure(ScanRequest(.scan, root: root.path)))
        #expect(
            failure.description.contains("Subfolders that do: \(root.path)/a, \(root.path)/b, \(root.path)/c (ROOT"))
        #expect(!failure.description.contains("\(root.path)/d"))
        // The same lower-case folders make a system volume of the subfolder itself.
        let outcome = try Self.scan(ScanRequest(.scan, root: root.path + "/a")).get()
        #expect(outcome.verdict == .success)
    }

    @Test func dataOnlyScansOnPurposeAndSaysWhatItCouldNotKnow() throws {
        let root = try TemporaryFolder()
        try FileManager.default.createDirectory(atPath: root.path + "/VMs", withIntermediateDirectories: true)
        var request = ScanRequest(.scan, root: root.path)
        request.dataOnly = true
        let outcome = try Self.scan(request).get()
        #expect(outcome.verdict == .success)
        #expect(outcome.report.scan.dataOnly == true)
        #expect(
            outcome.shownWarnings.contains {
                $0.message.hasPrefix("data-only scan (--data-only): ROOT is not a Windows system volume")
                    && $0.message.contains("VM registrations are unknown")
            })
        // The JSON report says so; a normal scan has no such key.
        let report = try CLI.json(String(decoding: outcome.bytes, as: UTF8.self))
        #expect((report["scan"] as? [String: Any])?["dataOnly"] as? Bool == true)
        let normal = try Self.scan(ScanRequest(.scan, root: CLI.testTree("ws2012r2-default/C"))).get()
        #expect(normal.report.scan.dataOnly == nil)
    }

    @Test func theOutputIsCheckedBeforeTheScan() throws {
        let tree = CLI.testTree("ws2019-custom/C")
        for (output, expected) in [
            ("/tmp", "--output /tmp is a directory; name the file to write, e.g. /tmp/report.json"),
            ("/nonexistent-hvx/x.json", "--output: folder /nonexistent-hvx does not exist"),
            (
                tree + "/x.json",
                "--output \(tree)/x.json lies inside the scanned root \(tree): nothing is ever written to the scanned volume"
            ),
        ] {
            var request = ScanRequest(.scan, root: tree)
            request.output = output
            let failure = try #require(Self.failure(request))
            #expect(failure.reason == .usage(expected))
        }
    }

    @Test func mountTakesAnImageNotAFolder() throws {
        var request = ScanRequest(.scan, root: CLI.testTree("ws2019-custom/C"))
        request.mount = true
        let failure = try #require(Self.failure(request))
        guard case .usage(let message) = failure.reason else { throw Failure("not a usage error: \(failure)") }
        #expect(message.hasPrefix("--mount takes a disk image file or a block device as ROOT"))
    }

    @Test func aFileThatIsNoDiskImageSaysSo() throws {
        let folder = try TemporaryFolder()
        for (name, size) in [("short.txt", 100), ("long.txt", 4096)] {
            let path = folder.path + "/" + name
            #expect(
                FileManager.default.createFile(atPath: path, contents: Data(repeating: UInt8(ascii: "x"), count: size)))
            let failure = try #require(Self.failure(ScanRequest(.scan, root: path)))
            #expect(!failure.reason.isUsage, "\(name)")
            let stderr = failure.messages
            #expect(
                stderr.contains("\(path) is a file, not a folder, and no disk image: no MBR, GPT or NTFS boot sector"),
                "\(name): \(stderr)")
            #expect(!stderr.contains("truncated"), "\(name)")
        }
    }

    @Test func aMissingDriveFolderNamesTheDrive() throws {
        var request = ScanRequest(.scan, root: CLI.testTree("ws2019-custom/C"))
        request.drives = [.init(letter: "D", path: "/nonexistent/hvx-d")]
        let failure = try #require(Self.failure(request))
        #expect(!failure.reason.isUsage)
        #expect(
            failure.description.contains(
                "cannot read the folder of D: (/nonexistent/hvx-d): open /nonexistent/hvx-d: No such file or directory")
        )
    }

    @Test func bareCommandPrintsUsageToStderrAndExits64() throws {
        let result = try CLI.run([])
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("Usage:\n  hvexclude scan ROOT [options]"))
    }

    @Test(arguments: ["scan", "audit", "hive", "vmcx"])
    func commandHelpPrintsThatCommandsHelp(command: String) throws {
        for flag in ["--help", "-h"] {
            let result = try CLI.run([command, flag])
            #expect(result.status == 0)
            #expect(result.stderr.isEmpty)
            #expect(result.stdout.hasPrefix("Usage: hvexclude \(command) "), "\(result.stdout.prefix(80))")
            #expect(result.stdout.contains("--data-only") == (command == "scan" || command == "audit"))
        }
    }

    @Test func outputOntoADirectoryIsAUsageError() throws {
        let out = try TemporaryFolder()
        let result = try CLI.run(["scan", CLI.testTree("ws2012r2-default/C"), "-o", out.path])
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("--output \(out.path) is a directory"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).isEmpty)
    }
}

/// Evidence that is there but cannot be read is reported as unknown, never as absent.
@Suite struct UnreadableEvidenceTests {
    @Test func anUnreadableServicesKeyIsAnErrorAndServicesAreUnknown() throws {
        let root = try TemporaryFolder()
        let config = root.path + "/Windows/System32/config"
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        try Data(TinyHive.unreadableServices()).write(to: URL(fileURLWithPath: config + "/SYSTEM"))
        let result = try InProcess.outcome(["scan", root.path])
        #expect(result.verdict == .finishedWithErrors, "\(result.shownWarnings)")
        let report = try CLI.json(result.stdout)
        let services = try #require((report["host"] as? [String: Any])?["services"] as? [[String: Any]])
        #expect(services.map { $0["name"] as? String } == ["vmms", "vmcompute", "ClusSvc"])
        // JSON null (unknown), not false and not left out.
        #expect(services.allSatisfy { $0["present"] is NSNull })
        let warnings = try #require((report["scan"] as? [String: Any])?["warnings"] as? [[String: Any]])
        let aboutServices = warnings.filter { ($0["message"] as? String)?.contains("Services") == true }
        #expect(aboutServices.count == 1, "\(aboutServices)")
        #expect(aboutServices.first?["severity"] as? String == "error")
        let message = try #require(aboutServices.first?["message"] as? String)
        #expect(message.hasPrefix("SYSTEM: could not read ControlSet001\\Services: "))
        #expect(message.hasSuffix("whether vmms, vmcompute, ClusSvc are installed is unknown"))
        #expect(
            !warnings.contains {
                ($0["message"] as? String)?.contains("is missing") == true
                    && ($0["message"] as? String)?.contains("Services") == true
            })
        #expect(result.warns("registry: SYSTEM: could not read ControlSet001\\Services"))
        let text = try InProcess.outcome(["scan", root.path, "--format", "text", "--verbose", "--quiet"])
        #expect(text.stdout.contains("vmms unknown, vmcompute unknown, ClusSvc unknown"))
    }

    @Test func aDirtyHiveIsWarnedAboutOnceNamingOnlyTheLogsThatExist() throws {
        let root = try TemporaryFolder()
        let config = root.path + "/Windows/System32/config"
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        var hive = [UInt8](
            try Data(contentsOf: URL(fileURLWithPath: CLI.testTree("ws2019-custom/C/Windows/System32/config/SYSTEM"))))
        TinyHive.makeDirty(&hive)
        try Data(hive).write(to: URL(fileURLWithPath: config + "/SYSTEM"))
        #expect(FileManager.default.createFile(atPath: config + "/SYSTEM.LOG1", contents: Data()))
        let result = try InProcess.outcome(["scan", root.path])
        let warnings = try #require(
            (try CLI.json(result.stdout)["scan"] as? [String: Any])?["warnings"] as? [[String: Any]])
        let dirty = warnings.compactMap { $0["message"] as? String }.filter { $0.contains("sequence numbers differ") }
        #expect(dirty.count == 1, "\(dirty)")
        #expect(dirty.first?.contains("that live in SYSTEM.LOG1;") == true, "\(dirty)")
        #expect(dirty.first?.contains("LOG2") == false)
        #expect(result.shownWarnings.filter { $0.message.contains("sequence numbers differ") }.count == 1)
    }
}

/// `hvexclude hive … MountedDevices` decodes each value next to its hex (in-process, ``HiveInspection``).
@Suite struct MountedDevicesQueryTests {
    @Test func gptAndMBRValuesAreDecoded() throws {
        let gpt = try HiveCommandTests.hive([
            CLI.testTree("ws2019-custom/C/Windows/System32/config/SYSTEM"), "MountedDevices",
        ])
        #expect(
            gpt.stdout.contains(
                "    \\DosDevices\\C:    REG_BINARY    444D494F3A49443A935A1E7C4B2D6A4F9E8C0B1D3F5A7C9E    (GPT partition GUID 7C1E5A93-2D4B-4F6A-9E8C-0B1D3F5A7C9E)\n"
            ))
        let mbr = try HiveCommandTests.hive([
            CLI.testTree("ws2012r2-default/C/Windows/System32/config/SYSTEM"), "mounteddevices",
        ])
        #expect(
            mbr.stdout.contains(
                "    \\DosDevices\\C:    REG_BINARY    179E3C5A0000E01500000000    (MBR disk signature 0x5A3C9E17, partition offset 367001600 (0x15E00000))\n"
            ))
        // Other keys are printed as before.
        let select = try HiveCommandTests.hive([
            CLI.testTree("ws2012r2-default/C/Windows/System32/config/SYSTEM"), "Select",
        ])
        #expect(!select.stdout.contains("("))
    }
}

/// Just enough regf to make a SYSTEM hive whose Services key cannot be read (layout: libyal regf format).
enum TinyHive {
    static func le16(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF)] }
    static func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }

    static func nk(_ name: String, flags: Int, subkeys: UInt32, subkeyList: UInt32) -> [UInt8] {
        var out = Array("nk".utf8) + le16(flags) + [UInt8](repeating: 0, count: 8) + le32(0) + le32(0x20)
        out += le32(subkeys) + le32(0) + le32(subkeyList) + le32(0xFFFF_FFFF)
        out += le32(0) + le32(0xFFFF_FFFF) + le32(0xFFFF_FFFF) + le32(0xFFFF_FFFF) + [UInt8](repeating: 0, count: 20)
        return out + le16(name.utf8.count) + le16(0) + Array(name.utf8)
    }

    static func cell(_ data: [UInt8]) -> [UInt8] {
        let size = (data.count + 4 + 7) / 8 * 8
        return le32(UInt32(bitPattern: -Int32(size))) + data + [UInt8](repeating: 0, count: size - 4 - data.count)
    }

    /// ROOT → ControlSet001, whose subkey list lies far past the end of the hive.
    static func unreadableServices() -> [UInt8] {
        let root = cell(nk("ROOT", flags: 0x2C, subkeys: 1, subkeyList: 0x78))
        let list = cell(Array("lf".utf8) + le16(1) + le32(0x88) + Array("Cont".utf8))
        let controlSet = cell(nk("ControlSet001", flags: 0x20, subkeys: 1, subkeyList: 0x00FF_FF00))
        precondition(root.count == 0x58 && list.count == 0x10)
        var bin =
            Array("hbin".utf8) + le32(0) + le32(4096) + [UInt8](repeating: 0, count: 20) + root + list + controlSet
        bin += le32(UInt32(4096 - bin.count)) + [UInt8](repeating: 0, count: 4096 - bin.count - 4)
        var base = Array("regf".utf8) + le32(1) + le32(1) + [UInt8](repeating: 0, count: 8)
        base += le32(1) + le32(5) + le32(0) + le32(1) + le32(0x20) + le32(4096) + le32(1)
        base += [UInt8](repeating: 0, count: 508 - base.count)
        base += le32(checksum(base))
        return base + [UInt8](repeating: 0, count: 4096 - base.count) + bin
    }

    /// Raises the primary sequence number, as a write that did not finish leaves it, with a valid checksum.
    static func makeDirty(_ hive: inout [UInt8]) {
        let primary = UInt32(hive[4]) | UInt32(hive[5]) << 8 | UInt32(hive[6]) << 16 | UInt32(hive[7]) << 24
        hive.replaceSubrange(4..<8, with: le32(primary &+ 1))
        hive.replaceSubrange(508..<512, with: le32(checksum(Array(hive[0..<508]))))
    }

    /// XOR of the base block's first 127 little-endian words.
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        stride(from: 0, to: 508, by: 4).reduce(UInt32(0)) { sum, index in
            sum
                ^ (UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2]) << 16 | UInt32(
                    bytes[index + 3]) << 24)
        }
    }
}

/// A test's own failure, with what went wrong.
struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
