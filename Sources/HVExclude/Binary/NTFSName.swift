/// The one case-insensitive comparison of names and paths, with NTFS semantics: NTFS (and the registry)
/// compare names by upper-casing each character through the volume's `$UpCase` table.
public enum NTFSName {
    /// `text` folded for comparison and hashing.
    public static func fold(_ text: some StringProtocol) -> String {
        text.uppercased()
    }

    /// Whether two names are equal ignoring case.
    public static func equal(_ lhs: some StringProtocol, _ rhs: some StringProtocol) -> Bool {
        lhs.elementsEqual(rhs) || fold(lhs) == fold(rhs)
    }

    /// Whether `text` ends with `suffix`, ignoring case (`.VHDX`, `.vmcx`).
    public static func hasSuffix(_ text: some StringProtocol, _ suffix: some StringProtocol) -> Bool {
        fold(text).hasSuffix(fold(suffix))
    }

    /// Whether `text` starts with `prefix`, ignoring case.
    public static func hasPrefix(_ text: some StringProtocol, _ prefix: some StringProtocol) -> Bool {
        fold(text).hasPrefix(fold(prefix))
    }
}
