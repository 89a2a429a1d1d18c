/// What a walk found: recorded entries and issues, both sorted, and the counts.
public struct WalkResult: Sendable, Hashable {
    /// The roots walked (trailing `/` removed).
    public var roots: [String]
    /// Matched entries and every symlink, sorted by raw path bytes.
    public var entries: [WalkEntry]
    /// Errors and skipped mount points, sorted.
    public var issues: [WalkIssue]
    /// Directory entries seen (all kinds, `.` and `..` excluded).
    public var entriesVisited: Int
    /// Directories opened and read (roots included).
    public var directoriesVisited: Int
    /// Whether ``DirectoryWalker/cancel()`` stopped the walk early (the result is then partial).
    public var cancelled: Bool

    /// Creates a result.
    public init(
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
