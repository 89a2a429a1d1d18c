/// The parsed command line of `hvexclude`.
///
/// Hand-written on purpose (the project takes no packages): small, exact, and with a suggestion for every
/// mistyped flag.
public struct CommandLineOptions: Equatable, Sendable {
    /// What to do.
    public enum Command: String, Sendable, CaseIterable {
        case scan, audit, hive, vmcx, help, version
    }

    /// Output formats of `scan`/`audit`.
    public enum Format: String, Sendable, CaseIterable {
        case json, text, powershell, list, reg
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
    /// `--output FILE`.
    public var output: String?
    /// `--jobs N`.
    public var jobs: Int?
    /// `--quiet`: no progress, no warnings on stderr.
    public var quiet = false
    /// `--strict`: warnings make the exit code 1.
    public var strict = false
    /// `--cross-mounts`: descend into file systems mounted below a root.
    public var crossMounts = false
    /// `--hive-dir PATH`: read SOFTWARE/SYSTEM from here instead of the volume.
    public var hiveDirectory: String?
    /// `--include-unregistered`.
    public var includeUnregistered = false
    /// `--broad-extensions`.
    public var broadExtensions = false
    /// `--env-paths`.
    public var environmentPaths = false
    /// `--mount`: ROOT is a disk image or block device; mount its NTFS partitions read-only and scan them.
    public var mount = false

    /// `hive --no-replay`: read a dirty hive file as it is, without applying its transaction logs.
    public var noReplay = false
    /// `hive --json`: print the key as JSON instead of `reg query` text.
    public var json = false

    /// Creates default options.
    public init() {}

    public static func == (lhs: CommandLineOptions, rhs: CommandLineOptions) -> Bool {
        lhs.command == rhs.command && lhs.arguments == rhs.arguments
            && lhs.drives.map { "\($0.letter)=\($0.path)" } == rhs.drives.map { "\($0.letter)=\($0.path)" }
            && lhs.maps.map { "\($0.windowsPath)=\($0.path)" } == rhs.maps.map { "\($0.windowsPath)=\($0.path)" }
            && lhs.format == rhs.format && lhs.output == rhs.output && lhs.jobs == rhs.jobs && lhs.quiet == rhs.quiet
            && lhs.strict == rhs.strict && lhs.crossMounts == rhs.crossMounts && lhs.hiveDirectory == rhs.hiveDirectory
            && lhs.includeUnregistered == rhs.includeUnregistered && lhs.broadExtensions == rhs.broadExtensions
            && lhs.environmentPaths == rhs.environmentPaths && lhs.mount == rhs.mount
            && lhs.noReplay == rhs.noReplay && lhs.json == rhs.json
    }

    /// Flags that take a value.
    static let valueFlags = ["--drive", "--map", "--format", "--output", "--jobs", "--hive-dir"]
    /// Flags that do not.
    static let switchFlags = ["--quiet", "--strict", "--cross-mounts", "--include-unregistered", "--broad-extensions", "--env-paths", "--mount", "--help", "--version", "--no-replay", "--json"]

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
            throw UsageError("unknown command '\(first)'" + (hint.map { "; did you mean '\($0)'?" } ?? ""))
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
            if valueFlags.contains(flag) {
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else if let next = rest.first {
                    value = next
                    rest = rest.dropFirst()
                } else {
                    throw UsageError("\(flag) needs a value")
                }
                try options.apply(flag, value)
            } else if switchFlags.contains(flag) {
                guard inlineValue == nil else { throw UsageError("\(flag) takes no value") }
                options.apply(switch: flag)
            } else {
                let hint = closest(flag, among: valueFlags + switchFlags)
                throw UsageError("unknown option '\(argument)'" + (hint.map { "; did you mean '\($0)'?" } ?? ""))
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
                throw UsageError("--drive takes LETTER=PATH, e.g. --drive D=/mnt/d (got '\(value)')")
            }
            drives.append((Character(letter.uppercased()), parts[1]))
        case "--map":
            // The host path follows the last '=': Windows paths may hold '=' but mount points rarely do.
            guard let equals = value.lastIndex(of: "="), equals != value.startIndex,
                  value.index(after: equals) != value.endIndex else {
                throw UsageError("--map takes WINPATH=PATH, e.g. --map 'C:\\ClusterStorage\\Volume1=/mnt/csv1' (got '\(value)')")
            }
            let windows = String(value[..<equals])
            guard WindowsPath(windows) != nil else {
                throw UsageError("--map: '\(windows)' is not an absolute Windows path (C:\\…, \\\\server\\share, \\\\?\\Volume{GUID}\\)")
            }
            maps.append((windows, String(value[value.index(after: equals)...])))
        case "--format":
            guard let parsed = Format(rawValue: value.lowercased()) else {
                let hint = CommandLineOptions.closest(value, among: Format.allCases.map(\.rawValue))
                throw UsageError("unknown format '\(value)' (json, text, powershell, list, reg)" + (hint.map { "; did you mean '\($0)'?" } ?? ""))
            }
            format = parsed
        case "--output": output = value
        case "--jobs":
            guard let count = Int(value), (1...256).contains(count) else {
                throw UsageError("--jobs takes a whole number from 1 to 256 (got '\(value)')")
            }
            jobs = count
        case "--hive-dir": hiveDirectory = value
        default: break
        }
    }

    private mutating func apply(switch flag: String) {
        switch flag {
        case "--quiet": quiet = true
        case "--strict": strict = true
        case "--cross-mounts": crossMounts = true
        case "--include-unregistered": includeUnregistered = true
        case "--broad-extensions": broadExtensions = true
        case "--env-paths": environmentPaths = true
        case "--mount": mount = true
        case "--no-replay": noReplay = true
        case "--json": json = true
        case "--help": command = .help
        case "--version": command = .version
        default: break
        }
    }

    private func validate() throws {
        switch command {
        case .scan, .audit:
            guard arguments.count == 1 else {
                throw UsageError("\(command.rawValue) takes one ROOT folder (the C: volume), got \(arguments.count)")
            }
        case .hive:
            guard (1...2).contains(arguments.count) else { throw UsageError("hive takes FILE [KEYPATH]") }
        case .vmcx:
            guard arguments.count == 1 else { throw UsageError("vmcx takes one FILE") }
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

/// A mistake on the command line (exit code 64).
public struct UsageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What was wrong.
    public var message: String
    /// Creates a usage error.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
