import Dispatch
import HVXBinary
import HVXDiskImage
import HVXInventory
import HVXReport
import HVXScan
import HVXVolume
import HVXWalk
#if canImport(Glibc)
import Glibc
#endif

/// The whole command-line program, so `main.swift` stays one call and tests can drive it in-process.
public enum HVExcludeCommand {
    /// Runs `hvexclude` with `arguments` (without the program name) and returns the exit code.
    public static func run(_ arguments: [String]) -> ExitCode {
        // No command at all is a usage mistake: the usage goes to stderr, so a pipe never takes it for a result.
        guard !arguments.isEmpty else {
            printError(usage, terminator: "")
            return .usage
        }
        let options: CommandLineOptions
        do {
            options = try CommandLineOptions.parse(arguments)
        } catch {
            printError("hvexclude: \(error)\nRun 'hvexclude --help' for usage.")
            return .usage
        }
        switch options.command {
        case .help:
            print(options.helpTopic.map(help(for:)) ?? usage, terminator: "")
            return .success
        case .version:
            print("hvexclude \(ToolInfo.currentVersion)")
            return .success
        case .scan, .audit:
            return scan(options)
        case .hive:
            return InspectCommands.hive(options)
        case .vmcx:
            return InspectCommands.vmcx(options)
        case .events:
            return EventsCommand.run(options)
        }
    }

    static func scan(_ options: CommandLineOptions) -> ExitCode {
        // ROOT is a disk image or block device (docs/rescue.md): with --mount mount it and scan.
        if let root = options.arguments.first, options.mount {
            return DiskImageCommand.run(options) { mappings, notes, drives in
                scan(options, imageMappings: mappings, notes: notes, image: (root, drives))
            }
        }
        // Without --mount an image is read natively: no root, no FUSE.
        if let root = options.arguments.first, DiskImageScan.isImage(root) {
            return NativeImageCommand.run(options) { mappings, notes, drives in
                scan(options, imageMappings: mappings, notes: notes, image: (root, drives))
            }
        }
        return scan(options, imageMappings: nil, notes: [], image: nil)
    }

    /// The scan; `imageMappings` replace ROOT's `C:` mapping when ROOT was a mounted disk image, `notes` join the
    /// report's warnings.
    static func scan(
        _ options: CommandLineOptions, imageMappings: [VolumeMap.Mapping]?, notes: [Finding],
        image: (path: String, drives: [DriveAssignment.Drive])?
    ) -> ExitCode {
        var scanOptions: ScanOptions
        do {
            scanOptions = try ScanOptions(commandLine: options)
        } catch {
            printError("hvexclude: \(error)")
            return .usage
        }
        if let imageMappings { scanOptions.mappings = imageMappings + scanOptions.mappings.dropFirst() }
        var notes = notes
        // --drive X=IMAGE: a partition or disk image read natively.
        do {
            let opened = try NativeImageScan.openImageDrives(scanOptions.mappings, from: imageMappings?.count ?? 0)
            scanOptions.mappings = opened.mappings
            notes += opened.notes
        } catch {
            printError("hvexclude: could not scan: \(error)")
            return .couldNotScan
        }
        if !options.dataOnly, let first = scanOptions.mappings.first {
            do {
                try SystemVolumeCheck.check(first)
            } catch {
                printError("hvexclude: could not scan: \(error)")
                return .couldNotScan
            }
        }
        notes += HibernationFile.warnings(for: scanOptions.mappings)
        let roots = scanOptions.mappings.map(\.hostRoot)
        if let output = options.output, let problem = outputProblem(output, roots: roots) {
            printError("hvexclude: \(problem)")
            return .usage
        }
        let scanner = HostScanner(options: scanOptions)
        let progress = options.quiet || !StandardStream.error.isTerminal ? nil : ProgressLine(walker: scanner.walker)
        progress?.start()
        var result: ScanResult
        do {
            result = try scanner.run()
        } catch {
            progress?.stop()
            printError("hvexclude: \(error)")
            return .couldNotScan
        }
        progress?.stop()
        result.notes = notes
        let report = Report(result, image: image?.path, drives: image?.drives ?? [])
        do {
            let bytes = try render(report, format: options.format)
            try OutputWriter.write(bytes, to: options.output, scannedRoots: roots)
        } catch let error as UsageError {
            printError("hvexclude: \(error)")
            return .usage
        } catch {
            printError("hvexclude: cannot write the report: \(error)")
            return .couldNotScan
        }
        let warnings = report.scan.warnings
        if !options.quiet {
            let shown = warnings.filter { $0.severity != .info }
            for warning in shown.prefix(20) { printError("warning: \(warning.path): \(warning.message)") }
            if shown.count > 20 { printError("… and \(shown.count - 20) more warnings in the report") }
        }
        if options.command == .audit {
            guard let audit = report.audit else {
                printError("hvexclude: audit: no SOFTWARE hive was read, so the host's Defender exclusions are unknown")
                return .couldNotScan
            }
            if !options.quiet {
                printError("audit: \(audit.missingCount) of \(audit.plannedCount) planned exclusions missing")
            }
            if audit.missingCount > 0 { return .exclusionsMissing }
        }
        if warnings.contains(where: { $0.severity == .error }) { return .finishedWithErrors }
        if options.strict && warnings.contains(where: { $0.severity == .warning }) { return .finishedWithErrors }
        return .success
    }

