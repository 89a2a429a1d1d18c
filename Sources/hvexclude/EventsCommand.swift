import HVXSession

/// `hvexclude events FILE [--id N…] [--since T]`: ``EventLogReading`` reads the log; this writes exactly one JSON
/// object per record on stdout, and the warnings and the count of skipped records on stderr. Exit 1 when records
/// were skipped, 2 when the file yields nothing (not an event log, a folder, unreadable).
enum EventsCommand {
    static func run(_ options: CommandLineOptions) -> ExitCode {
        let file = options.arguments[0]
        let outcome: EventLogReading.Outcome
        do {
            outcome = try EventLogReading.run(file: file, ids: Set(options.eventIds), since: options.since)
        } catch {
            HVExcludeCommand.printError("hvexclude: \(error)")
            return .couldNotScan
        }
        outcome.writeJSONLines { StandardStream.output.write($0) }
        for warning in outcome.warnings where !options.quiet {
            HVExcludeCommand.printError("warning: \(file): \(warning)")
        }
        if outcome.recordsSkipped > 0 {
            // The count goes to stderr even with --quiet: it is the result's other half.
            HVExcludeCommand.printError(
                "hvexclude: \(file): \(outcome.recordsRead) records read, \(outcome.recordsSkipped) skipped")
        }
        if outcome.nothingRead {
            HVExcludeCommand.printError("hvexclude: \(file): no record could be read")
            return .couldNotScan
        }
        if outcome.recordsSkipped > 0 { return .finishedWithErrors }
        return outcome.warnings.isEmpty || !options.strict ? .success : .finishedWithErrors
    }
}
