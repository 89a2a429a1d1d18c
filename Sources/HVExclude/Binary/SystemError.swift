#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: the operation, the path and `strerror`'s text.
package struct SystemError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The call that failed ("open", "opendir", "lgetxattr").
    package var operation: String
    /// The path it was called on.
    package var path: String
    /// The `errno` value.
    package var code: Int32

    /// Creates an error from an explicit `errno` value.
    package init(_ operation: String, path: String, code: Int32) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    /// Creates an error from the current `errno`.
    package static func current(_ operation: String, path: String) -> SystemError {
        SystemError(operation, path: path, code: errno)
    }

    /// `strerror`'s text for the code.
    package var reason: String { SystemError.text(for: code) }

    /// "operation path: reason".
    package var description: String { "\(operation) \(path): \(reason)" }

    /// `strerror`'s text for an `errno` value.
    package static func text(for code: Int32) -> String {
        guard let message = strerror(code) else { return "error \(code)" }
        return String(cString: message)
    }
}
