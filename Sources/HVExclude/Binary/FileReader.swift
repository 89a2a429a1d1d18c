import CSystemShims
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Reads byte ranges from one file with `pread`: parsers ask for the few kilobytes a structure needs and
/// never see the descriptor.
///
/// Files are opened `O_RDONLY | O_NOFOLLOW | O_CLOEXEC` (plus `O_NOATIME` where permitted), so a link is
/// never opened and nothing on the scanned volume changes — not even an access time.
package final class FileReader: Sendable {
    /// Host path the reader was opened on.
    package let path: String
    /// File size in bytes at open time.
    package let size: UInt64
    private let descriptor: Int32
    /// Where the bytes come from when they are not a host file (a partition, a virtual disk, an NTFS file).
    private let source: (any ByteSource)?
    /// Whether `size` is the real end (a block device reports 0).
    private let isRegularFile: Bool
    /// Total bytes returned by ``read(at:count:)`` so far (for the "reads kilobytes" measurements).
    var bytesRead: UInt64 { counted.withLock { $0 } }
    /// ``bytesRead``, behind a lock: the workers of a scan may share one reader (an image's volume).
    private let counted = Mutex<UInt64>(0)
    /// Hard cap on bytes one reader may return, so a hostile file cannot make a parser read it all.
    package let readBudget: UInt64

    /// Opens `path` read-only without following a final link.
    /// - Throws: ``SystemError`` when open or fstat fails (ELOOP for a link).
    package init(path: String, readBudget: UInt64 = 256 << 20) throws {
        var fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | hvx_O_NOATIME)
        if fd < 0 && errno == EPERM {
            // O_NOATIME is allowed only to the file's owner or a privileged process.
            fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        }
        if fd < 0 && errno == ENAMETOOLONG { fd = FileReader.openLong(path) }
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
        self.source = nil
        self.size = UInt64(max(0, info.st_size))
        self.isRegularFile = (info.st_mode & S_IFMT) == S_IFREG
        self.readBudget = readBudget
    }

    /// Opens a path longer than PATH_MAX piece by piece (``LongPath``), as the walker reads such folders; the last
    /// piece is the file, opened without following a link.
    package static func openLong(_ path: String, lastFlags: Int32 = O_NOFOLLOW) -> Int32 {
        LongPath.open(
            Array(path.utf8), folderFlags: O_RDONLY | O_CLOEXEC | O_DIRECTORY,
            lastFlags: O_RDONLY | O_CLOEXEC | lastFlags)
    }

    /// A reader over `source`, named `path` in messages (a file inside an image has no host path of its own).
    package init(path: String, source: any ByteSource, readBudget: UInt64 = 256 << 20) {
        self.path = path
        self.descriptor = -1
        self.source = source
        self.size = source.size
        self.isRegularFile = true
        self.readBudget = readBudget
    }

    /// This reader's bytes as a ``ByteSource`` (a disk image that itself holds a disk).
    var byteSource: any ByteSource { source ?? FileBytes(reader: self) }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// Reads up to `count` bytes at `offset`; fewer only at end of file.
    /// - Throws: ``SystemError`` on an I/O error, ``BinaryFormatError`` when the read budget is exhausted.
    package func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        guard count > 0 else { return [] }
        // The budget is reserved before the read and the reservation corrected after it, so two threads cannot
        // both pass the check with the last bytes of the budget.
        let reserved = counted.withLock { total -> Bool in
            guard total + UInt64(count) <= readBudget else { return false }
            total += UInt64(count)
            return true
        }
        guard reserved else {
            throw BinaryFormatError(path, at: offset, "refusing to read more than \(readBudget) bytes from one file")
        }
        do {
            let bytes = try readUnbudgeted(at: offset, count: count)
            counted.withLock { $0 -= UInt64(count - bytes.count) }
            return bytes
        } catch {
            counted.withLock { $0 -= UInt64(count) }
            throw error
        }
    }

    /// Reads like ``read(at:count:)`` without counting against the budget: for a disk image read as the
    /// volume beneath many files, each of which has a budget of its own.
    package func readUnbudgeted(at offset: UInt64, count: Int) throws -> [UInt8] {
        guard count > 0 else { return [] }
        if let source { return try source.read(at: offset, count: count) }
        // An on-disk offset past Int64.max lies beyond any file (and would trap in the off_t conversion).
        guard offset <= UInt64(Int64.max) - UInt64(count) else { return [] }
        // The buffer never outgrows what the file holds, whatever count an on-disk field asked for.
        let count = isRegularFile ? Int(min(UInt64(count), size > offset ? size - offset : 0)) : count
        guard count > 0 else { return [] }
        var failure: SystemError?
        // Filled by pread, not zeroed first: a large read (an MFT piece) pays once for its pages.
        let buffer = [UInt8](unsafeUninitializedCapacity: count) { raw, initialized in
            var done = 0
            while done < count {
                let result = pread(descriptor, raw.baseAddress! + done, count - done, off_t(offset) + off_t(done))
                if result < 0 {
                    if errno == EINTR { continue }
                    failure = SystemError.current("read", path: path)
                    break
                }
                if result == 0 { break }
                done += result
            }
            initialized = done
        }
        if let failure { throw failure }
        return buffer
    }

    /// Reads exactly `count` bytes at `offset` into a ``ByteReader`` named `structure`.
    /// - Throws: ``BinaryFormatError`` "truncated" when the file ends first.
    package func reader(at offset: UInt64, count: Int, structure: String) throws -> ByteReader {
        let bytes = try read(at: offset, count: count)
        guard bytes.count == count else {
            throw BinaryFormatError(
                structure, at: offset,
                "truncated: needs \(count) bytes but the file ends after \(bytes.count) (file size \(size))")
        }
        return ByteReader(bytes, baseOffset: offset, structure: structure)
    }
}

/// A host file as a ``ByteSource``, without a read budget (an image is read in many small pieces).
package struct FileBytes: ByteSource, Sendable {
    package let reader: FileReader
    package let size: UInt64
    /// `reader`'s bytes; `size` overrides its size (a block device's `stat` size is 0).
    package init(reader: FileReader, size: UInt64? = nil) {
        self.reader = reader
        self.size = size ?? reader.size
    }
    package func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        try reader.readUnbudgeted(at: offset, count: count)
    }
}
