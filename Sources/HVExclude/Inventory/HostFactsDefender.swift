// Reference: Microsoft Learn (MicrosoftDocs/defender-docs) defender-endpoint/troubleshoot-settings.md — where each
// management tool writes Defender's settings (local: Microsoft\Windows Defender; Group Policy and security settings
// management: Policies\Microsoft\Windows Defender; MDM: …\Windows Defender\Policy Manager); MicrosoftDocs/
// windows-itpro-docs policy-csp-defender.md (ExcludedPaths/Extensions/Processes: one string, items separated by |).
import HVXFormats

extension HostFacts {
    /// Defender's configuration as the host holds it: exclusions from every source kept apart, the switches that
    /// decide which of them apply, and whether Defender is the engine that scans at all.
    package struct Defender: Codable, Sendable, Equatable {
        /// `Microsoft\Windows Defender\Exclusions` (Set-MpPreference); nil when the key is absent.
        package var preferences: ExclusionSet?
        /// `Policies\Microsoft\Windows Defender\Exclusions` (Group Policy, security settings management); nil when absent.
        package var policies: ExclusionSet?
        /// `Policies\Microsoft\Windows Defender\Policy Manager` `ExcludedPaths|Extensions|Processes` (MDM: Intune,
        /// tenant attach); nil when none of the three values exists.
        package var mdm: ExclusionSet? = nil
        /// `DisableLocalAdminMerge` (policy or MDM): 1 = local preference exclusions do not apply.
        package var disableLocalAdminMerge: Fact<UInt32>? = nil
        /// `HideExclusionsFromLocalAdmins` (policy or MDM): 1 = exclusions are hidden, so what is configured cannot
        /// be fully known from a copy of the registry.
        package var hideExclusionsFromLocalAdmins: Fact<UInt32>? = nil
        /// Whether Defender is installed, active, passive or disabled, with the evidence.
        package var state: DefenderState? = nil

        /// Whether local preference exclusions are ignored (`DisableLocalAdminMerge` = 1).
        package var localPreferencesIgnored: Bool { disableLocalAdminMerge?.value == 1 }
    }

    /// One Exclusions key: the value NAMES under Paths/Extensions/Processes are the excluded items.
    package struct ExclusionSet: Codable, Sendable, Equatable {
        /// Excluded paths, exactly as named (wildcards and environment forms untouched).
        package var paths: [Fact<String>]
        /// Excluded extensions, exactly as named.
        package var extensions: [Fact<String>]
        /// Excluded processes, exactly as named.
        package var processes: [Fact<String>]
        /// `DisableAutoExclusions` when present (1 = the built-in Hyper-V auto exclusions are off).
        package var disableAutoExclusions: Fact<UInt32>?

        /// Reads the MDM form: three REG_SZ values under `keyPath`, each a `|`-separated list.
        static func readMDM(_ hive: RegistryHive, at keyPath: String, into warnings: inout [String]) -> ExclusionSet? {
            let key: RegistryKey?
            do { key = try hive.key(keyPath) } catch {
                warnings.append("\(hive.name): could not read \(keyPath): \(error)")
                return nil
            }
            guard let key else { return nil }
            var set = ExclusionSet(paths: [], extensions: [], processes: [], disableAutoExclusions: nil)
            var found = false
            for name in ["ExcludedPaths", "ExcludedExtensions", "ExcludedProcesses"] {
                do {
                    guard let value = try hive.value(name, of: key) else { continue }
                    found = true
                    guard let text = value.stringValue else {
                        warnings.append(
                            "\(hive.name): \(keyPath)\\\(name) has type \(value.type.name), not a string; ignored")
                        continue
                    }
                    let items = text.split(separator: "|").map { $0.trimmingBlanks() }.filter { !$0.isEmpty }.map {
                        Fact($0, source: Source(hive: hive.name, key: keyPath, value: value.name))
                    }
                    switch name {
                    case "ExcludedPaths": set.paths = items
                    case "ExcludedExtensions": set.extensions = items
                    default: set.processes = items
                    }
                } catch {
                    warnings.append("\(hive.name): could not read \(keyPath)\\\(name): \(error)")
                }
            }
            return found ? set : nil
        }

        package static func read(
            _ hive: RegistryHive, at keyPath: String, into warnings: inout [String]
        ) -> ExclusionSet? {
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

extension Substring {
    /// The text without leading and trailing spaces and tabs (MDM lists are often written "a | b").
    fileprivate func trimmingBlanks() -> String {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return String(text)
    }
}
