/// A problem a reader met and read past: what kind it is (a stable ``DiagnosticCode``), where it is, and the
/// sentence printed for it.
///
/// Every reader returns its non-fatal problems as diagnostics (docs/diagnostics.md lists the codes). The
/// message is the text reports and `hive`/`events`/`config` print, so callers above may show it as it is;
/// tests and callers that decide something match the code, never the text.
package struct Diagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
    /// What kind of problem: stable across releases, documented in docs/diagnostics.md.
    package var code: DiagnosticCode
    /// Where it is, as precisely as the reader knows.
    package var location: DiagnosticLocation
    /// The sentence shown for it, naming the structure and offset (the text of 0.x's string warnings).
    package var message: String

    /// A diagnostic of kind `code` at `location`, printed as `message`.
    package init(_ code: DiagnosticCode, at location: DiagnosticLocation = .unknown, _ message: String) {
        self.code = code
        self.location = location
        self.message = message
    }

    /// The message, so that interpolating a diagnostic prints what a string warning printed.
    package var description: String { message }
}

/// Where a diagnostic is: the lowest layer knows no Windows path type, so paths are their printed text here.
package enum DiagnosticLocation: Sendable, Hashable, Codable {
    /// Nowhere more precise than the file being read.
    case unknown
    /// An absolute byte offset in the file the reader was given.
    case offset(UInt64)
    /// A file other than the one the reader was given (a hive's transaction log), at an offset when known.
    case file(String, offset: UInt64?)
    /// A key of a registry hive, by its path below the root ("ControlSet001\Services").
    case registryKey(String)
    /// An event log record, by its record number.
    case logRecord(UInt64)
    /// An NTFS MFT record, by its number.
    case mftRecord(UInt64)
    /// A line and column of a text file (an XML configuration's element).
    case line(Int, column: Int)

    /// The record number of a ``logRecord(_:)`` location.
    package var logRecord: UInt64? {
        if case .logRecord(let record) = self { record } else { nil }
    }
}

/// Collects a reader's diagnostics up to a limit and counts the rest, so a hostile file cannot flood a report;
/// the count is reported as one last diagnostic, ``DiagnosticCode/suppressed``.
package struct DiagnosticList: Sendable {
    /// The limit of a reader that names none (VMCX's since 0.2).
    package static let defaultLimit = 100

    /// Most diagnostics kept.
    package let limit: Int
    /// The diagnostics kept, in the order they were met.
    package private(set) var items: [Diagnostic] = []
    /// How many were met past the limit.
    package private(set) var suppressed = 0

    /// An empty list keeping at most `limit` diagnostics.
    package init(limit: Int = DiagnosticList.defaultLimit) { self.limit = limit }

    /// Keeps `diagnostic`, or counts it when the list is full.
    package mutating func add(_ diagnostic: Diagnostic) {
        if items.count < limit { items.append(diagnostic) } else { suppressed += 1 }
    }

    /// Keeps a diagnostic of kind `code` at `location`, printed as `message`.
    package mutating func add(_ code: DiagnosticCode, at location: DiagnosticLocation = .unknown, _ message: String) {
        add(Diagnostic(code, at: location, message))
    }

    /// Keeps each of `diagnostics` in order.
    package mutating func add(contentsOf diagnostics: some Sequence<Diagnostic>) {
        for diagnostic in diagnostics { add(diagnostic) }
    }

    /// Nothing kept and nothing counted.
    package var isEmpty: Bool { items.isEmpty && suppressed == 0 }

    /// The diagnostics kept, followed by one naming how many were suppressed, if any were.
    package func finish() -> [Diagnostic] {
        suppressed == 0
            ? items : items + [Diagnostic(.suppressed, "\(suppressed) more warnings were suppressed")]
    }
}

extension Array where Element == Diagnostic {
    /// Appends a diagnostic of kind `code` at `location`, printed as `message` (readers whose structures are few
    /// enough to need no ``DiagnosticList`` cap).
    package mutating func append(_ code: DiagnosticCode, at location: DiagnosticLocation = .unknown, _ message: String)
    {
        append(Diagnostic(code, at: location, message))
    }
}
