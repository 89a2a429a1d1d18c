import HVXFormats
import HVXReport
import HVXSession
import HVXVolume

/// The parsed command line of `hvexclude`.
///
/// Hand-written on purpose (the project takes no packages): small, exact, and with a suggestion for every
/// mistyped flag.
public struct CommandLineOptions: Equatable, Sendable {
    /// What to do.
    public enum Command: String, Sendable, CaseIterable {
        case scan, audit, hive, vmcx, events, merge, diff, help, version
    }

    /// Output formats of `scan`/`audit`/`merge`/`diff`.
    public typealias Format = ReportFormat

    /// The subcommand.
    public var command: Command = .help
    /// Positional arguments after the subcommand (ROOT, or FILE [KEYPATH]).
    public var arguments: [String] = []
    /// `--drive X=PATH`, in order.
    public var drives: [(letter: Character, path: String)] = []
    /// `--map WINPATH=PATH`, in order.
    public var maps: [(windowsPath: String, path: String)] = []
    /// `--format`.
    public var format: Format = .json
    /// `--vendor NAME`: `--format list` in that product's syntax.
    public var vendor: VendorProfile?
    /// `--output FILE`.
    public var output: String?
    /// `--jobs N`.
    public var jobs: Int?
    /// `--quiet`: no progress, no warnings on stderr.
    public var quiet = false
    /// `--strict`: warnings make the exit code 1.
    public var strict = false
    /// `--verbose`, `-v`: the full text report (every reason, its evidence, every warning).
    public var verbose = false
    /// `audit --against FILE`: a saved plan or merged policy to audit the host's configured exclusions against.
    public var against: String?
    /// `--cross-mounts`: descend into file systems mounted below a root.
    public var crossMounts = false
    /// `--hive-dir PATH`: read SOFTWARE/SYSTEM from here instead of the volume.
    public var hiveDirectory: String?
    /// `--include-unregistered`.
    public var includeUnregistered = false
    /// `--broad-extensions`.
    public var broadExtensions = false
    /// `--extensions`: Hyper-V's file types for the detected version as extension exclusions.
    public var extensions = false
    /// `--plan-deferred`: plan default folders Hyper-V has not created yet.
    public var planDeferred = false
    /// `--replica-storage WINPATH` (repeatable): Hyper-V Replica storage locations.
    public var replicaStorage: [String] = []
    /// `--env-paths`.
    public var environmentPaths = false
    /// `--mount`: ROOT is a disk image or block device; mount its NTFS partitions read-only and scan them.
    public var mount = false
    /// `events --id N` (repeatable): only these event ids.
    public var eventIds: [UInt32] = []
    /// `events --since T`: only events at or after this time (UTC).
    package var since: EVTXTimestamp?
    /// `--data-only`: scan a ROOT that is not a Windows system volume (a copy of VM folders) on purpose.
    public var dataOnly = false
    /// `COMMAND --help`: the command whose help to print.
    public var helpTopic: Command?

    /// `--accept-detections`: a planned entry held by a Defender detection does not make `scan`/`audit` exit 3
    /// (the entries stay marked in every export).
    public var acceptDetections = false

    /// `hive --no-replay`: read a dirty hive file as it is, without applying its transaction logs.
    public var noReplay = false
    /// `hive --json`: print the key as JSON instead of `reg query` text.
    public var json = false
    /// `hive --recursive`: every key from KEYPATH down as JSON lines, one key with its values per line.
    public var recursive = false

    /// Creates default options.
    public init() {}

    public static func == (lhs: CommandLineOptions, rhs: CommandLineOptions) -> Bool {
        lhs.command == rhs.command && lhs.arguments == rhs.arguments
            && lhs.drives.map { "\($0.letter)=\($0.path)" } == rhs.drives.map { "\($0.letter)=\($0.path)" }
            && lhs.maps.map { "\($0.windowsPath)=\($0.path)" } == rhs.maps.map { "\($0.windowsPath)=\($0.path)" }
            && lhs.format == rhs.format && lhs.vendor == rhs.vendor && lhs.output == rhs.output && lhs.jobs == rhs.jobs
            && lhs.quiet == rhs.quiet
            && lhs.strict == rhs.strict && lhs.verbose == rhs.verbose && lhs.against == rhs.against
            && lhs.crossMounts == rhs.crossMounts && lhs.hiveDirectory == rhs.hiveDirectory
            && lhs.includeUnregistered == rhs.includeUnregistered && lhs.broadExtensions == rhs.broadExtensions
            && lhs.environmentPaths == rhs.environmentPaths && lhs.mount == rhs.mount
            && lhs.extensions == rhs.extensions
            && lhs.planDeferred == rhs.planDeferred && lhs.replicaStorage == rhs.replicaStorage
            && lhs.dataOnly == rhs.dataOnly && lhs.helpTopic == rhs.helpTopic
            && lhs.eventIds == rhs.eventIds && lhs.since == rhs.since
            && lhs.noReplay == rhs.noReplay && lhs.json == rhs.json && lhs.recursive == rhs.recursive
            && lhs.acceptDetections == rhs.acceptDetections
    }

