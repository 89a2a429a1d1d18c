// Reference: libyal libfsntfs, "New Technologies File System (NTFS)", section "The attribute"; Sleuth Kit
// tsk/fs/tsk_ntfs.h (ntfs_attr).
import HVXBinary

/// One attribute of an MFT record, resident (value inside the record) or non-resident (a runlist).
///
/// | off | size | field |
/// |---|---|---|
/// | 0 | 4 | type (0x10 standard information, 0x20 attribute list, 0x30 file name, 0x80 data, 0xC0 reparse point; 0xFFFFFFFF ends the list) |
/// | 4 | 4 | record length |
/// | 8 | 1 | non-resident flag |
/// | 9 | 1 | name length (UTF-16 units) |
/// | 10 | 2 | name offset |
/// | 12 | 2 | flags (0x0001 compressed, 0x4000 encrypted, 0x8000 sparse) |
/// | 14 | 2 | attribute id |
/// | resident: 16 | 4 | value size |
/// | resident: 20 | 2 | value offset |
/// | non-resident: 16 | 8 | first VCN |
/// | non-resident: 24 | 8 | last VCN |
/// | non-resident: 32 | 2 | runlist offset |
/// | non-resident: 34 | 2 | compression unit (log2 of clusters; 0 = not compressed) |
/// | non-resident: 40 | 8 | allocated size |
/// | non-resident: 48 | 8 | data size |
/// | non-resident: 56 | 8 | valid (initialized) data size |
package struct NTFSAttribute: Sendable, Equatable {
    /// Attribute types this reader uses.
    package enum Kind: UInt32, Sendable {
        case standardInformation = 0x10
        case attributeList = 0x20
        case fileName = 0x30
        case data = 0x80
        case indexRoot = 0x90
        case indexAllocation = 0xA0
        case reparsePoint = 0xC0
    }

    /// The non-resident part.
    package struct NonResident: Sendable, Equatable {
        var firstVCN: UInt64
        var lastVCN: UInt64
        /// log2 of the clusters in a compression unit (4 = 16 clusters), 0 when not compressed.
        var compressionUnit: Int
        var allocatedSize: UInt64
        var dataSize: UInt64
        var initializedSize: UInt64
        var runs: [NTFSRun]
    }

    /// The attribute type.
    package var type: UInt32
    /// The attribute name (`$I30` for a folder index, a stream name for a named `$DATA`), empty when unnamed.
    package var name: String
    /// Flags: compressed, encrypted, sparse.
    package var flags: UInt16
    /// The attribute id within the record.
    package var id: UInt16
    /// The value, for a resident attribute.
    var residentValue: [UInt8]?
    /// The runlist and sizes, for a non-resident attribute.
    var nonResident: NonResident?

    /// Whether the data is LZNT1-compressed.
    var isCompressed: Bool { flags & 0x0001 != 0 }
    /// Whether the data is EFS-encrypted.
    var isEncrypted: Bool { flags & 0x4000 != 0 }
    /// The value's size in bytes.
    var dataSize: UInt64 { nonResident?.dataSize ?? UInt64(residentValue?.count ?? 0) }

    /// Parses the attribute at `offset` of a record (fixups already applied); `length` is its record length.
    /// - Throws: ``BinaryFormatError`` for a header, name, value or runlist outside the attribute.
    package init(record: [UInt8], offset: Int, length: Int, baseOffset: UInt64) throws {
        let end = offset + length
        func fail(_ message: String, _ at: Int) -> BinaryFormatError {
            BinaryFormatError("NTFS attribute", at: baseOffset &+ UInt64(at), message)
        }
        guard length >= 16, end <= record.count else { throw fail("length \(length) runs past the record", offset) }
        // Every read below lies inside the bounds the guards before it establish; ByteReader checks them again.
        let reader = ByteReader(record, baseOffset: baseOffset, structure: "NTFS attribute")
        func u16(_ at: Int) throws -> UInt16 { try reader.u16(at: at, .little) }
        func u32(_ at: Int) throws -> UInt32 { try reader.u32(at: at, .little) }
        func u64(_ at: Int) throws -> UInt64 { try reader.u64(at: at, .little) }
        type = try u32(offset)
        let nonResidentFlag = try reader.u8(at: offset + 8)
        let nameLength = Int(try reader.u8(at: offset + 9))
        let nameOffset = Int(try u16(offset + 10))
        flags = try u16(offset + 12)
        id = try u16(offset + 14)
        if nameLength > 0 {
            guard nameOffset + nameLength * 2 <= length else { throw fail("name runs past the attribute", offset + 10) }
            name = UTF16Text.decode(
                try reader.copy((offset + nameOffset)..<(offset + nameOffset + nameLength * 2)), .little)
        } else {
            name = ""
        }
        if nonResidentFlag == 0 {
            guard length >= 24 else { throw fail("resident header needs 24 bytes, has \(length)", offset) }
            let valueSize = Int(try u32(offset + 16))
            let valueOffset = Int(try u16(offset + 20))
            guard valueOffset <= length, valueSize <= length - valueOffset else {
                throw fail("resident value (\(valueSize) bytes at \(valueOffset)) runs past the attribute", offset + 16)
            }
            residentValue = try reader.copy((offset + valueOffset)..<(offset + valueOffset + valueSize))
            nonResident = nil
        } else {
            guard length >= 64 else { throw fail("non-resident header needs 64 bytes, has \(length)", offset) }
            let runsOffset = Int(try u16(offset + 32))
            guard runsOffset >= 64, runsOffset <= length else {
                throw fail("runlist offset \(runsOffset) lies outside the attribute", offset + 32)
            }
            let unit = Int(try u16(offset + 34))
            guard unit <= 16 else { throw fail("compression unit 2^\(unit) clusters is too large", offset + 34) }
            let first = try u64(offset + 16)
            let last = try u64(offset + 24)
            let runs = try NTFSRunList.decode(
                try reader.sub(at: offset + runsOffset, count: end - offset - runsOffset, structure: "NTFS runlist"),
                firstVCN: first)
            residentValue = nil
            nonResident = NonResident(
                firstVCN: first, lastVCN: last, compressionUnit: unit, allocatedSize: try u64(offset + 40),
                dataSize: try u64(offset + 48), initializedSize: try u64(offset + 56), runs: runs)
        }
    }
}
