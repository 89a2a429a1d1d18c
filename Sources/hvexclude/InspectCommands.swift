import HVXBinary
import HVXFormats
import HVXInventory

/// The debugging aids: `hvexclude hive FILE [KEYPATH]` (like `reg query`) and `hvexclude vmcx FILE` (a VMCX or
/// XML configuration's key tree as JSON).
enum InspectCommands {
    /// Lists a hive key's values and subkeys.
    static func hive(_ options: CommandLineOptions) -> ExitCode {
        let file = options.arguments[0]
        let keyPath = options.arguments.count > 1 ? options.arguments[1] : ""
        let hive: RegistryHive
        do {
            hive = try RegistryHive(path: file, logs: options.noReplay ? .ignore : .replay)
        } catch {
            HVExcludeCommand.printError("hvexclude: cannot read hive \(file): \(error)")
            return .couldNotScan
        }
        let opened = hive.warnings.count
        for warning in hive.warnings where !options.quiet { HVExcludeCommand.printError("warning: \(file): \(warning)") }
        if let recovery = hive.recovery, !options.quiet { HVExcludeCommand.printError("note: \(file): \(recovery.summary)") }
        // Damage met while reading keys is warned about after the output.
        defer { for warning in hive.warnings.dropFirst(opened) where !options.quiet { HVExcludeCommand.printError("warning: \(file): \(warning)") } }
        do {
            if !options.quiet {
                for note in try RegistryQuery.resolve(keyPath, in: hive).notes { HVExcludeCommand.printError("note: \(note)") }
            }
            if options.recursive {
                try RegistryQuery.jsonLines(hive, keyPath: keyPath) { StandardStream.output.write($0) }
            } else {
                StandardStream.output.write(
                    options.json ? try RegistryQuery.json(hive, keyPath: keyPath) : try RegistryQuery.render(hive, keyPath: keyPath))
            }
            return hive.warnings.isEmpty || !options.strict ? .success : .finishedWithErrors
        } catch {
            HVExcludeCommand.printError("hvexclude: \(error)")
            return .finishedWithErrors
        }
    }

    /// Dumps a configuration's key tree.
    static func vmcx(_ options: CommandLineOptions) -> ExitCode {
        let file = options.arguments[0]
        do {
            let tree = try ConfigTree.read(path: file)
            for warning in tree.warnings where !options.quiet { HVExcludeCommand.printError("warning: \(file): \(warning)") }
            StandardStream.output.write(try ConfigTreeJSON.text(tree))
            return tree.warnings.isEmpty || !options.strict ? .success : .finishedWithErrors
        } catch {
            return InspectCommands.fileFailed(file, error)
        }
    }

    /// Reports a file that could not be inspected: a file that cannot be opened or read is exit 2 (nothing was
    /// inspected), damaged content exit 1.
    static func fileFailed(_ file: String, _ error: any Error) -> ExitCode {
        if let error = error as? SystemError {
            HVExcludeCommand.printError("hvexclude: \(error)")
            return .couldNotScan
        }
        HVExcludeCommand.printError("hvexclude: \(file): \(error)")
        return .finishedWithErrors
    }
}
