/// A structure on disk that does not hold what its format promises.
///
/// The message names the structure, the absolute file offset and what was wrong, e.g.
/// "VHDX region table at 0x30000: checksum mismatch (stored 0x1234ABCD, computed 0x0BADF00D)".
package struct BinaryFormatError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The on-disk structure being read ("VHDX header 1", "regf base block").
    package var structure: String
    /// Absolute file offset of the structure or field that failed.
    package var offset: UInt64
    /// What was wrong, in words.
    package var message: String

    /// Creates an error for `structure` at absolute `offset`.
    package init(_ structure: String, at offset: UInt64, _ message: String) {
        self.structure = structure
        self.offset = offset
        self.message = message
    }

    /// "structure at 0xOFFSET: message".
    package var description: String {
        "\(structure) at \(hex(offset)): \(message)"
    }
}

/// `0x`-prefixed upper-case hexadecimal, the way offsets and checksums are printed in messages.
@inlinable
package func hex<T: BinaryInteger>(_ value: T) -> String {
    "0x" + String(value, radix: 16, uppercase: true)
}
