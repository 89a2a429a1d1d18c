import HVXReport
import HVXExclusions
import HVXFormats
import HVXScan
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

    /// Output formats of `scan`/`audit`.
    public enum Format: String, Sendable, CaseIterable {
        case json, text, html, powershell, list, reg, pol, intune, csv
    }

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
            && lhs.format == rhs.format && lhs.vendor == rhs.vendor && lhs.output == rhs.output && lhs.jobs == rhs.jobs && lhs.quiet == rhs.quiet
            && lhs.strict == rhs.strict && lhs.verbose == rhs.verbose && lhs.against == rhs.against && lhs.crossMounts == rhs.crossMounts && lhs.hiveDirectory == rhs.hiveDirectory
            && lhs.includeUnregistered == rhs.includeUnregistered && lhs.broadExtensions == rhs.broadExtensions
            && lhs.environmentPaths == rhs.environmentPaths && lhs.mount == rhs.mount && lhs.extensions == rhs.extensions
            && lhs.planDeferred == rhs.planDeferred && lhs.replicaStorage == rhs.replicaStorage
            && lhs.dataOnly == rhs.dataOnly && lhs.helpTopic == rhs.helpTopic
            && lhs.eventIds == rhs.eventIds && lhs.since == rhs.since
            && lhs.noReplay == rhs.noReplay && lhs.json == rhs.json && lhs.recursive == rhs.recursive && lhs.acceptDetections == rhs.acceptDetections
    }

    /// Flags that take a value.
    static let valueFlags = ["--against", "--drive", "--map", "--format", "--vendor", "--output", "--jobs", "--hive-dir", "--replica-storage", "--id", "--since"]
    /// Flags that do not.
    static let switchFlags = ["--quiet", "--strict", "--verbose", "--cross-mounts", "--include-unregistered", "--broad-extensions", "--extensions", "--plan-deferred", "--env-paths", "--mount", "--data-only", "--help", "--version", "--no-replay", "--json", "--recursive", "--accept-detections"]

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
            if flag == "-h" { flag = "--help" }
            if flag == "-o" { flag = "--output" }
            if flag == "-j" { flag = "--jobs" }
            if flag == "-q" { flag = "--quiet" }
            if flag == "-v" { flag = "--verbose" }
            if valueFlags.contains(flag) {
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else if let next = rest.first {
                    value = next
                    rest = rest.dropFirst()
                } else {
                    throw UsageError.missingValue(flag: flag)
                }
                try options.apply(flag, value)
                // `--id 4624 4625`: the values after --id that are event ids (digits and commas) belong to it, as
                // the help's `--id N…` says; a log file named like a number is given after `--` or as `./4625`.
                if flag == "--id" && inlineValue == nil && !positionalOnly {
                    while let next = rest.first, !next.isEmpty, next.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ",") }) {
                        rest = rest.dropFirst()
                        try options.apply(flag, next)
                    }
                }
            } else if switchFlags.contains(flag) {
                guard inlineValue == nil else { throw UsageError.unexpectedValue(flag: flag) }
                options.apply(switch: flag)
            } else {
                let hint = closest(flag, among: valueFlags + switchFlags)
                throw UsageError.unknownOption(argument, suggestion: hint)
            }
        }
        try options.validate()
        return options
    }

    private mutating func apply(_ flag: String, _ value: String) throws {
        switch flag {
        case "--drive":
            let parts = value.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty,
                  let letter = parts[0].replacing(":", with: "").first, parts[0].replacing(":", with: "").count == 1,
                  letter.isASCII, letter.isLetter else {
                throw UsageError.badDrive(value)
            }
            drives.append((Character(letter.uppercased()), parts[1]))
        case "--map":
            // The host path follows the last '=': Windows paths may hold '=' but mount points rarely do.
            guard let equals = value.lastIndex(of: "="), equals != value.startIndex,
                  value.index(after: equals) != value.endIndex else {
                throw UsageError.badMap(value)
            }
            let windows = String(value[..<equals])
            guard WindowsPath(windows) != nil else {
                throw UsageError.mapNotAWindowsPath(windows)
            }
            maps.append((windows, String(value[value.index(after: equals)...])))
        case "--format":
            guard let parsed = Format(rawValue: value.lowercased()) else {
                let hint = CommandLineOptions.closest(value, among: Format.allCases.map(\.rawValue))
                throw UsageError.unknownFormat(value, suggestion: hint)
            }
            format = parsed
        case "--vendor":
            guard let parsed = VendorProfile(rawValue: value.lowercased()) else {
                let hint = CommandLineOptions.closest(value, among: VendorProfile.allCases.map(\.rawValue))
                throw UsageError.unknownVendor(value, suggestion: hint)
            }
            vendor = parsed
        case "--output": output = value
        case "--jobs":
            guard let count = Int(value), (1...256).contains(count) else {
                throw UsageError.badJobs(value)
            }
            jobs = count
        case "--hive-dir": hiveDirectory = value
        case "--replica-storage":
            guard WindowsPath(value) != nil else {
                throw UsageError.badReplicaStorage(value)
            }
            replicaStorage.append(value)
        case "--id":
            // `--id 4096,19060` and repeated `--id` both work.
            for part in value.split(separator: ",", omittingEmptySubsequences: false) {
                guard let id = UInt32(part.trimmingPrefix(" ")), id <= 0xFFFF else {
                    throw UsageError.badEventId(value)
                }
                eventIds.append(id)
            }
        case "--since":
            guard let time = EVTXTimestamp(iso8601: value) else {
                throw UsageError.badSince(value)
            }
            since = time
        case "--against": against = value
        default: break
        }
    }

    private mutating func apply(switch flag: String) {
        switch flag {
        case "--quiet": quiet = true
        case "--strict": strict = true
        case "--verbose": verbose = true
        case "--cross-mounts": crossMounts = true
        case "--include-unregistered": includeUnregistered = true
        case "--broad-extensions": broadExtensions = true
        case "--extensions": extensions = true
        case "--plan-deferred": planDeferred = true
        case "--env-paths": environmentPaths = true
        case "--mount": mount = true
        case "--data-only": dataOnly = true
        case "--no-replay": noReplay = true
        case "--json": json = true
        case "--recursive": recursive = true
        case "--accept-detections": acceptDetections = true
        case "--help":
            if command != .help { helpTopic = command }
            command = .help
        case "--version": command = .version
        default: break
        }
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
        let a = Array(a), b = Array(b)
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
    /// `--output` inside a scanned root.
    case outputInsideRoot(output: String, root: String)
    /// `--output`'s folder does not exist.
    case outputFolderMissing(String)
    /// `--output` names a directory.
    case outputIsDirectory(String)

    var description: String {
        func hint(_ suggestion: String?) -> String { suggestion.map { "; did you mean '\($0)'?" } ?? "" }
        switch self {
        case .unknownCommand(let word, let suggestion): return "unknown command '\(word)'" + hint(suggestion)
        case .unknownOption(let word, let suggestion): return "unknown option '\(word)'" + hint(suggestion)
        case .missingValue(let flag): return "\(flag) needs a value"
        case .unexpectedValue(let flag): return "\(flag) takes no value"
        case .badDrive(let value): return "--drive takes LETTER=PATH, e.g. --drive D=/mnt/d (got '\(value)')"
        case .badMap(let value): return "--map takes WINPATH=PATH, e.g. --map 'C:\\ClusterStorage\\Volume1=/mnt/csv1' (got '\(value)')"
        case .mapNotAWindowsPath(let windows):
            return "--map: '\(windows)' is not an absolute Windows path (C:\\…, \\\\server\\share, \\\\?\\Volume{GUID}\\)"
        case .unknownFormat(let value, let suggestion):
            return "unknown format '\(value)' (\(CommandLineOptions.Format.allCases.map(\.rawValue).joined(separator: ", ")))" + hint(suggestion)
        case .unknownVendor(let value, let suggestion):
            return "unknown vendor '\(value)' (\(VendorProfile.allCases.map(\.rawValue).joined(separator: ", ")))" + hint(suggestion)
        case .vendorNeedsList(let format): return "--vendor writes the list format; it does not apply to --format \(format.rawValue)"
        case .badJobs(let value): return "--jobs takes a whole number from 1 to 256 (got '\(value)')"
        case .badReplicaStorage(let value):
            return "--replica-storage takes an absolute Windows path, e.g. --replica-storage 'D:\\Replica' (got '\(value)')"
        case .badEventId(let value): return "--id takes event ids from 0 to 65535 (got '\(value)')"
        case .badSince(let value): return "--since takes a UTC time like 2024-05-01 or 2024-05-01T12:00:00Z (got '\(value)')"
        case .argumentCount(let command, let count):
            switch command {
            case .hive: return "hive takes FILE [KEYPATH]"
            case .vmcx: return "vmcx takes one FILE"
            case .events: return "events takes one FILE (an .evtx event log), got \(count)"
            case .merge: return "merge takes the JSON reports of the nodes to merge (hvexclude scan … --format json), one or more"
            case .diff: return "diff takes OLD.json NEW.json, got \(count)"
            default: return "\(command.rawValue) takes one ROOT folder (the C: volume), got \(count)"
            }
        case .outputInsideRoot(let output, let root):
            return "--output \(output) lies inside the scanned root \(root): nothing is ever written to the scanned volume"
        case .outputFolderMissing(let folder): return "--output: folder \(folder) does not exist"
        case .outputIsDirectory(let output):
            return "--output \(output) is a directory; name the file to write, e.g. \(output.hasSuffix("/") ? output : output + "/")report.json"
        }
    }
}