    /// The report in the chosen format, as the bytes to write (`reg` is UTF-16LE with a BOM, as regedit
    /// writes it; everything else UTF-8).
    static func render(_ report: Report, format: CommandLineOptions.Format) throws -> [UInt8] {
        switch format {
        case .json: return Array(try JSONExporter.render(report).utf8)
        case .text: return Array(TextExporter.render(report, color: useColor).utf8)
        case .powershell: return Array(PowerShellExporter.render(report).utf8)
        case .list: return Array(ListExporter.render(report).utf8)
        case .reg: return RegExporter.renderBytes(report)
        }
    }

    /// Colour only on a terminal, and never with `NO_COLOR` set (no-color.org).
    static var useColor: Bool {
        StandardStream.output.isTerminal && getenv("NO_COLOR") == nil
    }

    /// Why `--output` cannot be used, checked before the scan starts.
    static func outputProblem(_ output: String, roots: [String]) -> UsageError? {
        if SystemVolumeCheck.isDirectory(output) { return .outputIsDirectory(output) }
        let folder = output.contains("/") ? String(output[..<output.lastIndex(of: "/")!]) : "."
        guard let realFolder = OutputWriter.realPath(folder.isEmpty ? "/" : folder) else {
            return .outputFolderMissing(folder)
        }
        for root in roots {
            guard let realRoot = OutputWriter.realPath(root) else { continue }
            if realFolder == realRoot || realFolder.hasPrefix(realRoot == "/" ? "/" : realRoot + "/") {
                return .outputInsideRoot(output: output, root: root)
            }
        }
        return nil
    }

    static func printError(_ text: String, terminator: String = "\n") {
        StandardStream.error.write(text + terminator)
    }

    /// `hvexclude COMMAND --help`: that command's usage and options.
    public static func help(for command: CommandLineOptions.Command) -> String {
        switch command {
        case .scan, .audit:
            let what = command == .scan
                ? "the exclusions this host needs, derived from its volumes"
                : "the exclusions this host needs, compared with its Defender configuration (exit 3 when some are missing)"
            return """
                Usage: hvexclude \(command.rawValue) ROOT [options]

                \(what).
                ROOT is the host's C: volume, mounted or copied (it must hold Windows\\System32\\config or
                ProgramData\\Microsoft\\Windows\\Hyper-V), or a disk image, block device, VHD or VHDX of the
                host's disk, read natively without root (--mount reads it through ntfs-3g instead).

                """ + "\n" + optionsHelp + "\n" + exitCodesHelp
        case .hive:
            return """
                Usage: hvexclude hive FILE [KEYPATH]

                Lists a registry hive key's subkeys and values, like reg query (the root key without KEYPATH).
                KEYPATH may be written as Windows shows it: HKLM\\SOFTWARE\\..., HKEY_LOCAL_MACHINE\\SYSTEM\\...,
                and CurrentControlSet (resolved through Select\\Current). Control characters, trailing spaces
                and ambiguous backslashes are escaped. MountedDevices values are decoded (GPT partition GUID,
                or MBR disk signature and partition offset). A dirty hive's .LOG1/.LOG2/.LOG are replayed in
                memory first (nothing is written); a note on stderr says what was applied.
                Options: --quiet, -q (no warnings on stderr); --strict (a hive warning makes the exit code 1);
                --no-replay (read the file as it is); --json (the key as JSON, names and data exact).

                """
        case .vmcx:
            return """
                Usage: hvexclude vmcx FILE

                Dumps a VMCX (Hyper-V 2016+) or XML (2008–2012 R2) configuration's key tree as JSON.

                """
        case .events:
            return """
                Usage: hvexclude events FILE [--id N…] [--since T]

                Prints an .evtx event log's records as JSON Lines (one object per record: provider, eventId, level,
                time, recordId, computer, channel, data). A damaged chunk or record is a warning; the rest is read.
                Options: --id N (repeatable, or N,M,…: only these event ids); --since T (UTC, 2024-05-01 or
                2024-05-01T12:00:00Z: only records at or after T); --quiet, -q (no warnings on stderr);
                --strict (a warning makes the exit code 1).

                """
        case .help, .version:
            return usage
        }
    }

