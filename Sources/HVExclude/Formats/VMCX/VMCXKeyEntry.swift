// Reference: FORMATS.md "VMCX" (HyperVStorageKeyTableEntryHeader)
import HVXBinary

/// One entry of a key table: a key name, its parent reference and its value.
///
/// | off | size | field |
/// |-----|------|-------|
/// | 0  | 2 | low byte: value type; high byte: flags (0x01 = value lives in a file object) |
/// | 2  | 4 | entry size (0 ends the table) |
/// | 6  | 2 | parent table index (0 = top level) |
/// | 8  | 4 | parent entry offset from the parent table's start |
/// | 12 | 4 | CRC-32 (IEEE) of header + name + value with this field zeroed |
/// | 16 | 4 | insertion sequence (order among siblings) |
/// | 20 | 1 | data offset: the name's length with its NUL |
/// | 21 | n | name, UTF-8 + NUL; the value follows at 21 + data offset |
///
/// Values: 3 Int (i64), 4 UInt (u64), 5 Double, 6 String (u32 byte length + UTF-16LE), 7 Array (u32 length +
/// bytes), 8 Bool (u32), 9 Node (8 unknown bytes + u32 next child sequence). With flag 0x01 the value is a u32
/// size and a u64 absolute offset of a file object.
package struct VMCXKeyEntry: Sendable, Equatable {
    /// Size of the fixed header.
    package static let headerSize = 21
    /// Type code of a free (deleted) entry.
    static let freeType: UInt8 = 1
    /// Flag: the value lives in a file object.
    static let fileObjectFlag: UInt8 = 0x01

    /// Where the value bytes are.
    package enum Payload: Sendable, Equatable {
        /// The value bytes inside the entry (length prefix already removed for strings and arrays).
        case inline([UInt8])
        /// A value stored in a file object: `size` bytes at absolute `offset`.
        case fileObject(size: UInt32, offset: UInt64)
    }

    /// Index of the table holding the entry.
    var tableIndex: UInt16
    /// Offset of the entry from its table's start (what children's parent offsets refer to).
    package var offset: UInt32
    /// Absolute file offset of the entry.
    var absoluteOffset: UInt64
    /// Value type code (low byte of the first field).
    package var type: UInt8
    /// Flags (high byte of the first field).
    package var flags: UInt8
    /// Entry size, padding included.
    package var size: UInt32
    /// Parent table index; 0 for top-level keys.
    var parentTable: UInt16
    /// Parent entry offset within the parent table.
    var parentOffset: UInt32
    /// Whether the stored entry checksum matches.
    var checksumValid: Bool
    /// Order among siblings.
    var insertionSequence: UInt32
    /// Key name.
    package var name: String
    /// Value bytes or their file-object location.
    var payload: Payload

    /// Reads the header of the entry at the reader's position and returns its type and size without validating
    /// the rest, so a table can skip free entries and stop at size 0.
    static func peekTypeAndSize(_ reader: ByteReader, at position: Int) throws -> (type: UInt8, size: UInt32) {
        let word = try reader.peek(UInt16.self, at: position, .little)
        let size = try reader.peek(UInt32.self, at: position + 2, .little)
        return (UInt8(word & 0xFF), size)
    }

    /// Parses the non-free entry occupying `entry` (a reader over exactly the entry's `size` bytes).
    /// - Throws: ``BinaryFormatError`` when the name or value does not fit the entry or the type is unknown.
    package init(parsing entry: ByteReader, tableIndex: UInt16, offset: UInt32) throws {
        var reader = entry
        let word = try reader.u16(.little)
        type = UInt8(word & 0xFF)
        flags = UInt8(word >> 8)
        size = try reader.u32(.little)
        parentTable = try reader.u16(.little)
        parentOffset = try reader.u32(.little)
        let checksum = try reader.u32(.little)
        insertionSequence = try reader.u32(.little)
        let dataOffset = Int(try reader.u8())
        self.tableIndex = tableIndex
        self.offset = offset
        absoluteOffset = entry.baseOffset

        guard (3...9).contains(type) else {
            throw entry.error("key entry of unknown value type \(type)", at: 0)
        }
        guard dataOffset >= 1, VMCXKeyEntry.headerSize + dataOffset <= entry.count else {
            throw entry.error("key name of \(dataOffset) bytes runs past the \(entry.count)-byte entry", at: 0)
        }
        let nameBytes = try reader.bytes(count: dataOffset)
        guard nameBytes.last == 0 else {
            throw entry.error("key name is not NUL-terminated within its data offset \(dataOffset)", at: 0)
        }
        let keyName = String(decoding: nameBytes.dropLast(), as: UTF8.self)
        name = keyName
        let valueStart = reader.position

        func need(_ count: Int, _ what: String) throws {
            guard count <= reader.remaining else {
                throw entry.error(
                    "\(what) of \(count) bytes runs past the \(entry.count)-byte entry '\(keyName)'", at: 0)
            }
        }

        let payload: Payload
        if flags & VMCXKeyEntry.fileObjectFlag != 0 {
            try need(12, "file-object pointer")
            let valueSize = try reader.u32(.little)
            let valueOffset = try reader.u64(.little)
            payload = .fileObject(size: valueSize, offset: valueOffset)
        } else {
            switch type {
            case 3, 4, 5:
                try need(8, "value")
                payload = .inline(try reader.bytes(count: 8))
            case 8:
                try need(4, "value")
                payload = .inline(try reader.bytes(count: 4))
            case 9:
                // The node value (8 unknown bytes + next child sequence) is not needed; samples always hold 12.
                payload = .inline(Array(try reader.bytes(count: min(12, reader.remaining))))
            default:  // 6 String, 7 Array
                try need(4, "length field")
                let length = Int(try reader.u32(.little))
                guard length <= reader.remaining else {
                    throw entry.error(
                        "\(type == 6 ? "string" : "array") length \(length) runs past the \(entry.count)-byte entry '\(keyName)'",
                        at: 0)
                }
                if type == 6 && length % 2 != 0 {
                    throw entry.error("string '\(keyName)' has odd UTF-16 byte length \(length)", at: 0)
                }
                payload = .inline(try reader.bytes(count: length))
            }
        }
        self.payload = payload
        let dataSize = type == 9 ? valueStart + 12 : reader.position
        if dataSize <= entry.count {
            let covered = try entry.copy(0..<dataSize)
            checksumValid = CRC32.ieee.checksum(covered, zeroingFieldAt: 12) == checksum
        } else {
            checksumValid = false
        }
    }

    /// Decodes value bytes (inline, or read from a file object) according to the entry's type.
    /// - Throws: ``BinaryFormatError`` when the bytes are too short for the type.
    package func decode(_ raw: [UInt8]) throws -> ConfigValue {
        func integer(_ count: Int) throws -> UInt64 {
            guard raw.count >= count else {
                throw BinaryFormatError(
                    "VMCX key entry '\(name)'", at: absoluteOffset, "value needs \(count) bytes, has \(raw.count)")
            }
            return try ByteReader(raw, baseOffset: absoluteOffset, structure: "VMCX key entry '\(name)'")
                .integer(at: 0, size: count, .little)
        }
        switch type {
        case 3: return .integer(Int64(bitPattern: try integer(8)))
        case 4: return .unsigned(try integer(8))
        case 5: return .double(Double(bitPattern: try integer(8)))
        case 6:
            guard raw.count % 2 == 0 else {
                throw BinaryFormatError(
                    "VMCX key entry '\(name)'", at: absoluteOffset, "string has odd UTF-16 byte length \(raw.count)")
            }
            return .string(UTF16Text.decode(raw, .little))
        case 7: return .bytes(raw)
        case 8: return .bool(try integer(4) != 0)
        default: return .node
        }
    }
}
