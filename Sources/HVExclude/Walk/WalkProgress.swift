import Synchronization

/// Live counters of a running walk, safe to read from another thread (for a TTY progress line).
public final class WalkProgress: Sendable {
    private let entries = Atomic<Int>(0)
    private let directories = Atomic<Int>(0)
    // The bytes are stored as is (an array retain per directory); a String is built only when asked.
    private let current = Mutex<[UInt8]>([])

    private let stage = Mutex<String>("")
    private let bytes = Atomic<Int>(0)

    /// Creates zeroed counters.
    package init() {}

    /// What the scan is doing now ("walking", "reading event logs", …), for the progress line.
    public var phase: String { stage.withLock { $0 } }
    /// Bytes read so far by the phases that count them (event logs).
    public var bytesRead: Int { bytes.load(ordering: .relaxed) }

    /// Enters a phase.
    package func enter(_ phase: String) { stage.withLock { $0 = phase } }
    /// Counts bytes read.
    package func add(bytes count: Int) { bytes.add(count, ordering: .relaxed) }

    /// Directory entries seen so far.
    public var entriesVisited: Int { entries.load(ordering: .relaxed) }
    /// Directories read so far.
    package var directoriesVisited: Int { directories.load(ordering: .relaxed) }
    /// The directory a worker most recently started on (lossy UTF-8; empty before the walk starts).
    public var currentDirectory: String {
        let bytes = current.withLock { $0 }
        return String(decoding: bytes.last == 0 ? bytes.dropLast() : bytes[...], as: UTF8.self)
    }

    package func reset() {
        entries.store(0, ordering: .relaxed)
        directories.store(0, ordering: .relaxed)
        current.withLock { $0 = [] }
    }

    package func started(directory path: [UInt8]) { current.withLock { $0 = path } }

    package func finished(entries count: Int) {
        entries.add(count, ordering: .relaxed)
        directories.add(1, ordering: .relaxed)
    }
}
