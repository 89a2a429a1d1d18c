import HVXSession

/// The debugging aids: `hvexclude hive FILE [KEYPATH]` (like `reg query`) and `hvexclude vmcx FILE` (a VMCX or
/// XML configuration's key tree as JSON); ``HiveInspection`` and ``ConfigInspection`` read them.
enum InspectCommands {
    /// Lists a hive key's values and subkeys.
    static func hive(_ options: CommandLineOptions) -> ExitCode {
        let file = options.arguments[0]
        let keyPath = options.arguments.count > 1 ? options.arguments[1] : ""
        let outcome: HiveInspection.Outcome
        do {
            outcome = try HiveInspection.run(
                file: file, keyPath: keyPath, replay: !options.noReplay, json: options.json,
                recursive: options.recursive)
        } catch {
            HVExcludeCommand.printError("hvexclude: \(error)")
            return .couldNotScan
        }
        for warning in outcome.warnings where !options.quiet {
            HVExcludeCommand.printError("warning: \(file): \(warning)")
        }
        if let recovery = outcome.recovery, !options.quiet { HVExcludeCommand.printError("note: \(file): \(recovery)") }
        if !options.quiet {
            for note in outcome.notes { HVExcludeCommand.printError("note: \(note)") }
        }
        // Damage met while listing is warned about after the output.
        defer {
            for warning in outcome.listingWarnings where !options.quiet {
                HVExcludeCommand.printError("warning: \(file): \(warning)")
            }
        }
        switch outcome.listing {
        case .success(let text):
            StandardStream.output.write(text)
            let warned = !outcome.warnings.isEmpty || !outcome.listingWarnings.isEmpty
            return !warned || !options.strict ? .success : .finishedWithErrors
        case .failure(let error):
            HVExcludeCommand.printError("hvexclude: \(error)")
            return .finishedWithErrors
        }
    }

    /// Dumps a configuration's key tree.
    static func vmcx(_ options: CommandLineOptions) -> ExitCode {
        let file = options.arguments[0]
        let result = Result { () throws(CommandFailure) in try ConfigInspection.run(file: file) }
        switch result {
        case .failure(let failure):
            return failed(failure)
        case .success(let (warnings, json)):
            for warning in warnings where !options.quiet { HVExcludeCommand.printError("warning: \(file): \(warning)") }
            switch json {
            case .failure(let failure): return failed(failure)
            case .success(let text): StandardStream.output.write(text)
            }
            return warnings.isEmpty || !options.strict ? .success : .finishedWithErrors
        }
    }

    /// The exit code and message of a command that failed.
    static func failed(_ failure: CommandFailure) -> ExitCode {
        HVExcludeCommand.printError("hvexclude: \(failure)")
        switch failure {
        case .usage: return .usage
        case .couldNotRead: return .couldNotScan
        case .damaged: return .finishedWithErrors
        }
    }
}
