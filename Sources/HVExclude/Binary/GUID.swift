/// A 128-bit GUID, stored in the canonical (big-endian, as printed) byte order.
package struct GUID: Hashable, Sendable, Comparable, TextCodable {
    /// The 16 bytes in the order they are printed.
    package let bytes: [UInt8]

    /// The all-zero GUID.
    static let zero = GUID(canonical: [UInt8](repeating: 0, count: 16))

    /// A GUID from bytes already in printed order.
    package init(canonical bytes: [UInt8]) {
        precondition(bytes.count == 16, "a GUID has 16 bytes")
        self.bytes = bytes
    }

    /// A GUID from Microsoft's on-disk layout: the first three fields little-endian, the rest as is.
    package init(mixedEndian raw: [UInt8]) {
        precondition(raw.count == 16, "a GUID has 16 bytes")
        self.bytes = [raw[3], raw[2], raw[1], raw[0], raw[5], raw[4], raw[7], raw[6]] + raw[8..<16]
    }

    /// Parses `XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX`, with or without braces, any case.
    package init?(_ text: some StringProtocol) {
        var hexDigits = Array(text.utf8)
        if hexDigits.first == UInt8(ascii: "{") && hexDigits.last == UInt8(ascii: "}") {
            hexDigits = Array(hexDigits.dropFirst().dropLast())
        }
        guard hexDigits.count == 36 else { return nil }
        for dash in [8, 13, 18, 23] where hexDigits[dash] != UInt8(ascii: "-") { return nil }
        let digits = hexDigits.enumerated().filter { ![8, 13, 18, 23].contains($0.offset) }.map(\.element)
        var out: [UInt8] = []
        out.reserveCapacity(16)
        var index = 0
        while index < 32 {
            guard let high = GUID.nibble(digits[index]), let low = GUID.nibble(digits[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        self.bytes = out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// The mixed-endian on-disk form (inverse of ``init(mixedEndian:)``).
    var mixedEndianBytes: [UInt8] {
        [bytes[3], bytes[2], bytes[1], bytes[0], bytes[5], bytes[4], bytes[7], bytes[6]] + bytes[8..<16]
    }

    /// Whether every byte is zero.
    package var isZero: Bool { bytes.allSatisfy { $0 == 0 } }

    /// Upper-case `8-4-4-4-12` form, as Hyper-V prints VM ids.
    package var description: String {
        let digits = bytes.map { byte -> String in
            let text = String(byte, radix: 16, uppercase: true)
            return text.count == 1 ? "0" + text : text
        }.joined()
        var out = ""
        for (index, character) in digits.enumerated() {
            if [8, 12, 16, 20].contains(index) { out.append("-") }
            out.append(character)
        }
        return out
    }

    /// Byte order, as stored.
    package static func < (lhs: GUID, rhs: GUID) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }

    /// See ``TextCodable/textForm``.
    package static let textForm = "a GUID"

    /// Parses the registry form (``init(_:)``).
    package init?(text: String) { self.init(text) }
}
