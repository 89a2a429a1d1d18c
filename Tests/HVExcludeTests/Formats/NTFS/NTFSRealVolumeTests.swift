import Foundation
import Testing

@testable import HVXBinary
@testable import HVXDiskImage
@testable import HVXFormats

/// The real Windows Server 2022 VHDX of ../shared/fixtures (facts in its README), read natively end to end:
/// VHDX BAT → GPT → NTFS → MFT tree → file contents.
@Suite(.requires(Requirement.gzipFixture + [.tool("sh")]))
struct NTFSRealVolumeTests {
    /// The fixture decompressed once per process (it is read-only afterwards).
    static let image: String = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hvx-ntfs-real-\(getpid())")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        ExitCleanup.remove(folder.path)  // a run leaves nothing in /tmp
        let target = folder.appendingPathComponent("ws2022-gpt-ntfs.vhdx").path
        if !FileManager.default.fileExists(atPath: target) {
            _ = try? runProcess(
                "sh", ["-c", "gunzip -c \"$0\" > \"$1\"", Fixtures.path("vhdx/real/ws2022-gpt-ntfs.vhdx.gz"), target])
        }
        return target
    }()

    static func fileSystem() throws -> NTFSFileSystem {
        let opened = try DiskImageBytes.open(path: image)
        let table = try PartitionTable.read(FileReader(path: image, source: opened.source), size: opened.source.size)
        let partition = try #require(table.ntfsPartitions.first)
        let volume = try NTFSVolume(
            source: ByteRange(opened.source, offset: partition.offset, size: partition.size), name: "fixture")
        return NTFSFileSystem(volume: volume, root: "/img#p1")
    }

    @Test func geometryMatchesTheFixtureFacts() throws {
        let opened = try DiskImageBytes.open(path: Self.image)
        #expect(opened.format == "VHDX dynamic")
        #expect(opened.source.size == 5_242_880)
        let table = try PartitionTable.read(
            FileReader(path: Self.image, source: opened.source), size: opened.source.size)
        #expect(table.kind == .gpt)
        #expect(table.diskGUID == GUID("8BD3467C-B6DE-42C5-9E1B-A566643AA910"))
        let partition = try #require(table.ntfsPartitions.first)
        #expect(partition.offset == 128 * 512)
        let volume = try NTFSVolume(
            source: ByteRange(opened.source, offset: partition.offset, size: partition.size), name: "fixture")
        #expect(volume.boot.clusterSize == 4096)
        #expect(volume.boot.recordSize == 1024)
        #expect(volume.boot.mftCluster == 256)
        #expect(volume.warnings.isEmpty)
    }

    @Test func listsTheFilesSleuthKitLists() throws {
        let fs = try Self.fileSystem()
        #expect(fs.record(atHostPath: "/img#p1/Hello.txt.txt") == 34)
        #expect(fs.record(atHostPath: "/img#p1/Users/Administrator/Secret.txt.txt") == 42)
        #expect(
            Set(try fs.listFolder("/img#p1").map(\.name)) == [
                "$RECYCLE.BIN", "Hello.txt.txt", "System Volume Information", "Users", "Windows",
            ])
        #expect(try fs.listFolder("/img#p1/Windows").map(\.name) == ["System32"])
        #expect(fs.kind(of: "/img#p1/Windows/System32") == .directory)
        #expect(fs.warnings.isEmpty)
    }

    @Test func readsFileContentsThroughTheRunlists() throws {
        let fs = try Self.fileSystem()
        let file = try fs.openFile("/img#p1/Users/Administrator/Secret.txt.txt", readBudget: 1 << 20)
        #expect(try file.read(at: 0, count: 100) == Array("My Secret".utf8))
    }

    @Test func foldsNamesWithTheVolumesUpCase() throws {
        let fs = try Self.fileSystem()
        #expect(fs.volume.upcase.fold("straße ǆ") == "STRAßE Ǆ")
        #expect(fs.fold("hello.TXT.txt") == "HELLO.TXT.TXT")
    }
}
