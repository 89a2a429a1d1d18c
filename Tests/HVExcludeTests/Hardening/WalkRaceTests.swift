import Foundation
import Testing

@testable import HVXWalk

/// The volume changing under the walker, made deterministic with ``WalkOptions/beforeOpeningDirectory``: the
/// walk must finish, report the change as an issue on the right path, and keep everything else it found.
@Suite struct WalkRaceTests {
    static let vhdx: @Sendable (UnsafeBufferPointer<UInt8>, EntryKind) -> Bool = { name, _ in
        name.count > 5 && String(decoding: name, as: UTF8.self).hasSuffix(".vhdx")
    }

    func makeTree() throws -> TemporaryDirectory {
        let root = try TemporaryDirectory("hvx-race")
        try root.write("a/x.vhdx")
        try root.write("b/y.vhdx")
        try root.write("b/inner/w.vhdx")
        try root.write("c/d/z.vhdx")
        try root.write("e/v.vhdx")
        return root
    }

    @Test(arguments: [1, 2])
    func aDirectoryVanishesDuringTheWalk(jobs: Int) throws {
        let root = try makeTree()
        let victim = root.path + "/b"
        let options = WalkOptions(
            jobs: jobs,
            beforeOpeningDirectory: { path in
                if path == victim { try? FileManager.default.removeItem(atPath: path) }
            })
        let result = try DirectoryWalker(options: options).walk(roots: [root.path], match: Self.vhdx)
        let found = Set(result.entries.map(\.name))
        #expect(found == ["x.vhdx", "z.vhdx", "v.vhdx"])
        #expect(!result.cancelled)
        let issue = try #require(result.issues.first { $0.path == victim })
        #expect(issue.operation == "open")
        #expect(issue.code == ENOENT)
        #expect(issue.message.contains("vanished during the walk"))
        #expect(issue.severity == .error)
        #expect(result.issues.count == 1)
    }

    @Test func aDirectoryReplacedByALinkIsNotFollowed() throws {
        let root = try makeTree()
        let outside = try TemporaryDirectory("hvx-race-outside")
        try outside.write("secret.vhdx")
        let victim = root.path + "/c/d"
        let outsidePath = outside.path
        let options = WalkOptions(
            jobs: 1,
            beforeOpeningDirectory: { path in
                guard path == victim else { return }
                try? FileManager.default.removeItem(atPath: path)
                try? FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: outsidePath)
            })
        let result = try DirectoryWalker(options: options).walk(roots: [root.path], match: Self.vhdx)
        #expect(!result.entries.contains { $0.name == "secret.vhdx" })
        #expect(!result.entries.contains { $0.hostPath.hasPrefix(outside.path) })
        let issue = try #require(result.issues.first { $0.path == victim })
        #expect(issue.code == ENOTDIR || issue.code == ELOOP)
        #expect(issue.message.contains("links are not followed"))
    }

    @Test func namesThatAreNotUTF8AreReportedNotDropped() throws {
        let root = try TemporaryDirectory("hvx-race")
        // ntfs-3g refuses such names, so they are tested on a plain folder: bytes 0xFF and a lone 0xC3.
        for raw in [
            Array("bad-\u{1}".utf8) + [0xFF] + Array(".vhdx".utf8), Array("half-".utf8) + [0xC3] + Array(".vhdx".utf8),
        ] {
            let path = Array(root.path.utf8) + [0x2F] + raw + [0]
            let fd = path.withUnsafeBufferPointer {
                open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_CREAT | O_WRONLY, 0o644)
            }
            #expect(fd >= 0)
            close(fd)
        }
        let result = try DirectoryWalker(options: WalkOptions(jobs: 1)).walk(roots: [root.path], match: Self.vhdx)
        #expect(result.entriesVisited == 2)
        // Each such name is either recorded with its exact bytes or reported as an issue: never silently lost.
        let recorded = result.entries.filter { $0.hostPathBytes.contains(0xFF) || $0.hostPathBytes.contains(0xC3) }
        let reported = result.issues.filter { $0.code == EILSEQ }
        #expect(recorded.count + reported.count >= 2, "entries \(result.entries), issues \(result.issues)")
    }
}
