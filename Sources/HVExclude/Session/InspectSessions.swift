import HVXBinary
import HVXFormats
import HVXInventory

/// `hvexclude hive FILE [KEYPATH]`: a hive key's values and subkeys, like `reg query` (``RegistryQuery``).
public enum HiveInspection {
    /// What was read, in the order the command line shows it.
    public struct Outcome: Sendable {
        /// The hive's warnings (damaged cells, logs not applied).
        public var warnings: [String]
        /// What replaying the transaction logs applied, when it applied anything.
        public var recovery: String?
        /// How KEYPATH was resolved (`CurrentControlSet` through `Select\Current`, a machine root dropped).
        public var notes: [String] = []
        /// The listing (text, JSON with `json`, JSON lines with `recursive`), or why KEYPATH could not be listed
        /// (exit 1).
        public var listing: Result<String, CommandFailure>
        /// Damage met while listing (a bad subkey entry, a cell past its bin), shown after the listing.
        public var listingWarnings: [String] = []
    }

    /// Reads `file` (replaying its logs in memory unless `replay` is off) and lists `keyPath`: its values and
    /// subkeys as text, as JSON with `json`, or every key from it down as JSON lines with `recursive`
    /// (``RegistryQuery/jsonLines(_:keyPath:write:)``).
    /// - Throws: ``CommandFailure/couldNotRead(_:)`` when the file is no hive or cannot be read.
    public static func run(
        file: String, keyPath: String, replay: Bool = true, json: Bool = false, recursive: Bool = false
    )
        throws(CommandFailure) -> Outcome
    {
        let hive: RegistryHive
        do {
            hive = try RegistryHive(path: file, logs: replay ? .replay : .ignore)
        } catch {
            throw .couldNotRead("cannot read hive \(file): \(error)")
        }
        let opened = hive.warnings.count
        var outcome = Outcome(
            warnings: hive.warnings.map(\.message), recovery: hive.recovery?.summary, listing: .success(""))
        do {
            outcome.notes = try RegistryQuery.resolve(keyPath, in: hive).notes
            if recursive {
                var lines = ""
                try RegistryQuery.jsonLines(hive, keyPath: keyPath) { lines += $0 }
                outcome.listing = .success(lines)
            } else {
                outcome.listing = .success(
                    json
                        ? try RegistryQuery.json(hive, keyPath: keyPath)
                        : try RegistryQuery.render(hive, keyPath: keyPath))
            }
        } catch {
            outcome.listing = .failure(.damaged("\(error)"))
        }
        outcome.listingWarnings = hive.warnings.dropFirst(opened).map(\.message)
        return outcome
    }
}

/// `hvexclude vmcx FILE`: a VMCX or XML configuration's key tree as JSON.
public enum ConfigInspection {
    /// The configuration's warnings and its key tree as JSON, or why it cannot be written (exit 1).
    /// - Throws: ``CommandFailure/couldNotRead(_:)`` when the file cannot be opened or read (nothing was
    ///   inspected), ``CommandFailure/damaged(_:)`` when its content is damaged.
    public static func run(
        file: String
    ) throws(CommandFailure) -> (warnings: [String], json: Result<String, CommandFailure>) {
        let tree: ConfigTree
        do {
            tree = try ConfigTree.read(path: file)
        } catch {
            throw failure(file, error)
        }
        do {
            return (tree.warnings.map(\.message), .success(try ConfigTreeJSON.text(tree)))
        } catch {
            return (tree.warnings.map(\.message), .failure(failure(file, error)))
        }
    }

    /// A file that cannot be opened or read is exit 2 (nothing was inspected), damaged content exit 1.
    static func failure(_ file: String, _ error: any Error) -> CommandFailure {
        if let error = error as? SystemError { return .couldNotRead("\(error)") }
        return .damaged("\(file): \(error)")
    }
}
