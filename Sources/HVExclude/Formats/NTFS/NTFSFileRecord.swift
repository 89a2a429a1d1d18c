// Reference: libyal libfsntfs, "New Technologies File System (NTFS)", sections "MFT entry header" and "Fix-up
// values"; Sleuth Kit tsk/fs/tsk_ntfs.h (ntfs_mft).
import HVXBinary

/// One MFT record ("FILE" entry) with its update-sequence fixups applied and its attributes parsed.
///
/// | off | size | field |
/// |---|---|---|
/// | 0 | 4 | signature `FILE` (`BAAD` after a failed write) |
/// | 4 | 2 | fixup array offset |
/// | 6 | 2 | fixup entries (the update sequence number plus one per 512-byte stride) |
/// | 16 | 2 | sequence number |
/// | 18 | 2 | hard link count |
/// | 20 | 2 | offset of the first attribute |
/// | 22 | 2 | flags (0x01 in use, 0x02 directory) |
/// | 24 | 4 | used size |
/// | 28 | 4 | allocated size |
/// | 32 | 8 | base record reference (0 for a base record; set on extension records) |
///
/// The last two bytes of every 512-byte stride hold the update sequence number on disk; the real bytes are in the
/// fixup array. A stride whose bytes do not match was torn by a partial write: the record is corrupt.
package struct NTFSFileRecord: Sendable {
    /// The record number.
    package var number: UInt64
    /// The sequence number (a reference to this record must carry it).
    var sequence: UInt16
    /// Whether the record is in use.
    var inUse: Bool
    /// Whether the record is a folder (has a file-name index).
    package var isDirectory: Bool
    /// The base record this extension record belongs to; `nil` for a base record.
    var baseRecord: UInt64?
    /// Attributes in record order.
    package var attributes: [NTFSAttribute]
    /// Why some attributes were skipped (the record is read on).
    package var warnings: [Diagnostic] = []

    /// Cap on attributes in one record: a 1 KiB record holds at most 64 of their 16-byte headers.
    static let maximumAttributes = 512

    /// Whether `bytes` are an unused, never-written record (all zeros at the signature).
    package static func isEmpty(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.prefix(4).allSatisfy { $0 == 0 }
    }

    /// Parses record `number` from `bytes` (exactly one record), applying its fixups.
    /// - Throws: ``NTFSError/record(_:_:)`` for a bad signature, fixup array or mismatch, or an attribute chain
    ///   that leaves the record.
    package init(parsing bytes: ArraySlice<UInt8>, number: UInt64, baseOffset: UInt64) throws {
        self.number = number
        var record = Array(bytes)
        func fail(_ message: String) -> NTFSError { .record(number, message) }
        guard record.count >= 48 else { throw fail("truncated: \(record.count) bytes") }
        let signature = Array(record[0..<4])
        if signature == Array("BAAD".utf8) { throw fail("marked BAAD (a multi-sector write failed)") }
        guard signature == Array("FILE".utf8) else {
            throw fail("no FILE signature (found \(signature.map { hex($0) }.joined(separator: " ")))")
        }
        // Every read below lies inside the bounds the guards before it establish; ByteReader checks them again.
        var reader = ByteReader(record, baseOffset: baseOffset, structure: "MFT record")
        func u16(_ at: Int) throws -> UInt16 { try reader.u16(at: at, .little) }
        func u32(_ at: Int) throws -> UInt32 { try reader.u32(at: at, .little) }
        let fixupOffset = Int(try u16(4))
        let fixupCount = Int(try u16(6))
        let strides = record.count / 512
        guard fixupCount >= 1, fixupCount - 1 <= max(1, strides), fixupOffset >= 42,
            fixupOffset + fixupCount * 2 <= record.count
        else {
            throw fail(
                "fixup array (\(fixupCount) entries at \(fixupOffset)) does not fit the \(record.count)-byte record")
        }
        let sequenceNumber = try u16(fixupOffset)
        for index in 1..<fixupCount {
            let end = index * 512 - 2
            guard end + 2 <= record.count else { break }
            let found = try u16(end)
            guard found == sequenceNumber else {
                throw fail(
                    "fixup mismatch in sector \(index - 1) (found \(hex(found)), expected \(hex(sequenceNumber))): torn write"
                )
            }
            record[end] = record[fixupOffset + index * 2]
            record[end + 1] = record[fixupOffset + index * 2 + 1]
        }
        reader = ByteReader(record, baseOffset: baseOffset, structure: "MFT record")
        sequence = try u16(16)
        let flags = try u16(22)
        inUse = flags & 1 != 0
        isDirectory = flags & 2 != 0
        let base = try reader.u64(at: 32, .little) & 0xFFFF_FFFF_FFFF
        baseRecord = base == 0 ? nil : base
        let used = Int(try u32(24))
        guard used <= record.count, used >= 48 else { throw fail("used size \(used) exceeds the record") }
        var offset = Int(try u16(20))
        var attributes: [NTFSAttribute] = []
        while true {
            guard offset % 8 == 0 || offset >= 0, offset + 4 <= used else {
                throw fail("attribute chain runs past the used size at \(offset)")
            }
            let type = try u32(offset)
            if type == 0xFFFF_FFFF { break }
            guard offset + 8 <= used else { throw fail("attribute header at \(offset) runs past the used size") }
            let length = Int(try u32(offset + 4))
            guard length >= 16, length <= used - offset else {
                throw fail("attribute at \(offset) has length \(length), past the used size \(used)")
            }
            do {
                attributes.append(
                    try NTFSAttribute(record: record, offset: offset, length: length, baseOffset: baseOffset))
            } catch let error as BinaryFormatError {
                warnings.append(
                    .ntfsAttributeSkipped, at: .mftRecord(number),
                    "attribute \(hex(type)) at \(offset) skipped: \(error.message)")
            }
            guard attributes.count < NTFSFileRecord.maximumAttributes else {
                throw fail("more than \(NTFSFileRecord.maximumAttributes) attributes")
            }
            offset += length
        }
        self.attributes = attributes
    }
}

/// A reference to an MFT record: 48-bit record number and 16-bit sequence number.
package struct NTFSReference: Sendable, Hashable {
    /// The record number.
    package var record: UInt64
    /// The sequence number the record must carry for the reference to be current.
    var sequence: UInt16

    /// Splits a raw 64-bit reference.
    package init(_ raw: UInt64) {
        record = raw & 0xFFFF_FFFF_FFFF
        sequence = UInt16(raw >> 48)
    }
}
