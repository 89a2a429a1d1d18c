/// Case-insensitive comparison of key and value names, the way Windows compares them.
///
/// Windows upper-cases each UTF-16 unit through a one-to-one table (RtlUpcaseUnicodeChar): characters never
/// expand. We approximate that table with Unicode's upper-case mapping per scalar, taken only when it maps to
/// exactly one scalar — so `ß` stays `ß` (Swift's `uppercased()` would give "SS", which Windows never does).
/// Differences from the real table are limited to rare scripts and Unicode-version drift.
public enum RegistryName {
    /// The name upper-cased per character, never changing its length in characters.
    public static func uppercased(_ name: String) -> String {
        var allASCII = true
        for byte in name.utf8 where byte >= 0x80 { allASCII = false; break }
        if allASCII {
            var bytes = Array(name.utf8)
            for index in bytes.indices where bytes[index] >= 0x61 && bytes[index] <= 0x7A { bytes[index] -= 0x20 }
            return String(decoding: bytes, as: UTF8.self)
        }
        var out = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            let mapping = scalar.properties.uppercaseMapping.unicodeScalars
            if mapping.count == 1, let single = mapping.first {
                out.append(single)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Whether two names are equal ignoring case, Windows-style.
    public static func equal(_ lhs: String, _ rhs: String) -> Bool {
        lhs == rhs || uppercased(lhs) == uppercased(rhs)
    }

    /// Splits a backslash-separated key path into its non-empty components.
    public static func components(of path: String) -> [String] {
        path.split(separator: "\\", omittingEmptySubsequences: true).map(String.init)
    }
}
