/// The one case-insensitive comparison of names and paths, with NTFS semantics, used for file names, paths,
/// registry key and value names and configuration keys alike.
///
/// NTFS (`$UpCase`) and the registry (RtlUpcaseUnicodeChar) upper-case each UTF-16 unit through a one-to-one
/// table: characters never expand. We approximate that table with Unicode's upper-case mapping per scalar,
/// taken only when it maps to exactly one scalar — so `ß` stays `ß` (Swift's `uppercased()` gives "SS", which
/// would make `Straße` and `STRASSE` one name; on NTFS they are two). Differences from the real table are
/// limited to rare scripts and Unicode-version drift.
package enum NTFSName {
    /// `text` folded for comparison and hashing (a substring is folded as a string).
    @inlinable package static func fold(_ text: some StringProtocol) -> String { fold(String(text)) }

    /// `text` folded for comparison and hashing: upper-cased per character, never changing its length.
    ///
    /// Concrete, not generic: the layers above call it across a module boundary, where a generic body would run
    /// unspecialized (its string iteration through witness tables cost a tenth of a host-folder scan).
    package static func fold(_ text: String) -> String {
        var allASCII = true
        for byte in text.utf8 where byte >= 0x80 { allASCII = false; break }
        if allASCII {
            var bytes = Array(text.utf8)
            for index in bytes.indices where bytes[index] >= 0x61 && bytes[index] <= 0x7A { bytes[index] -= 0x20 }
            return String(decoding: bytes, as: UTF8.self)
        }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let mapping = scalar.properties.uppercaseMapping.unicodeScalars
            if mapping.count == 1, let single = mapping.first {
                out.append(single)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Whether two names are equal ignoring case.
    @inlinable package static func equal(_ lhs: some StringProtocol, _ rhs: some StringProtocol) -> Bool {
        lhs.elementsEqual(rhs) || fold(lhs) == fold(rhs)
    }

    /// Whether `text` ends with `suffix`, ignoring case (`.VHDX`, `.vmcx`).
    @inlinable package static func hasSuffix(_ text: some StringProtocol, _ suffix: some StringProtocol) -> Bool {
        fold(text).hasSuffix(fold(suffix))
    }

    /// Whether `text` starts with `prefix`, ignoring case.
    @inlinable package static func hasPrefix(_ text: some StringProtocol, _ prefix: some StringProtocol) -> Bool {
        fold(text).hasPrefix(fold(prefix))
    }
}
