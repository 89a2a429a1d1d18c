import HVXFormats

extension HostFacts {
    /// Where a fact was read: the hive's file name, the key path inside it, and the value name.
    package struct Source: Codable, Sendable, Equatable, Hashable {
        /// Hive file name ("SOFTWARE", "SYSTEM", "CLUSDB").
        package var hive: String
        /// Backslash key path below the hive root.
        package var key: String
        /// Value name, when the fact is one value (nil when it is the key itself; "" is the default value).
        package var value: String?
    }

    /// One value read from a hive, with where it came from.
    package struct Fact<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
        /// The value as read.
        package var value: Value
        /// Where it was read.
        package var source: Source

        /// Creates a fact.
        package init(_ value: Value, source: Source) {
            self.value = value
            self.source = source
        }
    }

    /// A path-valued setting kept exactly as stored, with its type and, when possible, its expanded form.
    package struct PathFact: Codable, Sendable, Equatable {
        /// The text as stored (REG_EXPAND_SZ left unexpanded).
        package var raw: String
        /// The stored type (REG_SZ or REG_EXPAND_SZ, or whatever the host wrote).
        package var type: RegistryValueType
        /// The text with `%VAR%` forms replaced from the hive's own facts; nil when a variable is unknown.
        package var expanded: String?
        /// Where it was read.
        package var source: Source

        /// Creates a path fact.
        package init(raw: String, type: RegistryValueType, expanded: String?, source: Source) {
            self.raw = raw
            self.type = type
            self.expanded = expanded
            self.source = source
        }
    }
}
