import HVXReport
import HVXSession
import HVXVolume

/// One option of the command line: its spellings, its value, its help, the commands that take it, and what it sets.
/// ``CommandLineOption/table`` is the only list of options: the parser, the options part of `--help` and the
/// README's option table (checked by a test) come from it.
struct CommandLineOption: Sendable {
    /// What the option does to the parsed command line.
    enum Action: Sendable {
        /// A switch (`--quiet`).
        case flag(@Sendable (inout CommandLineOptions) -> Void)
        /// An option with a value (`--jobs 4`, `--jobs=4`); throws a ``UsageError`` for a bad value.
        case value(@Sendable (inout CommandLineOptions, String) throws -> Void)
    }

    /// `--drive`.
    var name: String
    /// `-o`, when the option has a short spelling.
    var short: String?
    /// `X=PATH`, the value's name in the help; nil for a switch.
    var valueName: String?
    /// The help: its first line and the lines that continue it (indented as the help shows them); an empty first
    /// line puts the help below a long label.
    var help: [String]
    /// The commands that take the option.
    var commands: Set<CommandLineOptions.Command>
    var action: Action

    /// Whether the option takes a value.
    var takesValue: Bool { valueName != nil }

    /// `--output FILE, -o`: the option as the help lists it.
    var label: String { name + (valueName.map { " " + $0 } ?? "") + (short.map { ", " + $0 } ?? "") }

    static let scanCommands: Set<CommandLineOptions.Command> = [.scan, .audit]
    static let outputCommands: Set<CommandLineOptions.Command> = [.scan, .audit, .merge, .diff]
    /// `--help`: every command takes it, and no command's option list shows it.
    static let everyCommand = Set(CommandLineOptions.Command.allCases)
    static let quietCommands: Set<CommandLineOptions.Command> = [.scan, .audit, .hive, .vmcx, .events, .merge, .diff]

    static func flag(
        _ name: String, short: String? = nil, commands: Set<CommandLineOptions.Command> = scanCommands,
        _ help: [String], _ set: @escaping @Sendable (inout CommandLineOptions) -> Void
    ) -> CommandLineOption {
        CommandLineOption(name: name, short: short, valueName: nil, help: help, commands: commands, action: .flag(set))
    }

    static func value(
        _ name: String, _ valueName: String, short: String? = nil,
        commands: Set<CommandLineOptions.Command> = scanCommands,
        _ help: [String], _ set: @escaping @Sendable (inout CommandLineOptions, String) throws -> Void
    ) -> CommandLineOption {
        CommandLineOption(
            name: name, short: short, valueName: valueName, help: help, commands: commands, action: .value(set))
    }