extension ScanOptions {
    /// Options from the command line: ROOT as `C:`, then `--drive` and `--map` in order.
    /// - Throws: ``UsageError`` for a mapping that is not a Windows path.
    init(commandLine options: CommandLineOptions) throws {
        guard let root = options.arguments.first else { throw UsageError.argumentCount(options.command, got: 0) }
        var mappings = [VolumeMap.Mapping(prefix: WindowsPath(root: .drive("C"), components: []), hostRoot: root)]
        for drive in options.drives {
            mappings.append(.init(prefix: WindowsPath(root: .drive(drive.letter), components: []), hostRoot: drive.path))
        }
        for map in options.maps {
            guard let prefix = WindowsPath(map.windowsPath) else { throw UsageError.mapNotAWindowsPath(map.windowsPath) }
            mappings.append(.init(prefix: prefix, hostRoot: map.path))
        }
        self.init(
            mappings: mappings, jobs: options.jobs ?? ScanOptions.defaultJobs(roots: mappings.map(\.hostRoot)),
            crossMounts: options.crossMounts, hiveDirectory: options.hiveDirectory)
        dataOnly = options.dataOnly
        // A data-only copy has no registrations to tell used from unused: everything found is planned.
        planner = PlannerOptions(
            includeUnregistered: options.includeUnregistered || options.dataOnly, extensions: options.extensions,
            broadExtensions: options.broadExtensions, planDeferred: options.planDeferred,
            environmentPaths: options.environmentPaths, replicaStorage: options.replicaStorage.compactMap { WindowsPath($0) })
    }
}
