import Dispatch
import Synchronization

/// The shared LIFO stack: a mutex-guarded array, a semaphore counting items, and the pending counter.
package final class WorkStack: Sendable {
    private let items = Mutex<[PendingDirectory]>([])
    private let available = DispatchSemaphore(value: 0)
    private let pending = Atomic<Int>(0)
    private let finished = Atomic<Bool>(false)
    private let workers: Int

    package init(workers: Int) { self.workers = workers }

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
    package func finish() {
        guard !finished.exchange(true, ordering: .sequentiallyConsistent) else { return }
        for _ in 0..<workers { available.signal() }
    }
}

/// A directory waiting to be read.
package struct PendingDirectory: Sendable {
    /// Host path bytes, NUL-terminated.
    package var path: [UInt8]
    /// 0 for a root.
    package var depth: Int
    /// Index of its root in the walk's root list.
    package var root: Int
    /// Roots may be links (`/mnt/c` → elsewhere); nothing below a root is opened through a link.
    package var isRoot: Bool
    /// The parent, still open, so the directory is opened with `openat(parent, name)`: one path component
    /// to look up instead of the whole path, and no PATH_MAX limit. `nil` for roots and when the walker
    /// already holds its cap of open parents (then the full path is used).
    package var parent: OpenDirectory? = nil
    /// Where the directory's own name starts in ``path``.
    package var nameOffset: Int = 0
}
