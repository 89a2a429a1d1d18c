// Reference: libyal libfsntfs, "New Technologies File System (NTFS)", section "The file name attribute".
import HVXBinary

/// A `$FILE_NAME` attribute value: one name of the file in one folder.
///
/// | off | size | field |
/// |---|---|---|
/// | 0 | 8 | parent folder reference |
/// | 8 | 32 | times (creation, modification, entry modification, access) |
/// | 40 | 8 | allocated size |
/// | 48 | 8 | data size (as of the last name update; informational) |
/// | 56 | 4 | file attribute flags |
/// | 60 | 4 | reparse tag, or extended-attribute size |
/// | 64 | 1 | name length (UTF-16 units) |
/// | 65 | 1 | namespace (0 POSIX, 1 Win32, 2 DOS, 3 Win32 and DOS) |
/// | 66 | … | name, UTF-16LE |
package struct NTFSFileName: Sendable, Equatable {
    /// The DOS 8.3 namespace: a duplicate short name, never listed.
    static let dosNamespace: UInt8 = 2

    /// The folder holding this name.
    package var parent: NTFSReference
    /// File attribute flags (0x400 reparse point, 0x800 compressed, 0x4000 encrypted, 0x10000000 folder).
    var fileAttributes: UInt32
    /// The name namespace.
    var namespace: UInt8
    /// The name.
    package var name: String
    /// The name's raw UTF-16 code units, for $UpCase comparison.
    package var units: [UInt16]

    /// Parses a resident `$FILE_NAME` value.
    /// - Throws: ``BinaryFormatError`` when the value is shorter than its header or name.
    package init(parsing value: [UInt8], baseOffset: UInt64 = 0) throws {
        var reader = ByteReader(value, baseOffset: baseOffset, structure: "NTFS $FILE_NAME")
        guard value.count >= 66 else { throw reader.error("truncated: \(value.count) bytes, needs 66", at: 0) }
        parent = NTFSReference(try reader.u64(.little))
        try reader.seek(to: 56)
        fileAttributes = try reader.u32(.little)
        try reader.skip(4)
        let length = Int(try reader.u8())
        namespace = try reader.u8()
        guard 66 + length * 2 <= value.count else {
            throw reader.error("name of \(length) units runs past the value", at: 64)
        }
        var units: [UInt16] = []
        units.reserveCapacity(length)
        for index in 0..<length { units.append(try reader.u16(at: 66 + index * 2, .little)) }
        self.units = units
        name = String(decoding: units, as: UTF16.self)
    }
}

/// One entry of an `$ATTRIBUTE_LIST`: where an attribute of a fragmented file really lives.
///
/// | off | size | field |
/// |---|---|---|
/// | 0 | 4 | attribute type |
/// | 4 | 2 | entry length |
/// | 6 | 1 | name length (UTF-16 units) |
/// | 7 | 1 | name offset |
/// | 8 | 8 | first VCN of this fragment |
/// | 16 | 8 | reference of the MFT record holding it |
/// | 24 | 2 | attribute id |
package struct NTFSAttributeListEntry: Sendable, Equatable {
    package var type: UInt32
    var firstVCN: UInt64
    package var record: NTFSReference
    package var id: UInt16

    /// Cap on entries: more than this many fragments is not a file Windows wrote.
    static let maximumEntries = 65536

    /// Parses a whole `$ATTRIBUTE_LIST` value.
    /// - Throws: ``BinaryFormatError`` for an entry shorter than 26 bytes or past the value.
    static func parseList(_ value: [UInt8]) throws -> [NTFSAttributeListEntry] {
        var entries: [NTFSAttributeListEntry] = []
        var offset = 0
        while offset + 26 <= value.count {
            var reader = ByteReader(
                Array(value[offset..<min(value.count, offset + 32)]), baseOffset: UInt64(offset),
                structure: "NTFS $ATTRIBUTE_LIST entry")
            let type = try reader.u32(.little)
            let length = Int(try reader.u16(.little))
            guard length >= 26, offset + length <= value.count else {
                throw reader.error("entry length \(length) at \(offset) is too short or runs past the list", at: 4)
            }
            try reader.skip(2)
            let vcn = try reader.u64(.little)
            let reference = NTFSReference(try reader.u64(.little))
            let id = try reader.u16(.little)
            entries.append(NTFSAttributeListEntry(type: type, firstVCN: vcn, record: reference, id: id))
            guard entries.count <= maximumEntries else {
                throw reader.error("more than \(maximumEntries) entries", at: 0)
            }
            offset += length
        }
        return entries
    }
}
