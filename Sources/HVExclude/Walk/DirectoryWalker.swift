import CSystemShims
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Walks directory trees on N Dispatch threads, recording entries a predicate accepts and every symlink.
///
/// One directory is one unit of work. Workers pop from a shared LIFO stack (depth-first keeps the stack
/// small), read each directory with `getdents64` (no `fstat` per directory, as `opendir` would add) and let
/// `d_type` decide (`lstat` only for `DT_UNKNOWN`). Names are matched on their raw bytes; a `String` is
/// built only for recorded entries, so memory does not grow with the number of non-matching entries.
/// A pending counter reaching zero ends the walk; ``cancel()`` ends it early. Symlinks are never
/// followed and directories are never entered through a link, so loops cannot occur. Errors become
/// ``WalkIssue`` values; only an unreadable root throws.
public final class DirectoryWalker: Sendable {
    /// The options the walker was created with.
    public let options: WalkOptions
    /// Live counters of the current (or last) walk, readable from any thread.
    public let progress = WalkProgress()
    private let running = Mutex<WorkStack?>(nil)
    private let cancelRequested = Atomic<Bool>(false)

    /// Bytes per `getdents64` call: large enough that a WinSxS-sized folder takes a few calls.
    static let bufferSize = 64 * 1024

    /// Creates a walker.
    public init(options: WalkOptions = WalkOptions()) {
        self.options = options
    }

    /// Stops the running walk: workers finish their current directory and ``walk(roots:match:)`` returns
    /// a partial result marked `cancelled`. Safe to call from any thread.
    public func cancel() {
        cancelRequested.store(true, ordering: .sequentiallyConsistent)
        running.withLock { $0?.finish() }
    }

    /// Walks `roots` and returns the recorded entries and issues, sorted.
    /// - Parameters:
    ///   - roots: directories to walk (a root may itself be a link; nothing below it is followed).
    ///   - match: called once per entry with its raw name bytes (valid only during the call) and kind; it
    ///     runs concurrently on the worker threads.
    /// - Returns: the matched entries plus every symlink, the issues, and the counts.
    /// - Throws: ``SystemError`` when a root cannot be opened as a directory.
    public func walk(
        roots: [String], match: @escaping @Sendable (UnsafeBufferPointer<UInt8>, EntryKind) -> Bool
    ) throws -> WalkResult {
        let spelled = roots.map(Self.trimmingTrailingSlashes)
        for root in spelled {
            let fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0 else { throw SystemError.current("open", path: root) }
            close(fd)
        }
        progress.reset()
        cancelRequested.store(false, ordering: .sequentiallyConsistent)
        let context = WalkContext(
            options: options, progress: progress, match: match,
            mounts: options.crossMounts ? [:] : MountTable(roots: spelled).pointsBelowRoots)
        let stack = WorkStack(workers: options.jobs)
        running.withLock { $0 = stack }
        defer { running.withLock { $0 = nil } }
        if cancelRequested.load(ordering: .sequentiallyConsistent) { stack.finish() }

        stack.push(
            spelled.enumerated().map { index, root in
                PendingDirectory(path: Array(root.utf8) + [0], depth: 0, root: index, isRoot: true)
            })
        let workers = (0..<options.jobs).map { _ in Worker(context: context, roots: spelled) }
        let group = DispatchGroup()
        for (index, worker) in workers.enumerated() {
            // A private serial queue gets a thread of its own (it targets the overcommit pool), so `jobs`
            // workers really run at once even when they block in I/O (FUSE round trips).
            let queue = DispatchQueue(label: "hvexclude.walker.\(index)")
            queue.async(group: group) {
                while var directory = stack.pop() {
                    worker.read(&directory)
                    stack.push(worker.children)
                    worker.children.removeAll(keepingCapacity: true)
                    stack.completeOne()
                }
            }
        }
        group.wait()
        // group.wait() orders every worker's writes before these reads.
        var entries: [WalkEntry] = []
        var issues: [WalkIssue] = []
        for worker in workers {
            entries.append(contentsOf: worker.entries)
            issues.append(contentsOf: worker.issues)
        }
        entries.sort()
        issues.sort()
        return WalkResult(
            roots: spelled, entries: entries, issues: issues, entriesVisited: progress.entriesVisited,
            directoriesVisited: progress.directoriesVisited,
            cancelled: cancelRequested.load(ordering: .sequentiallyConsistent))
    }

