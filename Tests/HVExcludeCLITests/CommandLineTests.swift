import Foundation
import Testing

@testable import HVXSession

/// The binary's own work (options, usage errors, exit codes, writing `--output`) end to end; what the library
/// decides (a root that cannot be scanned, an output inside it, a damaged configuration) in-process.
@Suite struct CommandLineTests {
    @Test func versionAndHelp() throws {
        let version = try CLI.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("hvexclude "))
        let help = try CLI.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("Exit codes:"))
        #expect(help.stderr.isEmpty)
    }

    @Test func unknownFlagSuggestsTheClosestAndExits64() throws {
        let result = try CLI.run(["scan", "/tmp", "--jbos", "2"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("unknown option '--jbos'"))
        #expect(result.stderr.contains("did you mean '--jobs'?"))
        #expect(result.stdout.isEmpty)
        let command = try CLI.run(["scna", "/tmp"])
        #expect(command.status == 64)
        #expect(command.stderr.contains("did you mean 'scan'?"))
    }

    @Test func badValuesAreUsageErrors() throws {
        #expect(try CLI.run(["scan", "/tmp", "--drive", "DD=/x"]).status == 64)
        #expect(try CLI.run(["scan", "/tmp", "--jobs", "0"]).status == 64)
        #expect(try CLI.run(["scan", "/tmp", "--format", "yaml"]).status == 64)
        #expect(try CLI.run(["scan"]).status == 64)
        #expect(try CLI.run(["scan", "/tmp", "--map", "relative=/x"]).status == 64)
    }

    @Test func unreadableRootExits2() throws {
        let failure = try InProcess.failure(["scan", "/nonexistent/hvx-root"])
        #expect(!failure.reason.isUsage, "\(failure)")
        #expect(failure.description.contains("/nonexistent/hvx-root"))
    }

    @Test func outputIsRefusedInsideTheScannedRoot() throws {
        let folder = try TemporaryFolder()
        try folder.markAsSystemVolume()
        let result = try InProcess.scan(["scan", folder.path, "--output", folder.path + "/report.json"])
        guard case .failure(let failure) = result, case .usage(let message) = failure.reason else {
            throw Failure("not a usage error: \(result)")
        }
        #expect(message.contains("inside the scanned root"))
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/report.json"))
    }

    @Test func outputIsWrittenAtomicallyElsewhere() throws {
        let root = try TemporaryFolder()
        let out = try TemporaryFolder()
        try root.markAsSystemVolume()
        #expect(FileManager.default.createFile(atPath: root.path + "/disk.vhdx", contents: Data()))
        let result = try CLI.run(["scan", root.path, "--output", out.path + "/report.json", "--quiet"])
        #expect(result.stdout.isEmpty)
        let written = try String(contentsOfFile: out.path + "/report.json", encoding: .utf8)
        let json = try CLI.json(written)
        #expect(json["schemaVersion"] as? Int == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == ["report.json"])
    }
}

extension CommandLineTests {
    @Test func aCorruptConfigurationIsAnErrorAndExits1() throws {
        let root = try TemporaryFolder()
        try root.markAsSystemVolume()
        let folder = root.path + "/VMs/Virtual Machines"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // A VMCX signature, then nothing: the headers are cut off.
        #expect(
            FileManager.default.createFile(
                atPath: folder + "/A0100000-1111-4222-8333-444455556666.vmcx",
                contents: Data([0x14, 0x20, 0x28, 0x01, 0, 0])))
        let result = try InProcess.outcome(["scan", root.path, "--quiet"])
        #expect(result.verdict == .finishedWithErrors)
        let json = try JSONValue.parse(result.stdout)
        let warning = try #require(
            json["scan"]?["warnings"]?.arrayValue.first { $0["path"]?.stringValue?.hasSuffix(".vmcx") == true })
        #expect(warning["severity"]?.stringValue == "error")
        #expect(warning["message"]?.stringValue?.contains("VMCX") == true)
    }
}
