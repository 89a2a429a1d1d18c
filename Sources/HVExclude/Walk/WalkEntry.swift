/// One recorded directory entry: every entry the match predicate accepted, plus every symlink.
package struct WalkEntry: Sendable, Hashable, Comparable {
    /// The root (as given to ``DirectoryWalker/walk(roots:match:)``, trailing `/` removed) it was found under.
    package var root: String
    /// Full host path; invalid UTF-8 bytes appear as U+FFFD (use ``hostPathBytes`` to open it).
    package var hostPath: String
    /// The exact bytes of the host path, for opening the file when the name is not valid UTF-8.
    package var hostPathBytes: [UInt8]
    /// The entry's own name (lossy like ``hostPath``).
    package var name: String
    /// What the entry is.
    package var kind: EntryKind
    /// The link's text as `readlink` returns it (lossy UTF-8), for symlinks only; `nil` when unreadable.
    package var linkTarget: String?
    /// Depth below the root: 1 for the root's own children.
    package var depth: Int
    /// Whether the match predicate accepted the entry (symlinks are recorded either way).
    package var matched: Bool

    /// Creates an entry.
    package init(
        root: String, hostPath: String, hostPathBytes: [UInt8], name: String, kind: EntryKind,
        linkTarget: String?, depth: Int, matched: Bool
    ) {
        self.root = root
        self.hostPath = hostPath
        self.hostPathBytes = hostPathBytes
        self.name = name
        self.kind = kind
        self.linkTarget = linkTarget
        self.depth = depth
        self.matched = matched
    }

    /// The host path with every byte that is not valid UTF-8 written as `\xHH` (see ``RawName/escaped(_:)``).
    var escapedHostPath: String { RawName.escaped(hostPathBytes) }

    /// Orders by the raw path bytes, so results do not depend on thread scheduling or locale.
    package static func < (lhs: WalkEntry, rhs: WalkEntry) -> Bool {
        lhs.hostPathBytes.lexicographicallyPrecedes(rhs.hostPathBytes)
    }
}