    /// `hvexclude --help`.
    public static let usage = """
        hvexclude \(ToolInfo.currentVersion) — exact antivirus exclusions for a Hyper-V host, derived offline from its volumes

        Usage:
          hvexclude scan ROOT [options]     scan the host's C: volume mounted or copied at ROOT, or a disk image,
                                            block device, VHD or VHDX read natively (no root needed)
          hvexclude audit ROOT [options]    scan, then compare with the host's Defender exclusions
          hvexclude hive FILE [KEYPATH]     list a registry hive key's subkeys and values (a dirty hive's
                                            .LOG1/.LOG2 are replayed in memory first; --no-replay reads
                                            the file as it is; --json prints JSON)
          hvexclude vmcx FILE               dump a VMCX/XML configuration's key tree as JSON
          hvexclude events FILE [--id N…] [--since T]
                                            an .evtx event log's records, one JSON object per line
          hvexclude --help | --version

        Run 'hvexclude scan --help' for the options of scan and audit.

        """ + "\n" + optionsHelp + "\n" + exitCodesHelp

    static let optionsHelp = """
        Options:
          --drive X=PATH        drive X: is mounted at PATH, or is the partition/disk image PATH (repeatable)
          --map WINPATH=PATH    any Windows prefix (CSV, \\\\server\\share, \\\\?\\Volume{GUID}\\) is at PATH (repeatable)
          --hive-dir PATH       read SOFTWARE and SYSTEM hives from PATH instead of the volume
          --format FORMAT       json (default), text, powershell, list, reg
          --output FILE, -o     write the result atomically to FILE (never inside a scanned root)
          --jobs N, -j          walker threads (default: active processors)
          --cross-mounts        descend into file systems mounted below a root
          --include-unregistered  also exclude VMs and disks no registration uses
          --extensions          also list Hyper-V's file types for the detected version as extension
                                exclusions (host-wide: every such file anywhere goes unscanned)
          --broad-extensions    also list .xml .bin .iso as extension exclusions (too broad; warned)
          --plan-deferred       also plan default folders Hyper-V has not created yet (see "deferred")
          --replica-storage WINPATH
                                a Hyper-V Replica storage location of this replica server (repeatable)
          --env-paths           write %ProgramData%\\…-style paths where a path sits under a known root
          --mount               ROOT is a disk image or block device: mount its NTFS partitions read-only (root
                                needed) instead of reading them natively, scan them as C:, D:… (letters from
                                MountedDevices), unmount again (for what the native reader refuses, e.g. BitLocker)
          --quiet, -q           no progress and no warnings on stderr
          --strict              any warning makes the exit code 1
          --data-only           ROOT is not a system volume (a copy of VM folders): scan it anyway; the report says
                                what is then unknown (host registry, registrations)

        """

    static let exitCodesHelp = """
        Exit codes:
          0   success
          1   finished, but some inputs could not be read or parsed (listed in the report); with --strict, any warning
          2   could not scan at all (root unreadable or not a Windows system volume, output not writable)
          3   audit: required exclusions are missing from the host's Defender configuration
          64  usage error
        Precedence: 64, then 2, then 3, then 1, then 0.

        """
}

/// A one-line progress display on stderr (TTY only): entries per second and the current folder.
final class ProgressLine: @unchecked Sendable {
    private let walker: DirectoryWalker
    private let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "hvexclude.progress"))

    init(walker: DirectoryWalker) { self.walker = walker }

    func start() {
        let begun = ContinuousClock.now
        timer.schedule(deadline: .now() + .milliseconds(200), repeating: .milliseconds(200))
        timer.setEventHandler { [walker] in
            let elapsed = HostScanner.seconds(ContinuousClock.now - begun)
            let entries = walker.progress.entriesVisited
            var folder = walker.progress.currentDirectory
            if folder.count > 60 { folder = "…" + folder.suffix(59) }
            StandardStream.error.write("\r\u{1B}[K\(entries) entries, \(Int(Double(entries) / max(elapsed, 0.2)))/s  \(folder)")
        }
        timer.resume()
    }

    func stop() {
        timer.cancel()
        StandardStream.error.write("\r\u{1B}[K")
    }
}
