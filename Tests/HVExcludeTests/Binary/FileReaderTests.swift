import Foundation
import Testing
@testable import HVExclude

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
}
