/// A strict base64 decoder (RFC 4648 alphabet, `=` padding) for XML `type="bytes"` values.
///
/// Whitespace (space, tab, CR, LF) is skipped, since Hyper-V ends such values with a line break; any other
/// character outside the alphabet, or padding in the wrong place, makes the input invalid.
package enum Base64Decoder {
    /// Decodes `text`; nil when it is not valid base64.
    package static func decode(_ text: String) -> [UInt8]? {
        var sextets: [UInt8] = []
        var padding = 0
        for byte in text.utf8 {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D: continue
            case UInt8(ascii: "="):
                padding += 1
                continue
            default: break
            }
            guard padding == 0, let value = sextet(byte) else { return nil }
            sextets.append(value)
        }
        guard (sextets.count + padding) % 4 == 0, padding <= 2 else { return nil }
        if padding > 0 && sextets.count % 4 != 4 - padding { return nil }
        guard sextets.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(sextets.count * 3 / 4)
        var index = 0
        while index + 4 <= sextets.count {
            let s = sextets[index..<index + 4].map(UInt32.init)
            let word = s[0] << 18 | s[1] << 12 | s[2] << 6 | s[3]
            out += [UInt8(word >> 16 & 0xFF), UInt8(word >> 8 & 0xFF), UInt8(word & 0xFF)]
            index += 4
        }
        let rest = sextets.count - index
        if rest == 2 {
            let word = UInt32(sextets[index]) << 18 | UInt32(sextets[index + 1]) << 12
            out.append(UInt8(word >> 16 & 0xFF))
        } else if rest == 3 {
            let word = UInt32(sextets[index]) << 18 | UInt32(sextets[index + 1]) << 12 | UInt32(sextets[index + 2]) << 6
            out += [UInt8(word >> 16 & 0xFF), UInt8(word >> 8 & 0xFF)]
        }
        return out
    }

    private static func sextet(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }
}
