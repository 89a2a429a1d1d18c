// Reference: Niels Ferguson and Reid Borsuk, "Marvin32" (Microsoft's string hash, as in .NET's Marvin.cs);
// its use in hive logs: msuhanov/regf "Windows registry file format specification", "New format", notes 1–3.

/// Marvin32, the 64-bit keyed hash Windows writes into each hive log entry (`HvLE` Hash-1 and Hash-2).
package enum Marvin32 {
    /// The seed of hive log entries (bytes 82 EF 4D 88 7A 4E 55 C5, read as one big-endian number).
    static let hiveLogSeed: UInt64 = 0x82EF_4D88_7A4E_55C5

    /// The hash of `bytes` with `seed`.
    package static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = hiveLogSeed) -> UInt64 {
        var low = UInt32(truncatingIfNeeded: seed)
        var high = UInt32(truncatingIfNeeded: seed >> 32)
        let whole = bytes.count / 4
        var index = 0
        // The mixing rounds are written out (not a nested function) so the optimiser keeps both halves in registers.
        while index < whole {
            low &+= UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: index &* 4, as: UInt32.self))
            high ^= low
            low = (low << 20 | low >> 12) &+ high
            high = (high << 9 | high >> 23) ^ low
            low = (low << 27 | low >> 5) &+ high
            high = high << 19 | high >> 13
            index &+= 1
        }
        // The tail (0–3 bytes) is padded with a single 0x80 byte, then one more round of zero.
        let tail = bytes.count - whole * 4
        var final: UInt32 = 0x80
        for position in (0..<tail).reversed() {
            final = final << 8 | UInt32(bytes[whole * 4 + position])
        }
        for value in [final, 0] {
            low &+= value
            high ^= low
            low = (low << 20 | low >> 12) &+ high
            high = (high << 9 | high >> 23) ^ low
            low = (low << 27 | low >> 5) &+ high
            high = high << 19 | high >> 13
        }
        return UInt64(high) << 32 | UInt64(low)
    }

    /// The hash of `bytes[range]`.
    package static func hash(_ bytes: [UInt8], _ range: Range<Int>, seed: UInt64 = hiveLogSeed) -> UInt64 {
        bytes.withUnsafeBytes { raw in hash(UnsafeRawBufferPointer(rebasing: raw[range]), seed: seed) }
    }
}
