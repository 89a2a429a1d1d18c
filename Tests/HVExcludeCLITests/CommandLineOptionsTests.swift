import Testing

@testable import HVXExclusions
@testable import HVXScan
@testable import HVXSession
@testable import hvexclude

/// Option parsing on plain values: no process is started.
@Suite("CommandLineOptions.parse, in-process")
struct CommandLineOptionsTests {
    @Test("a full scan line: every flag lands in its field, short forms and --flag=value included")
    func parsesEveryFlag() throws {
        let options = try CommandLineOptions.parse([
            "audit", "/mnt/c", "--drive", "d=/mnt/d", "--map=C:\\ClusterStorage\\Volume1=/mnt/csv1", "-o", "out.json",
            "--format", "TEXT", "-j", "3", "-q", "--strict", "--cross-mounts", "--hive-dir", "/hives",
            "--include-unregistered",
            "--broad-extensions", "--env-paths",
        ])
        #expect(options.command == .audit)
        #expect(options.arguments == ["/mnt/c"])
        #expect(options.drives.map { "\($0.letter)=\($0.path)" } == ["D=/mnt/d"])
        #expect(options.maps.map { "\($0.windowsPath)=\($0.path)" } == ["C:\\ClusterStorage\\Volume1=/mnt/csv1"])
        #expect(options.output == "out.json" && options.format == .text && options.jobs == 3)
        #expect(options.quiet && options.strict && options.crossMounts && options.hiveDirectory == "/hives")
        #expect(options.includeUnregistered && options.broadExtensions && options.environmentPaths && !options.mount)
    }

    @Test(
        "mistakes are typed cases, with the nearest spelling",
        arguments: [
            (["scna", "/x"], UsageError.unknownCommand("scna", suggestion: "scan")),
            (["scan", "/x", "--jbos", "2"], .unknownOption("--jbos", suggestion: "--jobs")),
            (["scan", "/x", "--format", "jsno"], .unknownFormat("jsno", suggestion: "json")),
            (["scan", "/x", "--output"], .missingValue(flag: "--output")),
            (["scan", "/x", "--quiet=yes"], .unexpectedValue(flag: "--quiet")),
            (["scan", "/x", "--drive", "DD=/x"], .badDrive("DD=/x")),
            (["scan", "/x", "--map", "C:\\x"], .badMap("C:\\x")),
            (["scan", "/x", "--map", "relative=/x"], .mapNotAWindowsPath("relative")),
            (["scan", "/x", "--jobs", "0"], .badJobs("0")),
            (["scan"], .argumentCount(.scan, got: 0)),
            (["vmcx", "a", "b"], .argumentCount(.vmcx, got: 2)),
        ])
    func mistakes(arguments: [String], expected: UsageError) {
        #expect(throws: expected) { try CommandLineOptions.parse(arguments) }
    }

    @Test("no arguments, --help and --version; -- ends the options")
    func helpVersionAndDoubleDash() throws {
        #expect(try CommandLineOptions.parse([]).command == .help)
        #expect(try CommandLineOptions.parse(["--version"]).command == .version)
        #expect(try CommandLineOptions.parse(["scan", "--", "--odd-folder"]).arguments == ["--odd-folder"])
    }

    @Test("scan options: ROOT is C:, then --drive and --map in order; planner switches carried over")
    func scanOptions() throws {
        let options = try CommandLineOptions.parse([
            "scan", "/mnt/c", "--drive", "E=/mnt/e", "--map", "\\\\srv\\vms=/mnt/share", "--jobs", "2",
            "--include-unregistered",
        ])
        let scan = ScanOptions(try ScanRequest(commandLine: options))
        #expect(scan.mappings.map(\.prefix.description) == ["C:\\", "E:\\", "\\\\srv\\vms\\"])
        #expect(scan.mappings.map(\.hostRoot) == ["/mnt/c", "/mnt/e", "/mnt/share"])
        #expect(scan.jobs == 2)
        #expect(scan.planner == PlannerOptions(includeUnregistered: true))
    }
}
