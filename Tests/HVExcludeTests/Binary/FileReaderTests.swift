import Foundation
import Testing

@testable import HVXBinary

@Suite struct FileReaderTests {
    @Test func readsRangesAndCountsBytes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("f.bin")
        try Data((0..<100).map { UInt8($0) }).write(to: file)
        let reader = try FileReader(path: file.path)
        #expect(reader.size == 100)
        #expect(try reader.read(at: 10, count: 3) == [10, 11, 12])
        #expect(try reader.read(at: 98, count: 10) == [98, 99])
        #expect(reader.bytesRead == 5)
        #expect(throws: BinaryFormatError.self) { try reader.reader(at: 90, count: 20, structure: "tail") }
    }

    @Test func refusesToOpenThroughALink() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("t")
        try Data([1]).write(to: target)
        let link = dir.appendingPathComponent("l")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        #expect(throws: SystemError.self) { try FileReader(path: link.path) }
    }

    /// A file deeper than PATH_MAX is opened piece by piece (``LongPath``), still without following a final link;
    /// one name longer than PATH_MAX alone cannot be cut and stays ENAMETOOLONG.
    @Test func opensAFileDeeperThanPathMax() throws {
        let dir = try TemporaryDirectory("long")
        defer { _ = try? runProcess("rm", ["-rf", dir.path]) }  // FileManager gives up past PATH_MAX
        let (fd, folder) = makeDeepFolders(in: dir.path, levels: 250)
        let file = openat(fd, "deep.bin", O_CREAT | O_WRONLY, 0o644)
        #expect(write(file, [UInt8]([7, 8, 9]), 3) == 3)
        close(file)
        #expect(symlinkat("deep.bin", fd, "link.bin") == 0)
        close(fd)
        #expect(folder.utf8.count > Int(PATH_MAX))
        let reader = try FileReader(path: folder + "/deep.bin")
        #expect(try reader.read(at: 0, count: 3) == [7, 8, 9])
        #expect(throws: SystemError.self) { try FileReader(path: folder + "/link.bin") }
        let tooLong = "/" + String(repeating: "a", count: Int(PATH_MAX) + 10)
        let refused = LongPath.open(Array(tooLong.utf8), folderFlags: O_RDONLY | O_DIRECTORY, lastFlags: O_RDONLY)
        let code = errno
        #expect(refused == -1 && code == ENAMETOOLONG)
    }
}
