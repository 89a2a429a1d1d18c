// The checks every checksummed on-disk structure starts with (VHDX headers and region tables, VMCX headers
// and replay logs), in the order STYLE.md gives: size, then signature, then checksum.

extension ByteReader {
    /// The `size` bytes of the structure starting here, once they are known to be there: the copy its
    /// checksum is computed over.
    /// - Throws: ``BinaryFormatError`` "truncated: needs N bytes but only M remain".
    package func structureBytes(_ size: Int) throws -> [UInt8] {
        guard size >= 0, size <= remaining else {
            throw error("truncated: needs \(size) bytes but only \(remaining) remain")
        }
        return Array(storage[(start + position)..<(start + position + size)])
    }

    /// Reads an ASCII signature (`head`, `regi`) and checks it.
    /// - Throws: ``BinaryFormatError`` `signature is not "head"`, at the signature.
    package mutating func expectSignature(_ text: String) throws {
        let start = position
        guard try bytes(count: text.utf8.count) == Array(text.utf8) else {
            throw error("signature is not \"\(text)\"", at: start)
        }
    }

    /// Reads a little-endian 32-bit signature and checks it.
    /// - Throws: ``BinaryFormatError`` "bad signature 0x… (expected 0x…)", at the signature.
    package mutating func expectSignature(_ value: UInt32) throws {
        let start = position
        let magic = try u32(.little)
        guard magic == value else {
            throw error("bad signature \(hex(magic)) (expected \(hex(value)))", at: start)
        }
    }

    /// Reads a stored little-endian CRC-32 and checks it against `raw` computed with that field zeroed.
    /// - Parameter fieldOffset: the field's offset within `raw` (where this reader stands, relative to the structure).
    /// - Returns: the stored checksum.
    /// - Throws: ``BinaryFormatError`` "checksum mismatch (stored 0x…, computed 0x…)", at the field.
    package mutating func verifiedChecksum(_ crc: CRC32, over raw: [UInt8], fieldAt fieldOffset: Int) throws -> UInt32 {
        let at = position
        let stored = try u32(.little)
        let computed = crc.checksum(raw, zeroingFieldAt: fieldOffset)
        guard computed == stored else {
            throw error("checksum mismatch (stored \(hex(stored)), computed \(hex(computed)))", at: at)
        }
        return stored
    }
}

extension ByteReader {
    /// Checks that the whole buffer holds at least `size` bytes (a sector-sized structure read as one block).
    /// - Throws: ``BinaryFormatError`` "truncated: needs N bytes, got M".
    package func requireBlock(_ size: Int) throws {
        guard count >= size else { throw error("truncated: needs \(size) bytes, got \(count)", at: 0) }
    }

    /// Checks the bytes at fixed offset `offset` of the buffer against `expected` (a signature or OEM id).
    /// - Throws: ``BinaryFormatError`` "no "…" `what`", at the offset.
    package func expectBytes(_ expected: [UInt8], at offset: Int, _ what: String) throws {
        guard offset >= 0, offset + expected.count <= count,
            storage[(start + offset)..<(start + offset + expected.count)].elementsEqual(expected)
        else {
            throw error("no \"\(String(decoding: expected, as: UTF8.self))\" \(what)", at: offset)
        }
    }
}