    /// Parses `arguments` (without the program name).
    /// - Throws: ``UsageError`` with a precise message and, for a typo, the closest valid spelling.
    public static func parse(_ arguments: [String]) throws -> CommandLineOptions {
        var options = CommandLineOptions()
        var rest = arguments[...]
        guard let first = rest.first else { return options }
        if first == "--help" || first == "-h" { return options }
        if first == "--version" || first == "-V" { options.command = .version; return options }
        guard let command = Command(rawValue: first) else {
            let hint = closest(first, among: Command.allCases.map(\.rawValue))
            throw UsageError.unknownCommand(first, suggestion: hint)
        }
        options.command = command
        rest = rest.dropFirst()
        var positionalOnly = false
        while let argument = rest.first {
            rest = rest.dropFirst()
            if positionalOnly || !argument.hasPrefix("-") || argument == "-" {
                options.arguments.append(argument)
                continue
            }
            if argument == "--" { positionalOnly = true; continue }
            var flag = argument
            var inlineValue: String?
            if let equals = argument.firstIndex(of: "="), argument.hasPrefix("--") {
                flag = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            guard let option = CommandLineOption.named(flag) else {
                let hint = closest(flag, among: CommandLineOption.suggestions)
                throw UsageError.unknownOption(argument, suggestion: hint)
            }
            flag = option.name
            switch option.action {
            case .value(let apply):
                try options.takeValue(of: flag, inline: inlineValue, from: &rest, apply: apply)
            case .flag(let apply):
                guard inlineValue == nil else { throw UsageError.unexpectedValue(flag: flag) }
                apply(&options)
            }
        }
        try options.validate()
        return options
    }

    /// Applies the value of `flag`: `inlineValue` (`--flag=value`) or the next of `rest`, which it takes.
    mutating func takeValue(
        of flag: String, inline inlineValue: String?, from rest: inout ArraySlice<String>,
        apply: (inout CommandLineOptions, String) throws -> Void
    ) throws {
        let value: String
        if let inlineValue {
            value = inlineValue
        } else if let next = rest.first {
            value = next
            rest = rest.dropFirst()
        } else {
            throw UsageError.missingValue(flag: flag)
        }
        try apply(&self, value)
        // `--id 4624 4625`: the values after --id that are event ids (digits and commas) belong to it, as
        // the help's `--id N…` says; a log file named like a number is given after `--` or as `./4625`.
        if flag == "--id" && inlineValue == nil {
            while let next = rest.first, !next.isEmpty, next.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ",") }) {
                rest = rest.dropFirst()
                try apply(&self, next)
            }
        }
    }

    /// `--drive X=PATH`.
    static func drive(_ value: String) throws -> (letter: Character, path: String) {
        let parts = value.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[1].isEmpty,
            let letter = parts[0].replacing(":", with: "").first, parts[0].replacing(":", with: "").count == 1,
            letter.isASCII, letter.isLetter
        else {
            throw UsageError.badDrive(value)
        }
        return (Character(letter.uppercased()), parts[1])
    }

    /// `--map WINPATH=PATH`: the host path follows the last '=' (Windows paths may hold '=', mount points rarely).
    static func map(_ value: String) throws -> (windowsPath: String, path: String) {
        guard let equals = value.lastIndex(of: "="), equals != value.startIndex,
            value.index(after: equals) != value.endIndex
        else {
            throw UsageError.badMap(value)
        }
        let windows = String(value[..<equals])
        guard WindowsPath(windows) != nil else {
            throw UsageError.mapNotAWindowsPath(windows)
        }
        return (windows, String(value[value.index(after: equals)...]))
    }

    /// `--format`.
    static func format(_ value: String) throws -> Format {
        guard let parsed = Format(rawValue: value.lowercased()) else {
            let hint = CommandLineOptions.closest(value, among: Format.allCases.map(\.rawValue))
            throw UsageError.unknownFormat(value, suggestion: hint)
        }
        return parsed
    }

    /// `--vendor`.
    static func vendor(_ value: String) throws -> VendorProfile {
        guard let parsed = VendorProfile(rawValue: value.lowercased()) else {
            let hint = CommandLineOptions.closest(value, among: VendorProfile.allCases.map(\.rawValue))
            throw UsageError.unknownVendor(value, suggestion: hint)
        }
        return parsed
    }

    /// `--jobs`: 1…256.
    static func jobs(_ value: String) throws -> Int {
        guard let count = Int(value), (1...256).contains(count) else {
            throw UsageError.badJobs(value)
        }
        return count
    }

    /// `--replica-storage`: an absolute Windows path.
    static func replicaStorage(_ value: String) throws -> String {
        guard WindowsPath(value) != nil else {
            throw UsageError.badReplicaStorage(value)
        }
        return value
    }

    /// `--id 4096,19060` (repeated `--id` works too).
    static func eventIds(_ value: String) throws -> [UInt32] {
        try value.split(separator: ",", omittingEmptySubsequences: false).map { part in
            guard let id = UInt32(part.trimmingPrefix(" ")), id <= 0xFFFF else {
                throw UsageError.badEventId(value)
            }
            return id
        }
    }

    /// `--since`: a UTC date or time.
    static func since(_ value: String) throws -> EVTXTimestamp {
        guard let time = EVTXTimestamp(iso8601: value) else {
            throw UsageError.badSince(value)
        }
        return time
    }

    private func validate() throws {
        if vendor != nil && format != .list { throw UsageError.vendorNeedsList(format) }
        switch command {
        case .scan, .audit:
            guard arguments.count == 1 else {
                throw UsageError.argumentCount(command, got: arguments.count)
            }
        case .hive:
            guard (1...2).contains(arguments.count) else { throw UsageError.argumentCount(.hive, got: arguments.count) }
        case .vmcx:
            guard arguments.count == 1 else { throw UsageError.argumentCount(.vmcx, got: arguments.count) }
        case .events:
            guard arguments.count == 1 else { throw UsageError.argumentCount(.events, got: arguments.count) }
        case .merge:
            guard !arguments.isEmpty else { throw UsageError.argumentCount(.merge, got: 0) }
        case .diff:
            guard arguments.count == 2 else { throw UsageError.argumentCount(.diff, got: arguments.count) }
        case .help, .version:
            break
        }
    }

    /// The valid spelling nearest to `word` (edit distance ≤ 3), if any.
    static func closest(_ word: String, among candidates: [String]) -> String? {
        let scored = candidates.map { ($0, editDistance(word.lowercased(), $0)) }.min { $0.1 < $1.1 }
        guard let scored, scored.1 <= max(2, min(3, word.count / 3)) else { return nil }
        return scored.0
    }

    /// Levenshtein distance.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        guard !a.isEmpty else { return b.count }
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1] + [Int](repeating: 0, count: b.count)
            for (j, y) in b.enumerated() {
                current[j + 1] = Swift.min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

/// A mistake on the command line (exit code 64), found before any work starts.
enum UsageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not a command; the closest one, when near.
    case unknownCommand(String, suggestion: String?)
    /// Not an option; the closest one, when near.
    case unknownOption(String, suggestion: String?)
    /// A value flag at the end of the line.
    case missingValue(flag: String)
    /// `--quiet=yes`.
    case unexpectedValue(flag: String)
    /// `--drive` without LETTER=PATH.
    case badDrive(String)
    /// `--map` without WINPATH=PATH.
    case badMap(String)
    /// `--map`'s Windows side is not an absolute Windows path.
    case mapNotAWindowsPath(String)
    /// Not a format; the closest one, when near.
    case unknownFormat(String, suggestion: String?)
    /// Not a vendor profile; the closest one, when near.
    case unknownVendor(String, suggestion: String?)
    /// `--vendor` with a format other than `list`.
    case vendorNeedsList(CommandLineOptions.Format)
    /// `--jobs` outside 1…256.
    case badJobs(String)
    /// `--replica-storage` is not an absolute Windows path.
    case badReplicaStorage(String)
    /// `events --id` that is not an event id (0…65535).
    case badEventId(String)
    /// `events --since` that is not a UTC date or time.
    case badSince(String)
    /// Too many or too few positional arguments for the command.
    case argumentCount(CommandLineOptions.Command, got: Int)

    var description: String {
        func hint(_ suggestion: String?) -> String { suggestion.map { "; did you mean '\($0)'?" } ?? "" }
        switch self {
        case .unknownCommand(let word, let suggestion): return "unknown command '\(word)'" + hint(suggestion)
        case .unknownOption(let word, let suggestion): return "unknown option '\(word)'" + hint(suggestion)
        case .missingValue(let flag): return "\(flag) needs a value"
        case .unexpectedValue(let flag): return "\(flag) takes no value"
        case .badDrive(let value): return "--drive takes LETTER=PATH, e.g. --drive D=/mnt/d (got '\(value)')"
        case .badMap(let value):
            return "--map takes WINPATH=PATH, e.g. --map 'C:\\ClusterStorage\\Volume1=/mnt/csv1' (got '\(value)')"
        case .mapNotAWindowsPath(let windows):
            return
                "--map: '\(windows)' is not an absolute Windows path (C:\\…, \\\\server\\share, \\\\?\\Volume{GUID}\\)"
        case .unknownFormat(let value, let suggestion):
            return
                "unknown format '\(value)' (\(CommandLineOptions.Format.allCases.map(\.rawValue).joined(separator: ", ")))"
                + hint(suggestion)
        case .unknownVendor(let value, let suggestion):
            return "unknown vendor '\(value)' (\(VendorProfile.allCases.map(\.rawValue).joined(separator: ", ")))"
                + hint(suggestion)
        case .vendorNeedsList(let format):
            return "--vendor writes the list format; it does not apply to --format \(format.rawValue)"
        case .badJobs(let value): return "--jobs takes a whole number from 1 to 256 (got '\(value)')"
        case .badReplicaStorage(let value):
            return
                "--replica-storage takes an absolute Windows path, e.g. --replica-storage 'D:\\Replica' (got '\(value)')"
        case .badEventId(let value): return "--id takes event ids from 0 to 65535 (got '\(value)')"
        case .badSince(let value):
            return "--since takes a UTC time like 2024-05-01 or 2024-05-01T12:00:00Z (got '\(value)')"
        case .argumentCount(let command, let count):
            switch command {
            case .hive: return "hive takes FILE [KEYPATH]"
            case .vmcx: return "vmcx takes one FILE"
            case .events: return "events takes one FILE (an .evtx event log), got \(count)"
            case .merge:
                return
                    "merge takes the JSON reports of the nodes to merge (hvexclude scan … --format json), one or more"
            case .diff: return "diff takes OLD.json NEW.json, got \(count)"
            default: return "\(command.rawValue) takes one ROOT folder (the C: volume), got \(count)"
            }
        }
    }
}

