/// A case-insensitive file-extension test on raw name bytes, for ``DirectoryWalker``'s match predicate.
///
/// Extensions are ASCII (`vhdx`, `avhdx`, `vmcx`…), so comparing ASCII-lowered bytes is exact and needs
/// no `String` per entry.
package struct ExtensionMatcher: Sendable {
    private let extensions: [[UInt8]]
    private let longest: Int

    /// Creates a matcher for extensions given with or without the dot (`"vhdx"`, `".VHDX"`).
    package init<S: Sequence>(_ extensions: S) where S.Element == String {
        let lowered = extensions.map { text -> [UInt8] in
            let bytes = Array(text.utf8)
            let trimmed = bytes.first == UInt8(ascii: ".") ? Array(bytes.dropFirst()) : bytes
            return trimmed.map(Self.lower)
        }.filter { !$0.isEmpty }
        self.extensions = lowered
        self.longest = lowered.map(\.count).max() ?? 0
    }

    /// Whether `name` ends in `.` + one of the extensions (any case); a name that is only the extension
    /// (`.vhdx`) counts too, as Windows treats it.
    package func matches(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = name.count
        var dot = count - 1
        let stop = max(0, count - longest - 1)
        while dot >= stop, name[dot] != UInt8(ascii: ".") { dot -= 1 }
        guard dot >= stop, dot >= 0 else { return false }
        let length = count - dot - 1
        candidates: for candidate in extensions where candidate.count == length {
            for index in 0..<length where Self.lower(name[dot + 1 + index]) != candidate[index] {
                continue candidates
            }
            return true
        }
        return false
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }
}
