import HVXReport
import HVXSession

#if canImport(Glibc)
import Glibc
#endif

/// The whole command-line program, so `main.swift` stays one call and tests can drive it in-process: it parses the
/// arguments, calls the library's entry for the command (``ScanSession``, ``HiveInspection``, …) and maps the
/// outcome to output, messages on stderr and the exit code.
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

    /// `scan` and `audit`: ``ScanSession`` runs them; this writes the report and says what happened.
    static func scan(_ options: CommandLineOptions) -> ExitCode {
        let request: ScanRequest
        do {
            request = try ScanRequest(commandLine: options, style: TextStyle(color: useColor, width: outputWidth))
        } catch {
            printError("hvexclude: \(error)")
            return .usage
        }
        let observer = TerminalObserver(quiet: options.quiet)
        // The handlers stay until the report is written, as the --mount flow had them: a SIGTERM while a full pipe
        // blocks the report still exits 143 (the mounts are undone again, which does nothing when they are gone).
        defer { observer.removeSignalHandlers() }
        let result = Result { () throws(ScanFailure) in try ScanSession.run(request, observer: observer) }
        switch result {
        case .failure(let failure):
            for line in failure.before { printError(line) }
            printError("hvexclude: \(failure)")
            for problem in failure.cleanupProblems { printError("warning: \(problem)") }
            if case .usage = failure.reason { return .usage }
            return .couldNotScan
        case .success(let outcome):
            let code = finish(outcome, options)
            for problem in outcome.cleanupProblems { printError("warning: \(problem)") }
            return code
        }
    }

    /// Writes the report and the messages after it, and returns the exit code of ``ScanOutcome/verdict``.
    static func finish(_ outcome: ScanOutcome, _ options: CommandLineOptions) -> ExitCode {
        do {
            try OutputWriter.write(outcome.bytes, to: options.output, scannedRoots: outcome.scannedRoots)
        } catch let error as OutputProblem {
            printError("hvexclude: \(error)")
            return .usage
        } catch {
            printError("hvexclude: cannot write the report: \(error)")
            return .couldNotScan
        }
        if !options.quiet {
            for item in outcome.refused {
                printError("hvexclude: not in the \(options.format.rawValue) output: \(item)")
            }
            let shown = outcome.shownWarnings
            for warning in shown.prefix(20) { printError("warning: \(warning.path): \(warning.message)") }
            if shown.count > 20 { printError("… and \(shown.count - 20) more warnings in the report") }
        }
        if options.command == .audit {
            guard let audit = outcome.audit else {
                printError("hvexclude: audit: no SOFTWARE hive was read, so the host's Defender exclusions are unknown")
                return .couldNotScan
            }
            if !options.quiet { printError("audit: \(audit.missing) of \(audit.planned) planned exclusions missing") }
            if audit.missing > 0 { return .exclusionsMissing }
        }
        let held = outcome.heldEntries
        if !held.isEmpty && !options.quiet {
            printError(
                "hvexclude: malware detected in a file \(held.count == 1 ? "this planned entry covers" : "these planned entries cover"): "
                    + held.joined(separator: ", ") + " — investigate before excluding"
                    + (options.acceptDetections
                        ? " (--accept-detections: exit code not raised)" : "; --accept-detections accepts it"))
        }
        switch outcome.verdict {
        case .success: return .success
        case .finishedWithErrors: return .finishedWithErrors
        case .actionNeeded: return .exclusionsMissing
        case .auditUnknown: return .couldNotScan
        }
    }

    /// The widest a text line may be: the terminal's width; not a terminal: `$COLUMNS` when set, else 120.
    static var outputWidth: Int {
        if StandardStream.output.isTerminal {
            var size = winsize()
            if ioctl(StandardStream.output.rawValue, UInt(TIOCGWINSZ), &size) == 0, size.ws_col >= 40 {
                return Int(size.ws_col)
            }
        }
        if let text = getenv("COLUMNS").map({ String(cString: $0) }), let columns = Int(text), columns >= 40 {
            return columns
        }
        return 120
    }

    /// Colour only on a terminal, and never with `NO_COLOR` set (no-color.org).
    static var useColor: Bool {
        StandardStream.output.isTerminal && getenv("NO_COLOR") == nil
    }

    static func printError(_ text: String, terminator: String = "\n") {
        StandardStream.error.write(text + terminator)
    }
}
