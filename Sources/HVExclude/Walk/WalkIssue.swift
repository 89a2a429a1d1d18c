import HVXBinary

/// A problem (or a deliberate skip) met during a walk: errors are data, and the walk goes on.
package struct WalkIssue: Sendable, Hashable, Comparable {
    /// Whether something could not be read, or was skipped on purpose.
    package enum Severity: String, Sendable, Hashable, Codable {
        /// Something could not be read (EACCES, ENOENT race, ELOOP, ENAMETOOLONG, EIO, a non-UTF-8 name).
        case error
        /// Skipped on purpose: a mount point not crossed.
        case info
    }

    /// Host path concerned (lossy UTF-8; the message carries the escaped bytes when that matters).
    package var path: String
    /// The operation: "open", "getdents64", "lstat", "readlink", "decode name" or "mount point".
    package var operation: String
    /// The `errno` value (EILSEQ for a non-UTF-8 name, 0 for a mount point not crossed).
    package var code: Int32
    /// A specific sentence including `strerror`'s text.
    package var message: String
    /// Error or info.
    package var severity: Severity
    /// What kind of problem, when a reader behind the walk (an NTFS volume read natively) names one
    /// (docs/diagnostics.md); `nil` for the system's own errors, which `code` says.
    package var diagnostic: DiagnosticCode?

    /// Creates an issue.
    package init(
        path: String, operation: String, code: Int32, message: String, severity: Severity = .error,
        diagnostic: DiagnosticCode? = nil
    ) {
        self.path = path
        self.operation = operation
        self.code = code
        self.message = message
        self.severity = severity
        self.diagnostic = diagnostic
    }

    /// Orders by path, then operation, code and message, so results are deterministic.
    package static func < (lhs: WalkIssue, rhs: WalkIssue) -> Bool {
        if lhs.path != rhs.path { return lhs.path.utf8.lexicographicallyPrecedes(rhs.path.utf8) }
        if lhs.operation != rhs.operation { return lhs.operation < rhs.operation }
        if lhs.code != rhs.code { return lhs.code < rhs.code }
        return lhs.message < rhs.message
    }
}
