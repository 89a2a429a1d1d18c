/// Exit codes, documented in `--help` and the README. Precedence: 64, then 2, then 3 (action needed), then 1, then 0.
public enum ExitCode: Int32, Sendable, Comparable {
    /// Success.
    case success = 0
    /// The scan finished, but some inputs could not be read or parsed (listed in the report); with `--strict`,
    /// any warning.
    case finishedWithErrors = 1
    /// Could not scan at all: root unreadable, output not writable.
    case couldNotScan = 2
    /// Action needed: `audit`: required exclusions are missing from the host's Defender configuration;
    /// `scan`/`audit`: a planned entry is held by a Defender detection (unless `--accept-detections`).
    case exclusionsMissing = 3
    /// The command line was wrong.
    case usage = 64

    /// Rank for combining outcomes: the higher rank wins.
    var rank: Int {
        switch self {
        case .success: return 0
        case .finishedWithErrors: return 1
        case .exclusionsMissing: return 2
        case .couldNotScan: return 3
        case .usage: return 4
        }
    }

    public static func < (lhs: ExitCode, rhs: ExitCode) -> Bool { lhs.rank < rhs.rank }
}
