// Reference: MS-XCA 2.5 (LZNT1 algorithm details); libyal libfwnt "LZNT1 compression method".
import HVXBinary

/// LZNT1 decompression, as NTFS stores compressed files: the data is cut into 4 KiB chunks, each with a
/// 2-byte header.
///
/// | bits of the chunk header | meaning |
/// |---|---|
/// | 0–11 | chunk size − 3 (header included) |
/// | 12–14 | signature 3 |
/// | 15 | 1 = compressed, 0 = the 4096 bytes are stored as is |
///
/// A compressed chunk is a run of groups: a flag byte, then eight tokens, bit i clear = one literal byte, set =
/// a 2-byte back-reference whose split between offset and length bits depends on how far into the chunk the
/// output is (the further, the more offset bits).
package enum LZNT1 {
    /// Uncompressed chunk size.
    static let chunkSize = 4096

    /// Decompresses `input`, producing at most `limit` bytes (a compression unit).
    /// - Throws: ``BinaryFormatError`` for a back-reference before the chunk start or a chunk past the input.
    static func decompress(_ input: ArraySlice<UInt8>, limit: Int) throws -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(limit)
        var position = input.startIndex
        let reader = ByteReader(Array(input), structure: "LZNT1 chunk")
        func u16(_ at: Int) throws -> Int { Int(try reader.u16(at: at - input.startIndex, .little)) }
        func fail(_ message: String) -> BinaryFormatError {
            BinaryFormatError("LZNT1 chunk", at: UInt64(position - input.startIndex), message)
        }
        while position + 2 <= input.endIndex, output.count < limit {
            let header = try u16(position)
            if header == 0 { break }
            let size = (header & 0x0FFF) + 1  // data bytes after the header
            let start = position + 2
            guard start + size <= input.endIndex else { throw fail("chunk of \(size) bytes runs past the data") }
            let chunkStart = output.count
            if header & 0x8000 == 0 {
                output.append(contentsOf: input[start..<(start + size)])
            } else {
                var index = start
                let end = start + size
                while index < end {
                    let flags = input[index]
                    index += 1
                    for bit in 0..<8 where index < end {
                        if flags & (1 << bit) == 0 {
                            output.append(input[index])
                            index += 1
                        } else {
                            guard index + 1 < end else { throw fail("back-reference cut off at the chunk end") }
                            let token = try u16(index)
                            index += 2
                            var lengthBits = 12
                            var used = output.count - chunkStart - 1
                            while used >= 0x10 && lengthBits > 4 {
                                lengthBits -= 1
                                used >>= 1
                            }
                            let distance = (token >> lengthBits) + 1
                            let length = (token & ((1 << lengthBits) - 1)) + 3
                            guard distance <= output.count - chunkStart else {
                                throw fail("back-reference \(distance) bytes before the chunk start")
                            }
                            guard output.count - chunkStart + length <= chunkSize else {
                                throw fail("back-reference past the 4 KiB chunk")
                            }
                            let from = output.count - distance
                            for offset in 0..<length { output.append(output[from + offset]) }
                        }
                    }
                }
                guard output.count - chunkStart <= chunkSize else { throw fail("chunk decompresses past 4 KiB") }
            }
            position = start + size
        }
        if output.count > limit { output.removeSubrange(limit...) }
        return output
    }
}
