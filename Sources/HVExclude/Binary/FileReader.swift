import CSystemShims
#if canImport(Glibc)
import Glibc
#endif

/// Reads byte ranges from one file with `pread`: parsers ask for the few kilobytes a structure needs and
/// never see the descriptor.
///
/// Files are opened `O_RDONLY | O_NOFOLLOW | O_CLOEXEC` (plus `O_NOATIME` where permitted), so a link is
/// never opened and nothing on the scanned volume changes — not even an access time.
final class FileReader: @unchecked Sendable {
    /// Host path the reader was opened on.
    let path: String
    /// File size in bytes at open time.
    let size: UInt64
    private let descriptor: Int32
    /// Whether `size` is the real end (a block device reports 0).
    private let isRegularFile: Bool
    /// Total bytes returned by ``read(at:count:)`` so far (for the "reads kilobytes" measurements).
    private(set) var bytesRead: UInt64 = 0
    /// Hard cap on bytes one reader may return, so a hostile file cannot make a parser read it all.
    let readBudget: UInt64

    /// Opens `path` read-only without following a final link.
    /// - Throws: ``SystemError`` when open or fstat fails (ELOOP for a link).
    init(path: String, readBudget: UInt64 = 256 << 20) throws {
        var fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | hvx_O_NOATIME)
        if fd < 0 && errno == EPERM {
            // O_NOATIME is allowed only to the file's owner or a privileged process.
            fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        }
        guard fd >= 0 else { throw SystemError.current("open", path: path) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let error = SystemError.current("fstat", path: path)
            close(fd)
            throw error
        }
        guard (info.st_mode & S_IFMT) == S_IFREG || (info.st_mode & S_IFMT) == S_IFBLK else {
            close(fd)
            throw SystemError("open", path: path, code: EINVAL)
        }
        self.path = path
        self.descriptor = fd
        self.size = UInt64(max(0, info.st_size))
        self.isRegularFile = (info.st_mode & S_IFMT) == S_IFREG
        self.readBudget = readBudget
    }

    deinit { close(descriptor) }

    /// Reads up to `count` bytes at `offset`; fewer only at end of file.
    /// - Throws: ``SystemError`` on an I/O error, ``BinaryFormatError`` when the read budget is exhausted.
    func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        guard count > 0 else { return [] }
        guard bytesRead + UInt64(count) <= readBudget else {
            throw BinaryFormatError(path, at: offset, "refusing to read more than \(readBudget) bytes from one file")
        }
        // An on-disk offset past Int64.max lies beyond any file (and would trap in the off_t conversion).
        guard offset <= UInt64(Int64.max) - UInt64(count) else { return [] }
        // The buffer never outgrows what the file holds, whatever count an on-disk field asked for.
        let count = isRegularFile ? Int(min(UInt64(count), size > offset ? size - offset : 0)) : count
        guard count > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let result = buffer.withUnsafeMutableBytes { raw in
                pread(descriptor, raw.baseAddress! + done, count - done, off_t(offset) + off_t(done))
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw SystemError.current("read", path: path)
            }
            if result == 0 { break }
            done += result
        }
        if done < count { buffer.removeSubrange(done...) }
        bytesRead += UInt64(done)
        return buffer
    }

    /// Reads exactly `count` bytes at `offset` into a ``ByteReader`` named `structure`.
    /// - Throws: ``BinaryFormatError`` "truncated" when the file ends first.
    func reader(at offset: UInt64, count: Int, structure: String) throws -> ByteReader {
        let bytes = try read(at: offset, count: count)
        guard bytes.count == count else {
            throw BinaryFormatError(
                structure, at: offset,
                "truncated: needs \(count) bytes but the file ends after \(bytes.count) (file size \(size))")
        }
        return ByteReader(bytes, baseOffset: offset, structure: structure)
    }
}
