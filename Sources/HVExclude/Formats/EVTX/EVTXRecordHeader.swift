// Reference: libyal/libevtx, documentation/Windows XML Event Log (EVTX).asciidoc, "Event record"
import HVXBinary

/// The header of an event record inside a chunk.
///
/// | off | size | field |
/// |-----|------|-------|
/// | 0   | 4 | signature `2A 2A 00 00` |
/// | 4   | 4 | size of the record, header and trailer included |
/// | 8   | 8 | event record identifier |
/// | 16  | 8 | written time (FILETIME) |
/// | 24  | n | binary XML (size − 28 bytes) |
/// | n+24 | 4 | copy of the size |
package struct EVTXRecordHeader: Sendable, Equatable {
    package static let signature: UInt32 = 0x0000_2A2A
    package static let size = 24

    /// Chunk offset of the record.
    package var offset: Int
    /// Record size.
    package var size: Int
    /// Record identifier (the XML's EventRecordID normally agrees).
    var identifier: UInt64
    /// When the record was written.
    package var written: EVTXTimestamp

    /// The binary XML's range in the chunk.
    var binXMLRange: Range<Int> { offset + EVTXRecordHeader.size..<offset + size - 4 }

    /// Parses the record header at `offset`, which must end by `limit` (the free space offset or the end of
    /// what was read): size, signature, fields, then the trailing size copy.
    package init(chunk bytes: [UInt8], at offset: Int, limit: Int) throws {
        guard offset + EVTXRecordHeader.size <= limit else {
            throw EVTXError.badRecord("header runs past the end of the records (\(hex(limit)))", offset: offset)
        }
        let magic = UInt32(try EVTXValue.le(bytes, offset, 4))
        guard magic == EVTXRecordHeader.signature else {
            throw EVTXError.badRecord("bad signature \(hex(magic)) (expected 0x2A2A)", offset: offset)
        }
        size = Int(try EVTXValue.le(bytes, offset + 4, 4))
        guard size >= EVTXRecordHeader.size + 4, size <= limit - offset else {
            throw EVTXError.badRecord(
                "size \(size) does not fit between 28 and \(limit - offset) bytes", offset: offset)
        }
        let copy = Int(try EVTXValue.le(bytes, offset + size - 4, 4))
        guard copy == size else {
            throw EVTXError.badRecord("trailing size copy \(copy) differs from the size \(size)", offset: offset)
        }
        self.offset = offset
        identifier = try EVTXValue.le(bytes, offset + 8, 8)
        written = EVTXTimestamp(fileTime: try EVTXValue.le(bytes, offset + 16, 8))
    }
}
