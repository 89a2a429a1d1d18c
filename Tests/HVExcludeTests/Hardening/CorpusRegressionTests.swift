import Foundation
import Testing

@testable import HVXBinary
@testable import HVXFormats
@testable import HVXVolume

/// Every input under `Tests/HVExcludeTests/Corpus/<parser>/` once crashed a libFuzzer harness (`scripts/fuzz.sh`).
/// Each is replayed exactly as the harness ran it: reaching the end of the test is the regression check (the
/// old code trapped), and the specific outcome the fixed reader must give is asserted too.
@Suite struct CorpusRegressionTests {
    @Test(arguments: FuzzInput.corpus("vhdx"))
    func vhdx(input: String) throws {
        let data = try Array(Data(contentsOf: URL(fileURLWithPath: input)))
        let folder = try TemporaryDirectory("hvx-corpus")
        let path = try FuzzInput.sparseFile(data, in: folder) { handle, _ in
            for offset in VHDXHeader.offsets {
                try FuzzInput.fixChecksum(handle, .castagnoli, at: offset, count: VHDXHeader.size, field: 4)
            }
            for offset in VHDXRegionTable.offsets {
                try FuzzInput.fixChecksum(handle, .castagnoli, at: offset, count: VHDXRegionTable.size, field: 4)
            }
        }
        do {
            let file = try VHDXFile(reading: FileReader(path: path))
            _ = VirtualDiskReader.disk(from: file)
        } catch let error as BinaryFormatError {
            // The crash was an on-disk offset past Int64.max reaching pread's off_t: now it is a plain
            // "truncated" read (nothing lies there), reported with the offset.
            #expect(!error.description.isEmpty)
        }
    }

    @Test(arguments: FuzzInput.corpus("vhd"))
    func vhd(input: String) throws {
        let data = try Array(Data(contentsOf: URL(fileURLWithPath: input)))
        let folder = try TemporaryDirectory("hvx-corpus")
        let path = try FuzzInput.sparseFile(data, in: folder) { _, _ in }
        do {
            let file = try VHDFile(reading: FileReader(path: path))
            _ = VirtualDiskReader.disk(from: file)
        } catch let error as BinaryFormatError {
            #expect(error.structure.hasPrefix("VHD"))
        }
        _ = try? VirtualDiskReader.read(path: path)
    }

    @Test(arguments: FuzzInput.corpus("windowspath"))
    func windowsPath(input: String) throws {
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: input)))
        let parts = bytes.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false)
        let text = String(decoding: parts[0], as: UTF8.self)
        for candidate in [text, WindowsEnvironment.defaults.expand(text)] {
            guard let path = WindowsPath(candidate) else { continue }
            // The harness's property: the canonical spelling parses back to the same path.
            #expect(
                WindowsPath(path.description) == path,
                "\(candidate.debugDescription) -> \(path.description.debugDescription)")
        }
    }
}
