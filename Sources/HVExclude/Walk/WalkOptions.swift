#if canImport(Glibc)
import Glibc
#endif

/// How a ``DirectoryWalker`` walks: how many threads, whether it crosses mount points, and a test hook.
package struct WalkOptions: Sendable {
    /// Number of worker threads (each a private serial Dispatch queue); at least 1.
    package var jobs: Int
    /// Whether to descend into file systems mounted below a root (off: such directories are reported as
    /// ``WalkIssue`` with severity `.info` and not entered).
    package var crossMounts: Bool
    /// Called with a directory's host path just before it is opened (never for a root). Tests use it to
    /// make "a directory vanishes during the walk" deterministic; it runs on a worker thread.
    var beforeOpeningDirectory: (@Sendable (String) -> Void)?

    /// Creates options; `jobs` defaults to the number of online processors.
    package init(
        jobs: Int = WalkOptions.defaultJobs, crossMounts: Bool = false,
        beforeOpeningDirectory: (@Sendable (String) -> Void)? = nil
    ) {
        self.jobs = max(1, jobs)
        self.crossMounts = crossMounts
        self.beforeOpeningDirectory = beforeOpeningDirectory
    }

    /// The number of online processors (at least 1).
    package static var defaultJobs: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}
