import Foundation
// Requirements and ExitCleanup, shared by both test targets, for every file of this one.
@_exported import HVExcludeTestSupport
import Testing

@testable import HVXSession
@testable import hvexclude

/// Runs the built `hvexclude` binary, which SwiftPM puts beside the test bundle.
enum CLI {
    static let binary: String = {
        let exe =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("hvexclude").path
    }()

    static let projectRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("no Package.swift above \(#filePath)")
    }()

    static func testTree(_ name: String) -> String {
        projectRoot.appendingPathComponent("TestTrees").appendingPathComponent(name).path
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// stdout's raw bytes (the `reg` format is UTF-16LE).
        var stdoutData = Data()
    }

    /// Runs `hvexclude arguments…` with stdin closed and captures everything.
    static func run(
        _ arguments: [String], environment: [String: String]? = nil, currentDirectory: String? = nil
    ) throws -> Result {
        try launch(binary, arguments, environment: environment, currentDirectory: currentDirectory)
    }

    /// Runs any program (looked up on PATH) and captures its output.
    static func runTool(_ program: String, _ arguments: [String], input: String? = nil) throws -> Result {
        try launch("/usr/bin/env", [program] + arguments, input: input)
    }

    /// Runs `executable`, feeding `input` (or nothing) to its stdin, and captures stdout and stderr.
    static func launch(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        currentDirectory: String? = nil,
        input: String? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        let out = Pipe()
        let err = Pipe()
        let stdin = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
        }
        // stderr is drained on another thread so a chatty child cannot block on a full pipe.
        final class Box: @unchecked Sendable { var data = Data() }
        let errBox = Box()
        let drained = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            errBox.data = err.fileHandleForReading.readDataToEndOfFile()
            drained.signal()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        let errData = errBox.data
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self),
            stdoutData: outData)
    }

    /// Parses stdout as a JSON object.
    static func json(_ text: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(object as? [String: Any])
    }
}

/// A temporary folder removed on release.
final class TemporaryFolder {
    let path: String
    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("hvx-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Gives the folder (or `subfolder`) a `Windows\System32\config` folder, so a scan takes it for a system volume.
    func markAsSystemVolume(_ subfolder: String = "") throws {
        let base = subfolder.isEmpty ? path : path + "/" + subfolder
        try FileManager.default.createDirectory(
            atPath: base + "/Windows/System32/config", withIntermediateDirectories: true)
    }
}

/// The library's entry for `scan` and `audit` in-process, called with the binary's own arguments: the executable's
/// parser and `ScanRequest(commandLine:)` make the request, ``ScanSession/run(_:observer:)`` answers it. What the
/// binary would print on stdout is ``ScanOutcome/bytes``; its warnings on stderr are ``ScanOutcome/shownWarnings``;
/// its exit code follows ``ScanOutcome/verdict`` (the end-to-end tests check that mapping).
enum InProcess {
    /// The outcome or the typed failure of `hvexclude arguments…` (`scan …` or `audit …`).
    static func scan(_ arguments: [String]) throws -> Result<ScanOutcome, ScanFailure> {
        let request = try ScanRequest(commandLine: try CommandLineOptions.parse(arguments))
        return Result { () throws(ScanFailure) in try ScanSession.run(request) }
    }

    /// The outcome of a scan that must make a report (its failure is thrown).
    static func outcome(_ arguments: [String]) throws -> ScanOutcome { try scan(arguments).get() }

    /// The failure of a scan that must make no report (a report is thrown as a test failure).
    static func failure(_ arguments: [String]) throws -> ScanFailure {
        guard case .failure(let failure) = try scan(arguments) else { throw Failure("\(arguments) made a report") }
        return failure
    }
}

extension ScanOutcome {
    /// The report as the binary prints it on stdout, as text.
    var stdout: String { String(decoding: bytes, as: UTF8.self) }

    /// Whether the warnings the binary prints on stderr (`warning: PATH: MESSAGE`) include one containing `text`.
    func warns(_ text: String) -> Bool { shownWarnings.contains { "\($0.path): \($0.message)".contains(text) } }
}

extension ScanFailure.Reason {
    /// A mistake in the request (the binary exits 64); any other failure is "could not scan" (exit 2).
    var isUsage: Bool {
        if case .usage = self { return true }
        return false
    }
}

extension ScanFailure {
    /// The lines the binary prints on stderr for the failure (without the program's name): the lines before it,
    /// the failure, the cleanup problems.
    var messages: String { (before + [description] + cleanupProblems).joined(separator: "\n") }
}
