import FoundationEssentials
import HVXBinary
import HVXFormats

/// Renders one key of a hive for people, the way `reg query` prints it, or as JSON — for `hvexclude hive FILE
/// [KEYPATH]`.
///
/// ```
/// SOFTWARE\Microsoft\Windows NT\CurrentVersion\Virtualization
///     DefaultExternalDataRoot    REG_SZ    D:\Hyper-V
///     (Default)    REG_DWORD    0x5
///
/// SOFTWARE\Microsoft\Windows NT\CurrentVersion\Virtualization\Worker
/// ```
/// Key paths may be written as Windows shows them: `HKLM\SOFTWARE\…`, `HKEY_LOCAL_MACHINE\SYSTEM\…`, and
/// `CurrentControlSet` (resolved through `Select\Current`, as Windows does at boot).
///
/// Data: REG_SZ/REG_EXPAND_SZ as stored (unexpanded), REG_MULTI_SZ items joined with `\0`, DWORD/QWORD as `0x…`,
/// everything else as upper-case hex. Names and text are printed unambiguously: a newline, carriage return, tab
/// and NUL become `\n`, `\r`, `\t`, `\0`, other control characters and trailing spaces `\xHH`, and a backslash
/// that would read as one of these escapes is doubled (`C:\new` prints as `C:\\new`; `C:\Windows` stays).
package enum RegistryQuery {
    /// A key path that is not in the hive.
    package struct KeyNotFound: Error, Equatable, Sendable, CustomStringConvertible {
        /// The path asked for.
        package var path: String
        /// The hive it was looked up in.
        package var hive: String
        package var description: String { "\(hive): key \"\(path)\" does not exist" }
    }

    /// A key path as given, resolved to a path inside the hive.
    package struct ResolvedPath: Sendable, Equatable {
        /// The components below the hive's root.
        package var components: [String]
        /// Notes for the user (the control set `CurrentControlSet` stood for, a root name that is not this hive's).
        package var notes: [String]
    }

    /// Root key names Windows shows for the machine hive.
    static let machineRoots = ["HKLM", "HKEY_LOCAL_MACHINE", "HKLM:", "Registry::HKEY_LOCAL_MACHINE"]

    /// Resolves `keyPath`: strips `HKLM\<HIVE>\` (or `HKEY_LOCAL_MACHINE\…`) and replaces a leading
    /// `CurrentControlSet` with the control set `Select\Current` names.
    /// - Throws: ``BinaryFormatError`` when `Select` cannot be read.
    package static func resolve(_ keyPath: String, in hive: RegistryHive) throws -> ResolvedPath {
        var parts = RegistryName.components(of: keyPath)
        var notes: [String] = []
        if let first = parts.first, machineRoots.contains(where: { RegistryName.equal($0, first) }) {
            parts.removeFirst()
            if let hiveName = parts.first {
                parts.removeFirst()
                let fileStem = hive.name.split(separator: ".").first.map(String.init) ?? hive.name
                if !RegistryName.equal(hiveName, fileStem) {
                    notes.append("\(keyPath) names the \(hiveName) hive; reading it in \(hive.name) anyway")
                }
            }
        }
        if let first = parts.first, RegistryName.equal(first, "CurrentControlSet") {
            guard let current = try hive.value("Current", at: "Select")?.integerValue, current > 0, current < 1000
            else {
                throw KeyNotFound(path: keyPath + " (no Select\\Current to resolve CurrentControlSet)", hive: hive.name)
            }
            let digits = String(current)
            let name = "ControlSet" + String(repeating: "0", count: max(0, 3 - digits.count)) + digits
            parts[0] = name
            notes.append("CurrentControlSet is \(name) (Select\\Current = \(current))")
        }
        return ResolvedPath(components: parts, notes: notes)
    }

    /// The text for `keyPath` (default: the root) in `hive`; lines start with `rootName` (default: the file name).
    /// - Throws: ``KeyNotFound`` when the path is absent; ``BinaryFormatError`` for corrupt structures.
    package static func render(_ hive: RegistryHive, keyPath: String = "", rootName: String? = nil) throws -> String {
        let resolved = try resolve(keyPath, in: hive)
        let path = resolved.components.joined(separator: "\\")
        guard let key = try hive.key(path) else { throw KeyNotFound(path: keyPath, hive: hive.name) }
        let prefix = ([rootName ?? hive.name] + resolved.components).map(visible).joined(separator: "\\")
        var out = prefix + "\n"
        let mountedDevices = resolved.components.last.map { RegistryName.equal($0, "MountedDevices") } ?? false
        for value in try hive.values(of: key) {
            let name = value.isDefault ? "(Default)" : visible(value.name)
            var line = "    \(name)    \(value.type.name)    \(dataText(value))"
            if mountedDevices, let decoded = mountedDeviceText(value) { line += "    (\(decoded))" }
            out += line + "\n"
        }
        let subkeys = try hive.subkeys(of: key)
        if !subkeys.isEmpty { out += "\n" }
        for subkey in subkeys { out += prefix + "\\" + visible(subkey.name) + "\n" }
        return out
    }

    /// The key as JSON: `{"path", "hive", "lastWritten", "values": [{"name", "type", "data"}], "subkeys": [...]}`.
    /// Data is typed: strings, an array for REG_MULTI_SZ, numbers for DWORD/QWORD, upper-case hex for the rest.
    /// Names and text are exact (JSON escapes what needs escaping).
    /// - Throws: as ``render(_:keyPath:rootName:)``.
    package static func json(_ hive: RegistryHive, keyPath: String = "") throws -> String {
        let resolved = try resolve(keyPath, in: hive)
        let path = resolved.components.joined(separator: "\\")
        guard let key = try hive.key(path) else { throw KeyNotFound(path: keyPath, hive: hive.name) }
        let listing = KeyListing(
            hive: hive.name, path: path, values: try hive.values(of: key).map(ValueListing.init),
            subkeys: try hive.subkeys(of: key).map(\.name), replayed: hive.recovery?.summary)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(listing), as: UTF8.self) + "\n"
    }

    /// Every key from `keyPath` (default: the root) down, depth first, as JSON lines handed to `emit` one at a
    /// time (`hvexclude hive FILE --recursive`): `{"path":"A\\B","values":[{"data":…,"name":…,"type":…}]}`,
    /// keys sorted, the path relative to the hive's root. Data is typed as in ``json(_:keyPath:)``. Damage met on
    /// the way (an unreadable subkey entry, value or list) is skipped with a warning in the hive's warnings, and the
    /// walk goes on. Returns the number of keys emitted.
    /// - Throws: ``KeyNotFound`` when the path is absent; ``BinaryFormatError`` when the starting key is unreadable.
    @discardableResult
    package static func jsonLines(_ hive: RegistryHive, keyPath: String = "", emit: (String) -> Void) throws -> Int {
        let resolved = try resolve(keyPath, in: hive)
        guard let start = try hive.key(resolved.components.joined(separator: "\\")) else {
            throw KeyNotFound(path: keyPath, hive: hive.name)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var count = 0
        try hive.walk(from: start) { path, key in
            let line = KeyLine(
                path: (resolved.components + path).joined(separator: "\\"),
                values: hive.readableValues(of: key).map(ValueListing.init))
            emit(String(decoding: try encoder.encode(line), as: UTF8.self) + "\n")
            count += 1
        }
        return count
    }

    /// The data column of one value.
    static func dataText(_ value: RegistryValue) -> String {
        switch value.data {
        case .string(let text), .expandString(let text): return visible(text)
        case .multiString(let items): return items.map(visible).joined(separator: "\\0")
        case .dword(let number): return "0x" + String(number, radix: 16)
        case .qword(let number): return "0x" + String(number, radix: 16)
        case .binary(let bytes), .none(let bytes), .raw(let bytes):
            return bytes.map(RegistryBaseBlock.hexByte).joined()
        }
    }

    /// What a `MountedDevices` value's data names, in words: the GPT partition GUID, the MBR disk signature and
    /// partition offset, or the device path a UTF-16 value holds; nil when it is none of these.
    static func mountedDeviceText(_ value: RegistryValue) -> String? {
        let device = HostFacts.MountedDevice(value: value, source: HostFacts.Source(hive: "", key: "MountedDevices"))
        if let guid = device.partitionGUID { return "GPT partition GUID \(guid)" }
        if let signature = device.diskSignature, let offset = device.partitionOffset {
            return "MBR disk signature \(hex(signature)), partition offset \(offset) (\(hex(offset)))"
        }
        let raw = value.raw
        guard raw.count >= 4, raw.count % 2 == 0 else { return nil }
        let text = UTF16Text.decode(raw, .little, stopAtNUL: true)
        guard text.hasPrefix("\\"), text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0 != "\u{FFFD}" }) else {
            return nil
        }
        return "device \(text)"
    }

    /// `text` with every character that would be invisible or ambiguous on a terminal escaped.
    static func visible(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var trailing = scalars.count
        while trailing > 0, scalars[trailing - 1] == " " { trailing -= 1 }
        var out = ""
        for (index, scalar) in scalars.enumerated() {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\0": out += "\\0"
            case "\\":
                let next = index + 1 < scalars.count ? scalars[index + 1] : nil
                out += next.map { "nrt0x\\".unicodeScalars.contains($0) } == true ? "\\\\" : "\\"
            case " " where index >= trailing: out += "\\x20"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + RegistryBaseBlock.hexByte(UInt8(scalar.value))
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    private struct KeyListing: Encodable {
        package var hive: String
        package var path: String
        package var values: [ValueListing]
        package var subkeys: [String]
        package var replayed: String?
    }

    private struct KeyLine: Encodable {
        var path: String
        var values: [ValueListing]
    }

    private struct ValueListing: Encodable {
        package var name: String
        package var type: String
        package var data: Data

        package enum Data: Encodable {
            case text(String)
            case list([String])
            case number(UInt64)

            package func encode(to encoder: Encoder) throws {
                var container = encoder.singleValueContainer()
                switch self {
                case .text(let text): try container.encode(text)
                case .list(let items): try container.encode(items)
                case .number(let number): try container.encode(number)
                }
            }
        }

        package init(_ value: RegistryValue) {
            name = value.name
            type = value.type.name
            switch value.data {
            case .string(let text), .expandString(let text): data = .text(text)
            case .multiString(let items): data = .list(items)
            case .dword(let number): data = .number(UInt64(number))
            case .qword(let number): data = .number(number)
            case .binary(let bytes), .none(let bytes), .raw(let bytes):
                data = .text(bytes.map(RegistryBaseBlock.hexByte).joined())
            }
        }
    }
}
