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
        for value in try hive.values(of: key) {
            let name = value.isDefault ? "(Default)" : visible(value.name)
            out += "    \(name)    \(value.type.name)    \(dataText(value))\n"
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
