import HVXBinary
import HVXVolume

/// A problem met while scanning, as a value the pipeline carries; the scan goes on.
///
/// Every stage from the walk to the planner returns findings; the report turns them into its `warnings` in
/// its one mapping step (`Report(_:)`).
package struct Finding: Sendable, Hashable {
    /// Which stage met the problem, for callers that sort or filter findings.
    package enum Category: String, Sendable, Hashable, CaseIterable {
        /// A folder or entry the walker could not read, or a name with no Windows form.
        case walk
        /// A symlink or junction whose target could not be worked out.
        case link
        /// A registry hive that is missing, unreadable or dirty.
        case hive
        /// The host's VM registrations (`data.vmcx`, `Virtual Machines\<GUID>.xml` links).
        case registration
        /// A VM or checkpoint configuration.
        case configuration
        /// A virtual disk or its differencing chain.
        case disk
        /// The exclusion plan (an unverified or narrowed entry, a broad option).
        case exclusion
        /// A disk image, its partitions or its mounts (`--mount`).
        case image
        /// An event log the diagnosis could not read whole (docs/diagnosis.md).
        case eventLog
    }

    /// How much a finding matters for the exit code.
    package enum Severity: String, Codable, Sendable, Comparable {
        /// Noted on purpose (a mount point not crossed): never changes the exit code.
        case info
        /// Read, but not to be trusted fully (bad checksum read on, dirty hive, unresolved reference):
        /// exit code 1 only with `--strict`.
        case warning
        /// Could not be read or parsed: exit code 1.
        case error

        private var rank: Int {
            switch self {
            case .info: 0
            case .warning: 1
            case .error: 2
            }
        }

        /// info < warning < error.
        package static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    /// Where a finding is: what kind of place, and its text as the report prints it (the report's `path`).
    ///
    /// The text is made once, where the finding is made, from the typed value there (a ``WindowsPath``'s
    /// description, a host path), so the report's JSON stays what it was when `path` was a plain string.
    package enum Location: Sendable, Hashable, CustomStringConvertible {
        /// A Windows path (`C:\ProgramData\…\x.vmcx`, a drive `C:`).
        case windowsPath(String)
        /// A path on the scanning host (a file the map gives no Windows form, an image, a mount).
        case hostPath(String)
        /// A registry hive file, by its path (Windows when known), and the key below its root when the problem
        /// is in one key.
        case registry(hive: String, key: String?)
        /// An event log file, by its path, and the record when the problem is in one record.
        case eventLog(String, record: UInt64?)
        /// Not a place: what the finding is about (`registry`, `exclusions`, `CLUSDB`).
        case subject(String)
        /// Words that are no path of any kind, printed as they were given: a registry value meant to be an
        /// absolute Windows path that is not one, a disk a configuration names that is no absolute path
        /// (``DiskChainLink/location``).
        case text(String)

        /// A Windows path.
        package static func windows(_ path: WindowsPath) -> Location { .windowsPath(path.description) }

        /// The text the report prints as the finding's `path`.
        package var description: String {
            switch self {
            case .windowsPath(let text), .hostPath(let text), .subject(let text), .text(let text): text
            case .registry(let hive, _): hive
            case .eventLog(let path, _): path
            }
        }
    }

    /// Which stage met it.
    package var category: Category
    /// Where it is.
    package var location: Location
    /// What went wrong, specifically.
    package var message: String
    /// See ``Severity``.
    package var severity: Severity
    /// The reader's code when the finding carries a reader's ``Diagnostic`` (docs/diagnostics.md); not in the
    /// report's JSON yet.
    package var code: DiagnosticCode?

    /// The location as the report prints it: the Windows path when known, else the host path, else what it is
    /// about (`registry`, `exclusions`).
    package var path: String { location.description }

    /// A finding at `location`.
    package init(
        _ category: Category, at location: Location, message: String, severity: Severity = .warning,
        code: DiagnosticCode? = nil
    ) {
        self.category = category
        self.location = location
        self.message = message
        self.severity = severity
        self.code = code
    }

    /// A finding carrying a reader's `diagnostic` (its message and code) at `location`.
    package init(_ category: Category, at location: Location, _ diagnostic: Diagnostic, severity: Severity = .warning) {
        self.init(category, at: location, message: diagnostic.message, severity: severity, code: diagnostic.code)
    }
}
