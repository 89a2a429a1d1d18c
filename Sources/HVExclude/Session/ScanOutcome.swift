import HVXReport

/// A finished `scan` or `audit`: the report, rendered, and what the exit policy needs.
public struct ScanOutcome: Sendable {
    /// The report (its JSON layout is the library's data contract: docs/json-schema.json).
    public var report: Report
    /// The report in the requested format: the bytes to write to `--output` or stdout.
    public var bytes: [UInt8]
    /// Planned items the format could not hold, each with why (`pol`, `intune`).
    public var refused: [String]
    /// The host roots scanned (where `--output` must not go).
    public var scannedRoots: [String]
    /// Problems undoing `--mount`'s mounts (after the scan; each a line for stderr).
    public var cleanupProblems: [String] = []

    /// The report's warnings and errors (not its notes), in the report's order: where, and what.
    public var shownWarnings: [(path: String, message: String)] {
        report.scan.warnings.filter { $0.severity != .info }.map { ($0.path, $0.message) }
    }

    /// `audit`: how many planned exclusions the host's Defender configuration misses, of how many.
    public var audit: (missing: Int, planned: Int)? { report.audit.map { ($0.missingCount, $0.plannedCount) } }

    /// Planned entries held by a Defender malware detection on a file they cover.
    public var heldEntries: [String] { report.heldEntries }

    /// What the outcome means for the exit code, by precedence.
    public var verdict: ScanVerdict

    package init(report: Report, bytes: [UInt8], refused: [String], scannedRoots: [String], request: ScanRequest) {
        self.report = report
        self.scannedRoots = scannedRoots
        self.bytes = bytes
        self.refused = refused
        verdict = ScanVerdict(report, request)
    }
}

/// The exit policy of `scan` and `audit` (docs: the README's exit codes), once the report is written.
public enum ScanVerdict: Sendable, Equatable {
    /// Nothing to act on.
    case success
    /// Some inputs could not be read (an error finding), or `--strict` and a warning.
    case finishedWithErrors
    /// `audit`: planned exclusions missing; or a planned entry held by a detection without `--accept-detections`.
    case actionNeeded
    /// `audit` read no SOFTWARE hive, so the host's Defender exclusions are unknown (could not audit).
    case auditUnknown

    init(_ report: Report, _ request: ScanRequest) {
        let warnings = report.scan.warnings
        if request.command == .audit {
            guard let audit = report.audit else {
                self = .auditUnknown
                return
            }
            if audit.missingCount > 0 {
                self = .actionNeeded
                return
            }
        }
        if !report.heldEntries.isEmpty && !request.acceptDetections {
            self = .actionNeeded
        } else if warnings.contains(where: { $0.severity == .error }) {
            self = .finishedWithErrors
        } else if request.strict && warnings.contains(where: { $0.severity == .warning }) {
            self = .finishedWithErrors
        } else {
            self = .success
        }
    }
}

/// Why `scan` or `audit` produced no report.
public struct ScanFailure: Error, Sendable, CustomStringConvertible {
    /// The kind of failure, which decides the exit code.
    public enum Reason: Sendable, Equatable {
        /// A mistake in the request (exit 64): `--mount` on a folder, `--output` where it cannot go.
        case usage(String)
        /// Nothing could be scanned (exit 2): the one place the "could not scan" messages are made.
        case couldNotScan(String)
        /// The scan started but failed, or `--against` could not be read (exit 2).
        case failed(String)
    }

    public var reason: Reason
    /// Lines for stderr before the failure's own (the partitions `--mount` could not mount, cleanup problems).
    public var before: [String] = []
    /// Problems undoing `--mount`'s mounts, after the failure (each a line for stderr).
    public var cleanupProblems: [String] = []

    package init(_ reason: Reason, before: [String] = []) {
        self.reason = reason
        self.before = before
    }

    package static func couldNotScan(_ reason: String) -> ScanFailure { ScanFailure(.couldNotScan(reason)) }

    /// The message, without the program's name.
    public var description: String {
        switch reason {
        case .usage(let text), .failed(let text): return text
        case .couldNotScan(let text): return "could not scan: " + text
        }
    }
}
