import HVXFormats

extension HostFacts {
    /// A dirty hive whose transaction logs were applied in memory before its facts were read (the evidence that
    /// the facts are what Windows would see, not the stale file).
    package struct LogReplay: Codable, Sendable, Equatable {
        /// The hive's file name ("SYSTEM").
        package var hive: String
        /// "replayed 3 log entries from SYSTEM.LOG1 (to sequence 812)".
        package var summary: String
        /// The logs applied, in order.
        package var logs: [String]
        /// Log entries (or, for the old format, dirty pages) applied.
        package var count: Int

        package init?(_ hive: RegistryHive, name: String) {
            guard let recovery = hive.recovery else { return nil }
            self.hive = name
            summary = recovery.summary
            logs = recovery.logs
            count = recovery.count
        }
    }

    /// Records `hive`'s log replay, if it had one.
    mutating func noteReplay(_ hive: RegistryHive, name: String) {
        guard let replay = LogReplay(hive, name: name) else { return }
        logReplays = (logReplays ?? []) + [replay]
    }
}
