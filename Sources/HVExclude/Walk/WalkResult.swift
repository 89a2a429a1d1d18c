/// What a walk found: recorded entries and issues, both sorted, and the counts.
package struct WalkResult: Sendable, Hashable {
    /// The roots walked (trailing `/` removed).
    package var roots: [String]
    /// Matched entries and every symlink, sorted by raw path bytes.
    package var entries: [WalkEntry]
    /// Errors and skipped mount points, sorted.
    package var issues: [WalkIssue]
    /// Directory entries seen (all kinds, `.` and `..` excluded).
    package var entriesVisited: Int
    /// Directories opened and read (roots included).
    package var directoriesVisited: Int
    /// Whether ``DirectoryWalker/cancel()`` stopped the walk early (the result is then partial).
    package var cancelled: Bool

    /// Creates a result.
    package init(
        roots: [String], entries: [WalkEntry], issues: [WalkIssue], entriesVisited: Int,
        directoriesVisited: Int, cancelled: Bool
    ) {
        self.roots = roots
        self.entries = entries
        self.issues = issues
        self.entriesVisited = entriesVisited
        self.directoriesVisited = directoriesVisited
        self.cancelled = cancelled
    }
}