    /// Every option, in the order `--help` lists those of `scan` and `audit`.
    static let table: [CommandLineOption] = [
        value("--drive", "X=PATH", ["drive X: is mounted at PATH, or is the partition/disk image PATH (repeatable)"]) {
            try $0.drives.append(CommandLineOptions.drive($1))
        },
        value(
            "--map", "WINPATH=PATH",
            ["any Windows prefix (CSV, \\\\server\\share, \\\\?\\Volume{GUID}\\) is at PATH (repeatable)"]
        ) {
            try $0.maps.append(CommandLineOptions.map($1))
        },
        value("--hive-dir", "PATH", ["read SOFTWARE and SYSTEM hives from PATH instead of the volume"]) {
            $0.hiveDirectory = $1
        },
        value(
            "--format", "FORMAT", commands: outputCommands,
            [
                "json (default), text, html, powershell, list, reg, pol, intune, csv:",
                "text        a summary for the terminal (--verbose: everything)",
                "html        one self-contained page for the customer",
                "powershell  a script to run on the host (UTF-8 with BOM, CRLF): -WhatIf, -Confirm,",
                "            -Undo, -RemoveFindings, -AcceptDetections, -LogPath; checks its",
                "            preconditions, validates with MpCmdRun -CheckExclusion",
                "reg         Defender's Group Policy keys as a .reg file (regedit, UTF-16LE)",
                "pol         the same keys as a Registry.pol (PReg v1) for LGPO.exe or a GPO",
                "intune      an Intune custom profile (Graph JSON): the Defender policy CSP's",
                "            ExcludedPaths/Extensions/Processes, items joined with '|'",
                "list        folder:, file:, pattern:, ext:, process: lines for other products",
                "csv         form, path, reason, verified, hold: one row per entry (RFC 4180)",
            ]
        ) { $0.format = try CommandLineOptions.format($1) },
        value(
            "--vendor", "NAME", commands: [.scan, .audit, .merge],
            [
                "with --format list: write the entries in a product's documented syntax",
                "(eset, sophos, trendmicro); what it cannot express becomes an unsupported: line",
            ]
        ) { $0.vendor = try CommandLineOptions.vendor($1) },
        value(
            "--output", "FILE", short: "-o", commands: outputCommands,
            [
                "write the result atomically to FILE (never inside a scanned root)"
            ]
        ) { $0.output = $1 },
        value("--jobs", "N", short: "-j", ["walker threads (default: active processors)"]) {
            $0.jobs = try CommandLineOptions.jobs($1)
        },
        flag("--cross-mounts", ["descend into file systems mounted below a root"]) { $0.crossMounts = true },
        flag("--include-unregistered", ["also exclude VMs and disks no registration uses"]) {
            $0.includeUnregistered = true
        },
        flag(
            "--extensions",
            [
                "also list Hyper-V's file types for the detected version as extension",
                "exclusions (host-wide: every such file anywhere goes unscanned)",
            ]
        ) { $0.extensions = true },
        flag("--broad-extensions", ["also list .xml .bin .iso as extension exclusions (too broad; warned)"]) {
            $0.broadExtensions = true
        },
        flag("--plan-deferred", ["also plan default folders Hyper-V has not created yet (see \"deferred\")"]) {
            $0.planDeferred = true
        },
        value(
            "--replica-storage", "WINPATH",
            ["", "a Hyper-V Replica storage location of this replica server (repeatable)"]
        ) {
            try $0.replicaStorage.append(CommandLineOptions.replicaStorage($1))
        },
        flag(
            "--env-paths",
            [
                "write %ProgramData%\\…-style paths where a path sits under a known root (in the",
                "formats whose target expands variables: powershell, reg, pol, intune, list, and",
                "--vendor eset; never csv, sophos or trendmicro)",
            ]
        ) { $0.environmentPaths = true },
        flag(
            "--mount",
            [
                "ROOT is a disk image or block device: mount its NTFS partitions read-only (root",
                "needed) instead of reading them natively, scan them as C:, D:… (letters from",
                "MountedDevices), unmount again (for what the native reader refuses, e.g. BitLocker)",
            ]
        ) { $0.mount = true },
        flag("--verbose", short: "-v", ["--format text: the full report (every reason, its evidence, every warning)"]) {
            $0.verbose = true
        },
        flag("--quiet", short: "-q", commands: quietCommands, ["no progress and no warnings on stderr"]) {
            $0.quiet = true
        },
        flag("--strict", commands: [.scan, .audit, .hive, .vmcx, .events], ["any warning makes the exit code 1"]) {
            $0.strict = true
        },
        value(
            "--against", "FILE", commands: [.audit],
            [
                "audit: compare with a saved plan or merged policy (hvexclude merge) instead of",
                "this scan's own plan: its shared entries and this node's (SYSTEM ComputerName)",
            ]
        ) { $0.against = $1 },
        flag(
            "--accept-detections",
            [
                "a planned entry held by a Defender malware detection (its file is named in the",
                "diagnosis) does not make the exit code 3; the entry stays marked in every export",
            ]
        ) { $0.acceptDetections = true },
        flag(
            "--data-only",
            [
                "ROOT is not a system volume (a copy of VM folders): scan it anyway; the report says",
                "what is then unknown (host registry, registrations)",
            ]
        ) { $0.dataOnly = true },
        // The options of hive and events, described in their commands' help (help(for:)).
        value("--id", "N…", commands: [.events], ["only these event ids (--id 4624 4625, --id 4624,4625 or repeated)"])
        {
            try $0.eventIds.append(contentsOf: CommandLineOptions.eventIds($1))
        },
        value(
            "--since", "T", commands: [.events],
            ["only records at or after T (UTC, 2024-05-01 or 2024-05-01T12:00:00Z)"]
        ) {
            $0.since = try CommandLineOptions.since($1)
        },
        flag("--no-replay", commands: [.hive], ["read the file as it is, without applying its transaction logs"]) {
            $0.noReplay = true
        },
        flag("--json", commands: [.hive], ["the key as JSON, names and data exact"]) { $0.json = true },
        flag(
            "--recursive", commands: [.hive],
            ["every key from KEYPATH down as JSON lines, one key with its values per line"]
        ) {
            $0.recursive = true
        },
        flag("--help", short: "-h", commands: everyCommand, ["this help, or a command's"]) {
            if $0.command != .help { $0.helpTopic = $0.command }
            $0.command = .help
        },
        flag("--version", commands: [.version], ["the version (also -V, as the first argument)"]) {
            $0.command = .version
        },
    ]

    /// The spellings a mistyped option is compared with, in the order that breaks a tie between two equally near
    /// ones (`--quunt`: `--quiet`, not `--mount`). The order is the parser's from before this table, kept so that no
    /// suggestion changes; a test checks it names every option of the table once.
    static let suggestions = [
        "--against", "--drive", "--map", "--format", "--vendor", "--output", "--jobs", "--hive-dir",
        "--replica-storage",
        "--id", "--since", "--quiet", "--strict", "--verbose", "--cross-mounts", "--include-unregistered",
        "--broad-extensions", "--extensions", "--plan-deferred", "--env-paths", "--mount", "--data-only", "--help",
        "--version", "--no-replay", "--json", "--recursive", "--accept-detections",
    ]

    /// The option spelled `flag` (long or short), if any.
    static func named(_ flag: String) -> CommandLineOption? {
        table.first { $0.name == flag || $0.short == flag }
    }

    /// The options part of `--help` (scan's and audit's options): each option's label, then its help from column 24
    /// (after two spaces when the label is longer).
    static var helpText: String {
        var text = "Options:\n"
        let indent = String(repeating: " ", count: 24)
        for option in table where !option.commands.isDisjoint(with: scanCommands) && option.commands != everyCommand {
            let label = "  " + option.label
            let first = option.help[0]
            if first.isEmpty {
                text += label + "\n"
            } else {
                text += label + String(repeating: " ", count: max(2, 24 - label.count)) + first + "\n"
            }
            for line in option.help.dropFirst() { text += indent + line + "\n" }
        }
        return text
    }
}
