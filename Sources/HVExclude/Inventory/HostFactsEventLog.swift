// Reference: Microsoft Learn, "Eventlog Key" (SYSTEM CurrentControlSet\Services\EventLog\<log>, value File) and
// "wevtutil set-log /logfilename" (SOFTWARE Microsoft\Windows\CurrentVersion\WINEVT\Channels\<channel>, value File).
import HVXBinary
import HVXFormats

extension HostFacts {
    /// Where the registry puts one event log's file, when it names one (the default is
    /// `%SystemRoot%\System32\winevt\Logs\<channel, '/' as %4>.evtx`).
    package struct EventLogFile: Sendable, Equatable {
        /// The channel or log, as the key is named (`Microsoft-Windows-Hyper-V-VMMS-Admin`).
        package var channel: String
        /// The `File` value as stored, usually REG_EXPAND_SZ with `%SystemRoot%`.
        package var raw: String
        /// Hive, key and value it came from.
        package var source: Source
    }

    /// The channels' configuration in SOFTWARE (crimson channels: Hyper-V's, Defender's).
    static let eventLogChannelsKey = "Microsoft\\Windows\\CurrentVersion\\WINEVT\\Channels"

    /// Adds the `File` value of every subkey of `keyPath` that has one. A subkey without `File` uses the default
    /// location; an unreadable subkey or a `File` that is not a string is a warning.
    mutating func readEventLogFiles(_ hive: RegistryHive, name: String, at keyPath: String) {
        let children: [RegistryKey]
        do {
            guard let parent = try hive.key(keyPath) else { return }
            children = try hive.subkeys(of: parent)
        } catch {
            warnings.append("\(name): could not read \(keyPath): \(error); event log locations there are unknown")
            return
        }
        for child in children {
            let key = keyPath + "\\" + child.name
            do {
                guard let value = try hive.value("File", of: child) else { continue }
                guard let text = value.stringValue, !text.isEmpty else {
                    warnings.append(
                        "\(name): \(key)\\File has type \(value.type.name) or is empty, not a path; the default log location is used"
                    )
                    continue
                }
                eventLogFiles.append(
                    EventLogFile(
                        channel: child.name, raw: text, source: Source(hive: name, key: key, value: value.name)))
            } catch {
                warnings.append("\(name): could not read \(key)\\File: \(error)")
            }
        }
    }

    /// The configured files of `channel` (NTFS-style case-insensitive), SOFTWARE's channel configuration first.
    package func eventLogFiles(of channel: String) -> [EventLogFile] {
        let wanted = NTFSName.fold(channel)
        return eventLogFiles.filter { NTFSName.fold($0.channel) == wanted }
    }
}
