extension HostFacts {
    /// Defender exclusions configured on the host: local preferences and Group Policy, kept apart.
    struct Defender: Codable, Sendable, Equatable {
        /// `Microsoft\Windows Defender\Exclusions` (Set-MpPreference); nil when the key is absent.
        var preferences: ExclusionSet?
        /// `Policies\Microsoft\Windows Defender\Exclusions` (Group Policy); nil when the key is absent.
        var policies: ExclusionSet?
    }

    /// One Exclusions key: the value NAMES under Paths/Extensions/Processes are the excluded items.
    struct ExclusionSet: Codable, Sendable, Equatable {
        /// Excluded paths, exactly as named (wildcards and environment forms untouched).
        var paths: [Fact<String>]
        /// Excluded extensions, exactly as named.
        var extensions: [Fact<String>]
        /// Excluded processes, exactly as named.
        var processes: [Fact<String>]
        /// `DisableAutoExclusions` when present (1 = the built-in Hyper-V auto exclusions are off).
        var disableAutoExclusions: Fact<UInt32>?

        static func read(_ hive: RegistryHive, at keyPath: String, into warnings: inout [String]) -> ExclusionSet? {
            let root: RegistryKey?
            do { root = try hive.key(keyPath) } catch {
                warnings.append("\(hive.name): could not read \(keyPath): \(error)")
                return nil
            }
            guard let root else { return nil }
            var set = ExclusionSet(paths: [], extensions: [], processes: [], disableAutoExclusions: nil)
            do {
                if let value = try hive.value("DisableAutoExclusions", of: root), let number = value.integerValue {
                    set.disableAutoExclusions = Fact(
                        UInt32(truncatingIfNeeded: number),
                        source: Source(hive: hive.name, key: keyPath, value: value.name))
                }
            } catch {
                warnings.append("\(hive.name): could not read \(keyPath)\\DisableAutoExclusions: \(error)")
            }
            for kind in ["Paths", "Extensions", "Processes"] {
                let path = keyPath + "\\" + kind
                do {
                    guard let key = try hive.subkey(kind, of: root) else { continue }
                    let items = try hive.values(of: key).map {
                        Fact($0.name, source: Source(hive: hive.name, key: path, value: $0.name))
                    }
                    switch kind {
                    case "Paths": set.paths = items
                    case "Extensions": set.extensions = items
                    default: set.processes = items
                    }
                } catch {
                    warnings.append("\(hive.name): could not read \(path): \(error)")
                }
            }
            return set
        }
    }
}