extension ScanRequest {
    /// The request of `scan`/`audit`: ROOT as `C:`, then `--drive` and `--map` in order, and the planner's and the
    /// report's options.
    /// - Throws: ``UsageError`` for a mapping that is not a Windows path.
    init(commandLine options: CommandLineOptions, style: TextStyle = TextStyle()) throws {
        guard let root = options.arguments.first else { throw UsageError.argumentCount(options.command, got: 0) }
        self.init(options.command == .audit ? .audit : .scan, root: root)
        drives = options.drives.map { DriveRequest(letter: $0.letter, path: $0.path) }
        maps = try options.maps.map { map in
            guard let request = MapRequest(windowsPath: map.windowsPath, path: map.path) else {
                throw UsageError.mapNotAWindowsPath(map.windowsPath)
            }
            return request
        }
        (jobs, crossMounts, hiveDirectory) = (options.jobs, options.crossMounts, options.hiveDirectory)
        (dataOnly, mount, output, against) = (options.dataOnly, options.mount, options.output, options.against)
        (includeUnregistered, extensions, broadExtensions) =
            (options.includeUnregistered, options.extensions, options.broadExtensions)
        (planDeferred, environmentPaths, replicaStorage) = (
            options.planDeferred, options.environmentPaths, options.replicaStorage
        )
        (format, vendor, verbose, self.style) = (options.format, options.vendor, options.verbose, style)
        (acceptDetections, strict) = (options.acceptDetections, options.strict)
    }
}