    static func trimmingTrailingSlashes(_ root: String) -> String {
        var bytes = Array(root.utf8)
        while bytes.count > 1, bytes.last == UInt8(ascii: "/") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A directory waiting to be read.
struct PendingDirectory: Sendable {
    /// Host path bytes, NUL-terminated.
    var path: [UInt8]
    /// 0 for a root.
    var depth: Int
    /// Index of its root in the walk's root list.
    var root: Int
    /// Roots may be links (`/mnt/c` → elsewhere); nothing below a root is opened through a link.
    var isRoot: Bool
    /// The parent, still open, so the directory is opened with `openat(parent, name)`: one path component
    /// to look up instead of the whole path, and no PATH_MAX limit. `nil` for roots and when the walker
    /// already holds its cap of open parents (then the full path is used).
    var parent: OpenDirectory? = nil
    /// Where the directory's own name starts in ``path``.
    var nameOffset: Int = 0
}

/// An open directory descriptor shared by the pending children that will be opened relative to it;
/// closed when the last of them has been opened.
final class OpenDirectory: Sendable {
    let fd: Int32
    private let openCount: OpenCount

    init(fd: Int32, openCount: OpenCount) {
        self.fd = fd
        self.openCount = openCount
    }

    deinit {
        close(fd)
        openCount.count.subtract(1, ordering: .relaxed)
    }
}

/// How many ``OpenDirectory`` descriptors are held, so a wide and deep tree cannot exhaust descriptors.
final class OpenCount: Sendable {
    let count = Atomic<Int>(0)
    /// Held parents at most; far below the usual 1,024-descriptor soft limit.
    static let cap = 256

    /// Reserves one slot; false when the cap is reached.
    func reserve() -> Bool {
        if count.add(1, ordering: .relaxed).newValue <= Self.cap { return true }
        count.subtract(1, ordering: .relaxed)
        return false
    }
}

/// What every worker shares (read-only).
struct WalkContext: Sendable {
    let options: WalkOptions
    let progress: WalkProgress
    let match: @Sendable (UnsafeBufferPointer<UInt8>, EntryKind) -> Bool
    let mounts: [[UInt8]: String]
    let openCount = OpenCount()
}

/// The shared LIFO stack: a mutex-guarded array, a semaphore counting items, and the pending counter.
final class WorkStack: Sendable {
    private let items = Mutex<[PendingDirectory]>([])
    private let available = DispatchSemaphore(value: 0)
    private let pending = Atomic<Int>(0)
    private let finished = Atomic<Bool>(false)
    private let workers: Int

    init(workers: Int) { self.workers = workers }

    /// Adds directories; they count as pending until ``completeOne()`` is called for each.
    func push(_ directories: [PendingDirectory]) {
        guard !directories.isEmpty else { return }
        pending.add(directories.count, ordering: .sequentiallyConsistent)
        items.withLock { $0.append(contentsOf: directories) }
        for _ in directories { available.signal() }
    }

    /// The next directory, or `nil` once the walk is over (blocks while others may still add work).
    func pop() -> PendingDirectory? {
        available.wait()
        if finished.load(ordering: .sequentiallyConsistent) { return nil }
        return items.withLock { $0.popLast() }
    }

    /// Marks one popped directory done; its children were pushed before, so zero means nothing is left.
    func completeOne() {
        if pending.subtract(1, ordering: .sequentiallyConsistent).newValue == 0 { finish() }
    }

    /// Wakes every worker so each sees the walk is over.
    func finish() {
        guard !finished.exchange(true, ordering: .sequentiallyConsistent) else { return }
        for _ in 0..<workers { available.signal() }
    }
}

/// One worker's private state: its read buffer and what it recorded. Only its own thread touches it
/// until the walk's `DispatchGroup` is waited on.
final class Worker: @unchecked Sendable {
    let context: WalkContext
    let roots: [String]
    var entries: [WalkEntry] = []
    var issues: [WalkIssue] = []
    var children: [PendingDirectory] = []
    private let buffer: UnsafeMutableRawPointer

    // d_type values from <dirent.h>.
    private static let typeUnknown: UInt8 = 0
    private static let typeDirectory: UInt8 = 4
    private static let typeRegular: UInt8 = 8
    private static let typeLink: UInt8 = 10
    private static let slash = UInt8(ascii: "/")
    private static let dot = UInt8(ascii: ".")

    init(context: WalkContext, roots: [String]) {
        self.context = context
        self.roots = roots
        buffer = UnsafeMutableRawPointer.allocate(byteCount: DirectoryWalker.bufferSize, alignment: 8)
    }

    deinit { buffer.deallocate() }

    /// Reads one directory: records matches, symlinks and issues, and queues subdirectories in `children`.
    func read(_ directory: inout PendingDirectory) {
        context.progress.started(directory: directory.path)
        if !directory.isRoot, let hook = context.options.beforeOpeningDirectory {
            hook(Self.text(directory.path))
        }
        let fd = openDirectory(directory)
        directory.parent = nil  // the parent's descriptor may close as soon as its last child is open
        guard fd >= 0 else {
            let code = errno
            // O_DIRECTORY|O_NOFOLLOW answers ENOTDIR (not ELOOP) when the directory became a link.
            let note =
                code == ENOENT
                ? " (it vanished during the walk)"
                : code == ENOTDIR || code == ELOOP
                    ? " (it was replaced during the walk by something that is not a directory; links are not followed)"
                    : ""
            issue(directory.path, "open", code, note)
            return
        }
        // Subdirectories share this descriptor through `handle` (made on the first one); it then closes
        // when the last of them has been opened.
        var handle: OpenDirectory? = nil
        var mayShare = true
        defer { if handle == nil { close(fd) } }
        var seen = 0
        reading: while true {
            let count = hvx_getdents64(fd, buffer, DirectoryWalker.bufferSize)
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                issue(directory.path, "getdents64", errno, " (entries read before the error are kept)")
                break
            }
            // struct linux_dirent64: d_ino u64 @0, d_off i64 @8, d_reclen u16 @16, d_type u8 @18, d_name @19.
            var offset = 0
            while offset < count {
                let record = buffer + offset
                let length = Int(record.loadUnaligned(fromByteOffset: 16, as: UInt16.self))
                guard length >= 20, offset + length <= count else {
                    issue(directory.path, "getdents64", EIO, " (malformed record of \(length) bytes at \(offset))")
                    break reading
                }
                let type = record.load(fromByteOffset: 18, as: UInt8.self)
                let namePointer = (record + 19).assumingMemoryBound(to: CChar.self)
                let nameLength = strnlen(namePointer, length - 19)
                offset += length
                let name = UnsafeBufferPointer(
                    start: UnsafeRawPointer(namePointer).assumingMemoryBound(to: UInt8.self), count: nameLength)
                if name.first == Self.dot && (nameLength == 1 || (nameLength == 2 && name[1] == Self.dot)) {
                    continue
                }
                seen += 1
                visit(name, namePointer: namePointer, type: type, fd: fd, in: directory, handle: &handle, mayShare: &mayShare)
            }
        }
        context.progress.finished(entries: seen)
    }

    private func visit(
        _ name: UnsafeBufferPointer<UInt8>, namePointer: UnsafePointer<CChar>, type: UInt8, fd: Int32,
        in directory: PendingDirectory, handle: inout OpenDirectory?, mayShare: inout Bool
    ) {
        let kind: EntryKind
        switch type {
        case Self.typeDirectory: kind = .directory
        case Self.typeRegular: kind = .file
        case Self.typeLink: kind = .symlink
        case Self.typeUnknown:
            var info = stat()
            guard fstatat(fd, namePointer, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
                issue(childPath(directory.path, name), "lstat", errno, "")
                return
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: kind = .directory
            case S_IFREG: kind = .file
            case S_IFLNK: kind = .symlink
            default: kind = .other
            }
        default: kind = .other
        }
        let validName = RawName.isValidUTF8(name)
        if !validName {
            let path = childPath(directory.path, name)
            issues.append(
                WalkIssue(
                    path: Self.text(path), operation: "decode name", code: EILSEQ,
                    message: "name is not valid UTF-8: \"\(RawName.escaped(path.dropLast()))\" "
                        + "(bytes that are not UTF-8 written as \\xHH); reported with U+FFFD in their place"))
        }
        let matched = context.match(name, kind)
        if kind == .directory {
            let path = childPath(directory.path, name)
            if let type = context.mounts[path] {
                issues.append(
                    WalkIssue(
                        path: Self.text(path), operation: "mount point", code: 0,
                        message: "not crossing mount point \(Self.text(path)) (\(type)); walk it as a root of "
                            + "its own or allow crossing mounts", severity: .info))
            } else {
                if handle == nil && mayShare {
                    mayShare = context.openCount.reserve()
                    if mayShare { handle = OpenDirectory(fd: fd, openCount: context.openCount) }
                }
                children.append(
                    PendingDirectory(
                        path: path, depth: directory.depth + 1, root: directory.root, isRoot: false, parent: handle,
                        nameOffset: path.count - 1 - name.count))
            }
            if matched { record(path, name, kind, target: nil, matched: true, in: directory) }
        } else if matched || kind == .symlink {
            let path = childPath(directory.path, name)
            let target = kind == .symlink ? readLink(fd, namePointer, path) : nil
            record(path, name, kind, target: target, matched: matched, in: directory)
        }
    }

    private func record(
        _ path: [UInt8], _ name: UnsafeBufferPointer<UInt8>, _ kind: EntryKind, target: String?, matched: Bool,
        in directory: PendingDirectory
    ) {
        let bytes = Array(path.dropLast())
        entries.append(
            WalkEntry(
                root: roots[directory.root], hostPath: String(decoding: bytes, as: UTF8.self), hostPathBytes: bytes,
                name: String(decoding: name, as: UTF8.self), kind: kind, linkTarget: target,
                depth: directory.depth + 1, matched: matched))
    }

    private func readLink(_ fd: Int32, _ name: UnsafePointer<CChar>, _ path: [UInt8]) -> String? {
        var size = 4096
        while size <= 1 << 20 {
            var buffer = [UInt8](repeating: 0, count: size)
            let count = buffer.withUnsafeMutableBytes { readlinkat(fd, name, $0.baseAddress!, size) }
            if count < 0 {
                issue(path, "readlink", errno, "")
                return nil
            }
            if count < size { return String(decoding: buffer[0..<count], as: UTF8.self) }
            size *= 4
        }
        issue(path, "readlink", ENAMETOOLONG, "")
        return nil
    }

    /// Opens a directory without following a final link; paths past PATH_MAX are opened piecewise with
    /// `openat`, each piece below PATH_MAX.
    private func openDirectory(_ directory: PendingDirectory) -> Int32 {
        let flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (directory.isRoot ? 0 : O_NOFOLLOW)
        if let parent = directory.parent {
            return directory.path.withUnsafeBufferPointer { bytes in
                let name = UnsafeRawPointer(bytes.baseAddress! + directory.nameOffset).assumingMemoryBound(to: CChar.self)
                var fd = openat(parent.fd, name, flags | hvx_O_NOATIME)
                if fd < 0 && errno == EPERM { fd = openat(parent.fd, name, flags) }
                return fd
            }
        }
        var fd = Self.open(AT_FDCWD, directory.path, flags)
        if fd < 0 && errno == ENAMETOOLONG { fd = openLong(directory.path, flags: flags) }
        return fd
    }

    private static func open(_ base: Int32, _ path: [UInt8], _ flags: Int32) -> Int32 {
        path.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                // O_NOATIME keeps the scanned volume unchanged; only the owner or root may ask for it.
                var fd = openat(base, chars.baseAddress!, flags | hvx_O_NOATIME)
                if fd < 0 && errno == EPERM { fd = openat(base, chars.baseAddress!, flags) }
                return fd
            }
        }
    }

    private func openLong(_ path: [UInt8], flags: Int32) -> Int32 {
        let limit = Int(PATH_MAX) - 1
        let end = path.count - 1  // the NUL
        var start = 0
        var base = AT_FDCWD
        while start < end {
            var stop = end
            if end - start > limit {
                // Cut at the last slash that keeps this piece under the limit.
                guard let cut = path[start..<(start + limit)].lastIndex(of: Self.slash), cut > start else {
                    if base != AT_FDCWD { close(base) }
                    errno = ENAMETOOLONG
                    return -1
                }
                stop = cut
            }
            let fd = Self.open(base, Array(path[start..<stop]) + [0], flags)
            let code = errno
            if base != AT_FDCWD { close(base) }
            guard fd >= 0 else {
                errno = code
                return -1
            }
            base = fd
            start = stop + 1
        }
        return base
    }

    private func childPath(_ parent: [UInt8], _ name: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var path: [UInt8] = []
        path.reserveCapacity(parent.count + name.count + 1)
        path.append(contentsOf: parent.dropLast())
        if path.last != Self.slash { path.append(Self.slash) }
        path.append(contentsOf: name)
        path.append(0)
        return path
    }

    private func issue(_ path: [UInt8], _ operation: String, _ code: Int32, _ note: String) {
        let text = Self.text(path)
        issues.append(
            WalkIssue(
                path: text, operation: operation, code: code,
                message: "\(operation) \(text): \(SystemError.text(for: code))\(note)"))
    }

    /// NUL-terminated path bytes as (lossy) text.
    static func text(_ path: [UInt8]) -> String {
        String(decoding: path.last == 0 ? path.dropLast() : path[...], as: UTF8.self)
    }
}
