import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// An open directory descriptor shared by the pending children that will be opened relative to it;
/// closed when the last of them has been opened.
package final class OpenDirectory: Sendable {
    package let fd: Int32
    private let openCount: OpenCount

    package init(fd: Int32, openCount: OpenCount) {
        self.fd = fd
        self.openCount = openCount
    }

    deinit {
        close(fd)
        openCount.count.subtract(1, ordering: .relaxed)
    }
}

/// How many ``OpenDirectory`` descriptors are held, so a wide and deep tree cannot exhaust descriptors.
package final class OpenCount: Sendable {
    package let count = Atomic<Int>(0)
    /// Held parents at most; far below the usual 1,024-descriptor soft limit.
    static let cap = 256

    /// Reserves one slot; false when the cap is reached.
    func reserve() -> Bool {
        if count.add(1, ordering: .relaxed).newValue <= Self.cap { return true }
        count.subtract(1, ordering: .relaxed)
        return false
    }
}
