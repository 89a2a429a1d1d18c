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

    /// Which stage met it.
    package var category: Category
    /// The Windows path when known, else the host path, else what it is about (`registry`, `exclusions`).
    package var path: String
    /// What went wrong, specifically.
    package var message: String
    /// See ``Severity``.
    package var severity: Severity

    /// Creates a finding.
    package init(_ category: Category, path: String, message: String, severity: Severity = .warning) {
        self.category = category
        self.path = path
        self.message = message
        self.severity = severity
    }
}
