/// Renders one key of a hive the way `reg query` prints it, for `hvexclude hive FILE [KEYPATH]`.
///
/// ```
/// SOFTWARE\Microsoft\Windows NT\CurrentVersion\Virtualization
///     DefaultExternalDataRoot    REG_SZ    D:\Hyper-V
///     (Default)    REG_DWORD    0x5
///
/// SOFTWARE\Microsoft\Windows NT\CurrentVersion\Virtualization\Worker
/// ```
/// Data: REG_SZ/REG_EXPAND_SZ as stored (unexpanded), REG_MULTI_SZ joined with `\0`, DWORD/QWORD as `0x…`,
/// everything else as upper-case hex. A NUL inside a name or string is shown as `\0`.
public enum RegistryQuery {
    /// A key path that is not in the hive.
    struct KeyNotFound: Error, Equatable, Sendable, CustomStringConvertible {
        /// The path asked for.
        var path: String
        /// The hive it was looked up in.
        var hive: String
        var description: String { "\(hive): key \"\(path)\" does not exist" }
    }

    /// The text for `keyPath` (default: the root) in `hive`; lines start with `rootName` (default: the file name).
    /// - Throws: ``KeyNotFound`` when the path is absent; ``BinaryFormatError`` for corrupt structures.
    public static func render(_ hive: RegistryHive, keyPath: String = "", rootName: String? = nil) throws -> String {
        guard let key = try hive.key(keyPath) else { throw KeyNotFound(path: keyPath, hive: hive.name) }
        let prefix = ([rootName ?? hive.name] + RegistryName.components(of: keyPath)).joined(separator: "\\")
        var out = prefix + "\n"
        let mountedDevices = RegistryName.components(of: keyPath).last.map { RegistryName.equal($0, "MountedDevices") } ?? false
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
        let units = stride(from: 0, to: raw.count, by: 2).map { UInt16(raw[$0]) | UInt16(raw[$0 + 1]) << 8 }
        let text = String(decoding: units.prefix { $0 != 0 }, as: UTF16.self)
        guard text.hasPrefix("\\"), text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0 != "\u{FFFD}" }) else { return nil }
        return "device \(text)"
    }

    private static func visible(_ text: String) -> String {
        text.contains("\0") ? text.replacingNUL() : text
    }
}

extension String {
    fileprivate func replacingNUL() -> String {
        var out = ""
        for character in self { out += character == "\0" ? "\\0" : String(character) }
        return out
    }
}
