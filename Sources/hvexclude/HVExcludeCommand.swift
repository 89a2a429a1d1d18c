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
        case .merge:
            return FleetCommands.merge(options)
        case .diff:
            return FleetCommands.diff(options)
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
        let progress = ProgressLine.onTerminal(scanner.walker.progress, quiet: options.quiet)
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
        if let file = options.against {
            do {
                result.audit(against: try SavedReport.loadPolicy(file), file: file)
            } catch {
                printError("hvexclude: --against: \(error)")
                return .couldNotScan
            }
        }
        let report = Report(result, image: image?.path, drives: image?.drives ?? [])
        do {
            let (bytes, refused) = try render(report, format: options.format, vendor: options.vendor, verbose: options.verbose)
            try OutputWriter.write(bytes, to: options.output, scannedRoots: roots)
            if !options.quiet {
                for item in refused { printError("hvexclude: not in the \(options.format.rawValue) output: \(item)") }
            }
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
        let held = report.heldEntries
        if !held.isEmpty {
            if !options.quiet {
                printError("hvexclude: malware detected in a file \(held.count == 1 ? "this planned entry covers" : "these planned entries cover"): "
                    + held.joined(separator: ", ") + " — investigate before excluding"
                    + (options.acceptDetections ? " (--accept-detections: exit code not raised)" : "; --accept-detections accepts it"))
            }
            if !options.acceptDetections { return .exclusionsMissing }
        }
        if warnings.contains(where: { $0.severity == .error }) { return .finishedWithErrors }
        if options.strict && warnings.contains(where: { $0.severity == .warning }) { return .finishedWithErrors }
        return .success
    }

    /// The report in the chosen format, as the bytes to write (`reg` is UTF-16LE with a BOM, as regedit
    /// writes it; `powershell` UTF-8 with a BOM and CRLF, as Windows PowerShell 5.1 needs; `pol` binary; everything
    /// else UTF-8), and the planned items the format could not hold, each with why.
    static func render(
        _ report: Report, format: CommandLineOptions.Format, vendor: VendorProfile? = nil, verbose: Bool = false
    ) throws -> (bytes: [UInt8], refused: [String]) {
        switch format {
        case .json: return (Array(try JSONExporter.render(report).utf8), [])
        case .text: return (Array(TextExporter.render(report, color: useColor, width: outputWidth, verbose: verbose).utf8), [])
        case .html: return (Array(HTMLExporter.render(report).utf8), [])
        case .powershell: return (PowerShellExporter.renderBytes(report), [])
        case .list: return (Array(ListExporter.render(report, vendor: vendor).utf8), [])
        case .reg: return (RegExporter.renderBytes(report), [])
        case .pol:
            let output = RegistryPolicyExporter.render(report)
            return (output.bytes, output.refused)
        case .intune:
            let output = try IntuneExporter.render(report)
            return (Array(output.json.utf8), output.refused)
        case .csv: return (Array(CSVExporter.render(report).utf8), [])
        }
    }

    /// The widest a text line may be: the terminal's width; not a terminal: `$COLUMNS` when set, else 120.
    static var outputWidth: Int {
        if StandardStream.output.isTerminal {
            var size = winsize()
            if ioctl(StandardStream.output.rawValue, UInt(TIOCGWINSZ), &size) == 0, size.ws_col >= 40 { return Int(size.ws_col) }
        }
        if let text = getenv("COLUMNS").map({ String(cString: $0) }), let columns = Int(text), columns >= 40 { return columns }
        return 120
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
                --no-replay (read the file as it is); --json (the key as JSON, names and data exact);
                --recursive (every key from KEYPATH down as JSON lines: one key per line with its values,
                {"path":…,"values":[{"data":…,"name":…,"type":…}]}; damage on the way is a warning, the walk goes on).

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
                Options: --id N… (--id 4624 4625, --id 4624,4625 or repeated: only these event ids); --since T
                (UTC, 2024-05-01 or 2024-05-01T12:00:00Z: only records at or after T); --quiet, -q (no warnings on
                stderr); --strict (a warning makes the exit code 1).
                Exit codes: 0 every record read; 1 some records were skipped (each named on stderr, with the count);
                2 nothing could be read (not an event log, a folder, unreadable); 64 usage error.

                """
        case .merge:
            return """
                Usage: hvexclude merge REPORT.json… [--format json|text|powershell|pol|intune|reg|csv|list] [-o FILE]

                One policy for a failover cluster: the union of the plans in the nodes' JSON reports (each node
                scanned offline with hvexclude scan … --format json). Paths on shared storage (C:\\ClusterStorage,
                SMB shares) apply to every node, paths on a node's local drives to that node (each entry says which);
                every entry once; a conflict section where the nodes disagree (VM configurations, releases,
                processes, a path that is a folder on one node and a file on another, Defender channels). A node is
                named by SYSTEM's ComputerName, else by its report's file name. --format powershell writes one script
                to run on every node; --format pol, intune, reg, csv or list writes what every node shares (for one Group
                Policy or Intune policy) and names each entry left out. Reports of different schema versions, or the same
                node twice, are refused.
                Exit codes: 0 merged; 1 merged, but an entry is held by a malware detection; 2 a report cannot be
                read or merged; 64 usage.

                """
        case .diff:
            return """
                Usage: hvexclude diff OLD.json NEW.json [--format json|text] [-o FILE]

                What changed between two scans of a host: VMs added, removed or moved, checkpoints, disk chains,
                plan entries added or removed (with why), audit statuses, new event-log findings. Scan times are
                ignored. Exit codes: 0 the exclusions need no change; 3 they must change; 2 a report cannot be read;
                64 usage.

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
                                            the file as it is; --json prints JSON; --recursive every key
                                            below as JSON lines, one key with its values per line)
          hvexclude vmcx FILE               dump a VMCX/XML configuration's key tree as JSON
          hvexclude events FILE [--id N…] [--since T]
                                            an .evtx event log's records, one JSON object per line
          hvexclude merge REPORT.json…     one policy for a cluster's nodes (json, text, powershell)
          hvexclude diff OLD.json NEW.json  what changed between two scans; exit 3 when the exclusions must change
          hvexclude --help | --version

        Run 'hvexclude scan --help' for the options of scan and audit.

        """ + "\n" + optionsHelp + "\n" + exitCodesHelp

    static let optionsHelp = """
        Options:
          --drive X=PATH        drive X: is mounted at PATH, or is the partition/disk image PATH (repeatable)
          --map WINPATH=PATH    any Windows prefix (CSV, \\\\server\\share, \\\\?\\Volume{GUID}\\) is at PATH (repeatable)
          --hive-dir PATH       read SOFTWARE and SYSTEM hives from PATH instead of the volume
          --format FORMAT       json (default), text, html, powershell, list, reg, pol, intune, csv:
                                text        a summary for the terminal (--verbose: everything)
                                html        one self-contained page for the customer
                                powershell  a script to run on the host (UTF-8 with BOM, CRLF): -WhatIf, -Confirm,
                                            -Undo, -RemoveFindings, -AcceptDetections, -LogPath; checks its
                                            preconditions, validates with MpCmdRun -CheckExclusion
                                reg         Defender's Group Policy keys as a .reg file (regedit, UTF-16LE)
                                pol         the same keys as a Registry.pol (PReg v1) for LGPO.exe or a GPO
                                intune      an Intune custom profile (Graph JSON): the Defender policy CSP's
                                            ExcludedPaths/Extensions/Processes, items joined with '|'
                                list        folder:, file:, pattern:, ext:, process: lines for other products
                                csv         form, path, reason, verified, hold: one row per entry (RFC 4180)
          --vendor NAME         with --format list: write the entries in a product's documented syntax
                                (eset, sophos, trendmicro); what it cannot express becomes an unsupported: line
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
          --env-paths           write %ProgramData%\\…-style paths where a path sits under a known root (in the
                                formats whose target expands variables: powershell, reg, pol, intune, list, and
                                --vendor eset; never csv, sophos or trendmicro)
          --mount               ROOT is a disk image or block device: mount its NTFS partitions read-only (root
                                needed) instead of reading them natively, scan them as C:, D:… (letters from
                                MountedDevices), unmount again (for what the native reader refuses, e.g. BitLocker)
          --verbose, -v         --format text: the full report (every reason, its evidence, every warning)
          --quiet, -q           no progress and no warnings on stderr
          --strict              any warning makes the exit code 1
          --against FILE        audit: compare with a saved plan or merged policy (hvexclude merge) instead of
                                this scan's own plan: its shared entries and this node's (SYSTEM ComputerName)
          --accept-detections   a planned entry held by a Defender malware detection (its file is named in the
                                diagnosis) does not make the exit code 3; the entry stays marked in every export
          --data-only           ROOT is not a system volume (a copy of VM folders): scan it anyway; the report says
                                what is then unknown (host registry, registrations)

        """

    static let exitCodesHelp = """
        Exit codes:
          0   success
          1   finished, but some inputs could not be read or parsed (listed in the report); with --strict, any warning
          2   could not scan at all (root unreadable or not a Windows system volume, output not writable)
          3   action needed: audit: required exclusions are missing from the host's Defender configuration;
              scan/audit: a planned entry covers a file with a Defender malware detection (--accept-detections)
              events: 1 = some records were skipped (named on stderr); 2 = the file yields no record (not an event
              log, a folder, unreadable)
          64  usage error
        Precedence: 64, then 2, then 3, then 1, then 0.

        """
}

/// A one-line progress display on stderr (on a terminal only, never with `--quiet`): the phase, entries walked,
/// bytes read, elapsed time and the current folder, five times a second.
final class ProgressLine: @unchecked Sendable {
    private let progress: WalkProgress
    private let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "hvexclude.progress"))

    init(_ progress: WalkProgress) { self.progress = progress }

    /// A progress line when stderr is a terminal and `quiet` is off, else nil.
    static func onTerminal(_ progress: WalkProgress, quiet: Bool) -> ProgressLine? {
        quiet || !StandardStream.error.isTerminal ? nil : ProgressLine(progress)
    }

    func start() {
        let begun = ContinuousClock.now
        timer.schedule(deadline: .now() + .milliseconds(200), repeating: .milliseconds(200))
        timer.setEventHandler { [progress] in
            let elapsed = HostScanner.seconds(ContinuousClock.now - begun)
            let entries = progress.entriesVisited
            var line = progress.phase.isEmpty ? "" : progress.phase + ": "
            line += "\(entries) entries (\(Int(Double(entries) / max(elapsed, 0.2)))/s)"
            if progress.bytesRead > 0 { line += ", \(progress.bytesRead / 1_048_576) MiB read" }
            line += ", \(Int(elapsed)) s"
            var folder = progress.currentDirectory
            if folder.count > 50 { folder = "…" + folder.suffix(49) }
            StandardStream.error.write("\r\u{1B}[K" + line + (folder.isEmpty ? "" : "  " + folder))
        }
        timer.resume()
    }

    func stop() {
        timer.cancel()
        StandardStream.error.write("\r\u{1B}[K")
    }
}
