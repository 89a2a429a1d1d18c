import Foundation
import Testing

/// Where the real sample files of `../shared/fixtures` live, relative to the project root.
enum Fixtures {
    /// The project root (the folder holding Package.swift).
    static let projectRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("no Package.swift above \(#filePath)")
    }()

    /// `../shared/fixtures`, beside the project root.
    static let root = projectRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures")

    /// Whether the shared fixtures are present; tests that need them are disabled with a printed reason otherwise.
    static var available: Bool { FileManager.default.fileExists(atPath: root.appendingPathComponent("README.md").path) }

    /// The reason printed when they are not.
    static let missingReason: Comment = "../shared/fixtures is missing beside the project root: the real-file tests need it"

    /// Path of one fixture, e.g. `Fixtures.path("vhdx/fixed-head3MiB.vhdx")`.
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
}

/// A temporary folder removed when the value is released.
final class TemporaryDirectory {
    let url: URL
    var path: String { url.path }

    init(_ prefix: String = "hvx") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `bytes` to `relative` (creating folders) and returns the full path.
    @discardableResult
    func write(_ relative: String, _ bytes: [UInt8] = []) throws -> String {
        let file = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: file)
        return file.path
    }
}

/// Result of running an external program.
struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a program (looked up on PATH when not absolute) and captures its output.
@discardableResult
func runProcess(_ program: String, _ arguments: [String], currentDirectory: String? = nil) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [program] + arguments
    if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes before waiting so a chatty program cannot fill a pipe and block.
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessResult(
        status: process.terminationStatus,
        stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self))
}

/// Whether `program` is on PATH.
func programAvailable(_ program: String) -> Bool {
    (try? runProcess("sh", ["-c", "command -v \(program)"]).status) == 0
}
