import Dispatch
import HVXBinary
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
/// ``WalkIssue`` values; only an unreadable root throws. Mount points below a root are read once from
/// `/proc/self/mountinfo` and not crossed unless asked (no `stat` per directory).
package final class DirectoryWalker: Sendable {
    /// The options the walker was created with.
    package let options: WalkOptions
    /// Live counters of the current (or last) walk, readable from any thread.
    package let progress: WalkProgress
    private let running = Mutex<WorkStack?>(nil)
    private let cancelRequested = Atomic<Bool>(false)

    /// Bytes per `getdents64` call: large enough that a WinSxS-sized folder takes a few calls.
    static let bufferSize = 64 * 1024

    /// Creates a walker.
    package init(options: WalkOptions = WalkOptions(), progress: WalkProgress = WalkProgress()) {
        self.options = options
        self.progress = progress
    }

    /// Stops the running walk: workers finish their current directory and ``walk(roots:match:)`` returns
    /// a partial result marked `cancelled`. Safe to call from any thread.
    package func cancel() {
        cancelRequested.store(true, ordering: .sequentiallyConsistent)
        running.withLock { $0?.finish() }
    }

    /// Walks `roots` and returns the recorded entries and issues, sorted (one walk at a time per walker).
    /// - Parameters:
    ///   - roots: directories to walk (a root may itself be a link; nothing below it is followed).
    ///   - match: called once per entry with its raw name bytes (valid only during the call) and kind; it
    ///     runs concurrently on the worker threads.
    /// - Returns: the matched entries plus every symlink, the issues, and the counts.
    /// - Throws: ``SystemError`` when a root cannot be opened as a directory.
    package func walk(
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
        let workers = (0..<options.jobs).map { _ in WalkWorker(context: context, roots: spelled) }
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

    package static func trimmingTrailingSlashes(_ root: String) -> String {
        var bytes = Array(root.utf8)
        while bytes.count > 1, bytes.last == UInt8(ascii: "/") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// What every worker shares (read-only).
package struct WalkContext: Sendable {
    package let options: WalkOptions
    package let progress: WalkProgress
    package let match: @Sendable (UnsafeBufferPointer<UInt8>, EntryKind) -> Bool
    package let mounts: [[UInt8]: String]
    let openCount = OpenCount()
}
