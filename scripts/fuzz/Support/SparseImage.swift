// Fuzz-input encoding for readers that need a file: a sparse image described in a few kilobytes, so a
// 64 KiB input can still place structures at 0x30000 (VHDX region tables), 2 MiB (a metadata region) or at
// the end of a large file (a VHD footer). Not part of the product: built only by scripts/fuzz.sh.
@testable import HVExclude
#if canImport(Glibc)
import Glibc
#endif

/// A fuzz input decoded as a sparse file.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 1 | flags: bit 0 recompute the format's checksums after layout, bit 1 an explicit file size follows |
/// | 1 | 8 | file size in bytes, little-endian (bit 1 only; capped at 2 TiB) |
/// | … | 6 + n | chunks: u32 absolute offset, u16 length n, n bytes (a short last chunk keeps what is there) |
///
/// Without an explicit size the file ends where the last chunk ends. Everything not covered reads as zero.
struct SparseImage {
    /// Largest file size an input may ask for (a sparse file on ext4 costs nothing).
    static let maximumSize: UInt64 = 1 << 41

    var chunks: [(offset: UInt64, bytes: ArraySlice<UInt8>)] = []
    var size: UInt64 = 0
    var fixChecksums = false

    init(_ data: [UInt8]) {
        guard let flags = data.first else { return }
        fixChecksums = flags & 1 != 0
        var position = 1
        var explicitSize: UInt64?
        if flags & 2 != 0 {
            guard data.count >= 9 else { return }
            var value: UInt64 = 0
            for index in (1...8).reversed() { value = value << 8 | UInt64(data[index]) }
            explicitSize = min(value, SparseImage.maximumSize)
            position = 9
        }
        var end: UInt64 = 0
        while position + 6 <= data.count {
            var offset: UInt64 = 0
            for index in (position..<position + 4).reversed() { offset = offset << 8 | UInt64(data[index]) }
            let length = Int(data[position + 4]) | Int(data[position + 5]) << 8
            position += 6
            let available = min(length, data.count - position)
            chunks.append((offset, data[position..<position + available]))
            end = max(end, offset + UInt64(available))
            position += available
        }
        size = explicitSize ?? end
    }
}

/// One scratch file per fuzzing process, rewritten in place for every input (no new inode per run).
final class ScratchFile: @unchecked Sendable {
    /// The process's scratch file.
    nonisolated(unsafe) static let shared = ScratchFile()

    let path: String
    private let descriptor: Int32

    private init() {
        let directory = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        path = "\(directory)/hvexclude-fuzz-\(getpid()).img"
        descriptor = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        precondition(descriptor >= 0, "cannot create the fuzz scratch file \(path)")
        atexit { unlink(ScratchFile.shared.path) }
    }

    /// Replaces the file's contents with `image`; returns `false` when the system refused (the input is skipped).
    func write(_ image: SparseImage) -> Bool {
        guard ftruncate(descriptor, 0) == 0 else { return false }
        for chunk in image.chunks where !chunk.bytes.isEmpty {
            let written = chunk.bytes.withUnsafeBytes { raw in
                pwrite(descriptor, raw.baseAddress!, raw.count, off_t(chunk.offset))
            }
            if written != chunk.bytes.count { return false }
        }
        return ftruncate(descriptor, off_t(image.size)) == 0
    }

    /// Bytes at `offset`, or `nil` when the file ends first.
    func read(at offset: UInt64, count: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        let got = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, count, off_t(offset)) }
        return got == count ? buffer : nil
    }

    /// Stores `value` little-endian at `offset`.
    func patch(_ value: UInt32, at offset: UInt64) {
        var little = value.littleEndian
        _ = withUnsafeBytes(of: &little) { pwrite(descriptor, $0.baseAddress!, 4, off_t(offset)) }
    }

    /// Recomputes a CRC stored little-endian at `field` bytes into the `count`-byte structure at `offset`,
    /// when the structure lies inside the file (the fuzzer cannot forge checksums; this lets it reach what
    /// the checksum guards).
    func fixChecksum(_ crc: CRC32, structureAt offset: UInt64, count: Int, field: Int) {
        guard let bytes = read(at: offset, count: count) else { return }
        patch(crc.checksum(bytes, zeroingFieldAt: field), at: offset + UInt64(field))
    }
}

/// Turns the raw fuzz bytes into an open ``FileReader`` over the scratch file, or `nil` to skip the input.
func scratchReader(_ data: UnsafePointer<UInt8>, _ size: Int, fix: (ScratchFile) -> Void) -> FileReader? {
    let image = SparseImage(Array(UnsafeBufferPointer(start: data, count: size)))
    let scratch = ScratchFile.shared
    guard scratch.write(image) else { return nil }
    if image.fixChecksums { fix(scratch) }
    return try? FileReader(path: scratch.path)
}
