import HVXSession

/// `merge` and `diff`: ``FleetSession`` reads and renders; this writes the result and maps it to exit codes.
enum FleetCommands {
    /// `hvexclude merge REPORT.json…`: exit 0, 1 when an entry is held (a detection), 2 when a report cannot be
    /// read or the reports cannot be merged (mixed schema versions, a node twice), 64 for a format merge cannot write.
    static func merge(_ options: CommandLineOptions) -> ExitCode {
        let outcome: FleetSession.MergeOutcome
        do throws(CommandFailure) {
            outcome = try FleetSession.merge(options.arguments, format: options.format, vendor: options.vendor)
        } catch {
            return InspectCommands.failed(error)
        }
        for item in outcome.leftOut where !options.quiet {
            HVExcludeCommand.printError(
                "left out of the cluster-wide \(options.format.rawValue) (apply it with --format powershell, node by node): \(item)"
            )
        }
        for item in outcome.refused where !options.quiet { HVExcludeCommand.printError("not written: \(item)") }
        do {
            try OutputWriter.write(outcome.bytes, to: options.output, scannedRoots: [])
        } catch {
            HVExcludeCommand.printError("hvexclude: cannot write the policy: \(error)")
            return .couldNotScan
        }
        if !options.quiet {
            for conflict in outcome.conflicts { HVExcludeCommand.printError("conflict: \(conflict)") }
        }
        return outcome.held ? .finishedWithErrors : .success
    }

    /// `hvexclude diff OLD.json NEW.json`: exit 0 when the exclusions need no change, 3 when they must change, 2
    /// when a report cannot be read.
    static func diff(_ options: CommandLineOptions) -> ExitCode {
        let diff: (bytes: [UInt8], planChanged: Bool)
        do throws(CommandFailure) {
            diff = try FleetSession.diff(old: options.arguments[0], new: options.arguments[1], format: options.format)
        } catch {
            return InspectCommands.failed(error)
        }
        do {
            try OutputWriter.write(diff.bytes, to: options.output, scannedRoots: [])
        } catch {
            HVExcludeCommand.printError("hvexclude: cannot write the diff: \(error)")
            return .couldNotScan
        }
        return diff.planChanged ? .exclusionsMissing : .success
    }
}
