@testable import HVXBinary

/// Matching a reader's diagnostics by code (and location), as tests should: the message is for people.
extension Sequence where Element == Diagnostic {
    /// The codes, in order.
    var codes: [DiagnosticCode] { map(\.code) }

    /// Whether one of them has `code` (and, when given, `location`).
    func has(_ code: DiagnosticCode, at location: DiagnosticLocation? = nil) -> Bool {
        count(code, at: location) > 0
    }

    /// How many have `code` (and, when given, `location`).
    func count(_ code: DiagnosticCode, at location: DiagnosticLocation? = nil) -> Int {
        reduce(0) { $0 + ($1.code == code && (location == nil || $1.location == location) ? 1 : 0) }
    }

    /// The messages, in order (for tests of the printed text itself).
    var messages: [String] { map(\.message) }
}
