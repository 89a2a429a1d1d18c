import Foundation

// Shared by both test targets (Tests/HVExcludeCLITests/ExitCleanup.swift is a link to this file).

/// Folders removed when the test process exits (atexit runs after the last test).
enum ExitCleanup {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var paths: [String] = []
    nonisolated(unsafe) private static var installed = false

    static func remove(_ path: String) {
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
