/// Helpers for file names as the kernel returns them: bytes that need not be valid UTF-8.
package enum RawName {
    /// Whether `bytes` are valid UTF-8 (an ASCII-only fast path first: nearly every name on a Windows volume).
    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var ascii = true
        for byte in bytes where byte >= 0x80 {
            ascii = false
            break
        }
        if ascii { return true }
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    /// `bytes` as text, with each byte that is not part of valid UTF-8 written as `\xHH` (upper-case hex);
    /// valid text, backslashes included, is kept as is. Reversible except where a name itself contains
    /// the four characters `\xHH`.
    package static func escaped<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let array = Array(bytes)
        var output = ""
        var position = 0
        var iterator = array.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                output.unicodeScalars.append(Unicode.UTF8.decode(encoded))
                position += encoded.count
            case .error(let length):
                for byte in array[position..<position + length] {
                    output +=
                        "\\x" + String(byte >> 4, radix: 16, uppercase: true)
                        + String(byte & 0xF, radix: 16, uppercase: true)
                }
                position += length
            case .emptyInput:
                return output
            }
        }
    }
}
