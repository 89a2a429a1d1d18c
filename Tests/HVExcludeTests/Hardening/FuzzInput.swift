import Foundation

@testable import HVXBinary

/// Replays fuzz inputs the way the libFuzzer harnesses in `scripts/fuzz/` run them, so every crash the fuzzer
/// found stays a test. The SparseImage layout is documented in `scripts/fuzz/Support/SparseImage.swift`.
enum FuzzInput {
    /// The committed inputs of one harness: `Tests/HVExcludeTests/Corpus/<parser>/*`.
    static func corpus(_ parser: String) -> [String] {
        let folder = Fixtures.projectRoot.appendingPathComponent("Tests/HVExcludeTests/Corpus/\(parser)")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { folder.appendingPathComponent($0).path }
    }

    /// Decodes a SparseImage input into `directory/image` and returns the file's path.
    static func sparseFile(
        _ data: [UInt8], in directory: TemporaryDirectory, fix: (FileHandle, String) throws -> Void
    ) throws -> String {
        let path = directory.url.appendingPathComponent("image").path
        guard FileManager.default.createFile(atPath: path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        guard let flags = data.first else { return path }
        var position = 1
        var explicitSize: UInt64?
        if flags & 2 != 0 {
            guard data.count >= 9 else { return path }
            explicitSize = min(data[1...8].reversed().reduce(0) { $0 << 8 | UInt64($1) }, 1 << 41)
            position = 9
        }
        var end: UInt64 = 0
        while position + 6 <= data.count {
            let offset = data[position..<position + 4].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let length = Int(data[position + 4]) | Int(data[position + 5]) << 8
            position += 6
            let available = min(length, data.count - position)
            if available > 0 {
                try handle.seek(toOffset: offset)
                try handle.write(contentsOf: Data(data[position..<position + available]))
            }
            end = max(end, offset + UInt64(available))
            position += available
        }
        try handle.truncate(atOffset: explicitSize ?? end)
        if flags & 1 != 0 { try fix(handle, path) }
        return path
    }

    /// Recomputes a little-endian CRC at `field` of the `count`-byte structure at `offset`, when it lies in the file.
    static func fixChecksum(_ handle: FileHandle, _ crc: CRC32, at offset: UInt64, count: Int, field: Int) throws {
        try handle.seek(toOffset: offset)
        guard let data = try handle.read(upToCount: count), data.count == count else { return }
        let value = crc.checksum(Array(data), zeroingFieldAt: field)
        try handle.seek(toOffset: offset + UInt64(field))
        try handle.write(contentsOf: Data(le32(value)))
    }
}
