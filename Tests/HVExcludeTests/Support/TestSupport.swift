import Foundation
// Requirements and ExitCleanup, shared by both test targets, for every file of this one.
@_exported import HVExcludeTestSupport
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
    static let missingReason: Comment =
        "../shared/fixtures is missing beside the project root: the real-file tests need it"

    /// Path of one fixture, e.g. `Fixtures.path("vhdx/fixed-head3MiB.vhdx")`.
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
}

/// A temporary folder removed when the value is released.
final class TemporaryDirectory {
    let url: URL
    var path: String { url.path }

    /// - Parameter removeAtExit: for a folder held by a `static` (built once per run), which is never released: it is
    ///   removed when the test process exits instead, so a run leaves nothing in /tmp.
    init(_ prefix: String = "hvx", removeAtExit: Bool = false) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        if removeAtExit { ExitCleanup.remove(url.path) }
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

/// Builds `levels` nested folders `level000-abcdefghijk/level001-…` below `directory` with `mkdirat`/`openat`, which
/// reach past PATH_MAX where FileManager gives up (300 levels make a path of over 6,300 bytes). `eachLevel` gets every
/// parent's descriptor before the next level is made in it.
/// - Returns: the deepest folder's descriptor (the caller closes it) and its path.
func makeDeepFolders(
    in directory: String, levels: Int, eachLevel: (Int32) -> Void = { _ in }
) -> (fd: Int32, path: String) {
    var fd = open(directory, O_RDONLY | O_DIRECTORY)
    var path = directory
    for level in 0..<levels {
        let name = String(format: "level%03d-abcdefghijk", level)
        eachLevel(fd)
        #expect(mkdirat(fd, name, 0o755) == 0)
        let next = openat(fd, name, O_RDONLY | O_DIRECTORY)
        close(fd)
        fd = next
        path += "/" + name
    }
    return (fd, path)
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
    let out = Pipe()
    let err = Pipe()
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

/// Decompresses the gzip fixture `relative` (of ../shared/fixtures) into `directory` with gunzip and returns the
/// path; the test declares `.requires(Requirement.gzipFixture)`.
func gunzipFixture(_ relative: String, into directory: TemporaryDirectory) throws -> String {
    let name = (relative.split(separator: "/").last.map(String.init) ?? relative).replacingOccurrences(
        of: ".gz", with: "")
    let target = directory.path + "/" + name
    guard FileManager.default.createFile(atPath: target, contents: nil),
        let output = FileHandle(forWritingAtPath: target)
    else {
        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target])
    }
    defer { try? output.close() }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["gunzip", "-c", Fixtures.path(relative)]
    process.standardOutput = output
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "gunzip \(relative): \(message)")
    return target
}
