import Foundation

// Shared by both test targets through the HVExcludeTestSupport target.

/// Folders removed when the test process exits (atexit runs after the last test).
package enum ExitCleanup {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var paths: [String] = []
    nonisolated(unsafe) private static var installed = false

    package static func remove(_ path: String) {
        lock.lock()
        defer { lock.unlock() }
        paths.append(path)
        if !installed {
            installed = true
            atexit { ExitCleanup.removeAll() }
        }
    }

    private static func removeAll() {
        lock.lock()
        let list = paths
        lock.unlock()
        for path in list { try? FileManager.default.removeItem(atPath: path) }
    }
}
