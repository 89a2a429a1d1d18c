// Reference: libyal libregf "Windows NT Registry File (REGF) format", sections 4.3 (lf/lh/li) and 4.4 (ri).
import HVXBinary

/// One subkey list cell: `lf`/`lh` (offset + hash pairs), `li` (offsets) or `ri` (offsets of further lists).
///
/// Offsets are from the start of the cell data:
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 2 | signature `lf`, `lh`, `li` or `ri` |
/// | 2 | 2 | number of entries |
/// | 4 | 8·n (`lf`/`lh`) or 4·n (`li`/`ri`) | entries: u32 cell offset [+ u32 hash] |
///
/// `lf` hashes are the first four name characters; `lh` hashes are h = h·37 + upper(c) over the name.
package struct RegistrySubkeyList: Sendable, Equatable {
    /// The list's kind.
    package enum Kind: String, Sendable {
        /// Fast leaf (name hint).
        case lf
        /// Hash leaf.
        case lh
        /// Index leaf (offsets only).
        case li
        /// Index root (offsets of other lists).
        case ri
    }

    /// The list's kind.
    package var kind: Kind
    /// Cell offsets of keys (or, for `ri`, of further lists).
    var offsets: [UInt32]
    /// Hash per entry (`lh` only; `lf` name hints are not used).
    var hashes: [UInt32]?

    /// Parses a list from its cell data.
    /// - Throws: ``BinaryFormatError`` for an unknown signature or a count running past the cell.
    package init(parsing reader: inout ByteReader) throws {
        guard reader.count >= 4 else {
            throw reader.error("a subkey list needs 4 bytes, the cell holds \(reader.count)", at: 0)
        }
        let signature = try reader.bytes(count: 2)
        switch signature {
        case [0x6C, 0x66]: kind = .lf
        case [0x6C, 0x68]: kind = .lh
        case [0x6C, 0x69]: kind = .li
        case [0x72, 0x69]: kind = .ri
        default:
            throw reader.error(
                "signature is \(RegistryBaseBlock.printable(signature)), expected \"lf\", \"lh\", \"li\" or \"ri\"",
                at: 0)
        }
        let count = Int(try reader.u16(.little))
        let entrySize = kind == .lf || kind == .lh ? 8 : 4
        guard count * entrySize <= reader.remaining else {
            throw reader.error(
                "\(count) entries of \(entrySize) bytes run past the cell (\(reader.remaining) bytes left)", at: 2)
        }
        var offsets: [UInt32] = []
        offsets.reserveCapacity(count)
        var hashes: [UInt32] = []
        for _ in 0..<count {
            offsets.append(try reader.u32(.little))
            if entrySize == 8 { hashes.append(try reader.u32(.little)) }
        }
        self.offsets = offsets
        self.hashes = kind == .lh ? hashes : nil
    }

    /// The `lh` hash of a name already upper-cased the Windows way.
    package static func hash(ofUppercased name: String) -> UInt32 {
        var value: UInt32 = 0
        for unit in name.utf16 { value = value &* 37 &+ UInt32(unit) }
        return value
    }
}
