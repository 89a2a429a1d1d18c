// Reference: libyal libfsntfs, "New Technologies File System (NTFS)", sections "The index root attribute", "The
// index allocation attribute", "Index node header" and "Index entry"; ntfs-3g libntfs-3g/index.c (VCN units).
import HVXBinary

/// The names a folder's `$I30` index lists: what Windows and ntfs-3g show in the folder (they never look at the
/// MFT's parent links). Read from `$INDEX_ROOT` and down the B-tree through `$INDEX_ALLOCATION`, following only
/// the sub-node links of live entries, so stale entries in unused index blocks are never counted.
///
/// `$INDEX_ROOT` value: | 0 | 4 | indexed attribute type (0x30) | 4 | 4 | collation | 8 | 4 | index block size |
/// 12 | 1 | clusters per block | 16 | 16 | index node header |. Index node header: | 0 | 4 | entries offset (from the
/// header) | 4 | 4 | entries end | 8 | 4 | allocated end | 12 | 1 | flags |. `INDX` block: multi-sector header
/// (signature, fixups) and the node header at 24. Entry: | 0 | 8 | file reference | 8 | 2 | entry length | 10 | 2 |
/// key length | 12 | 2 | flags (1 sub-node, 2 last) | 16 | … | key (`$FILE_NAME` value) |; a sub-node entry ends
/// with the child block's VCN.
package struct NTFSIndex: Sendable {
    /// One listed name.
    package struct Entry: Sendable, Hashable {
        package var record: UInt64
        package var sequence: UInt16
        package var name: String
    }

    /// Cap on index blocks followed in one folder (a 64k-entry folder needs about 1,000).
    static let maximumBlocks = 65536

    /// The names listed, DOS 8.3 duplicates left out.
    package private(set) var entries: [Entry] = []

    /// Reads the `$I30` index of folder `record`.
    /// - Throws: ``NTFSError/record(_:_:)`` when the index cannot be followed (no `$INDEX_ROOT`, a damaged block).
    package init(volume: NTFSVolume, record: UInt64) throws {
        let attributes = try volume.attributes(ofRecord: record)
        guard let root = attributes.first(where: { $0.type == 0x90 && $0.name == "$I30" }),
            let value = root.residentValue
        else {
            throw NTFSError.record(record, "folder without a resident $I30 $INDEX_ROOT")
        }
        var pending = try parseNode(value[...], headerAt: 16, record: record, where: "$INDEX_ROOT")
        guard !pending.isEmpty else { return }
        guard let allocation = attributes.first(where: { $0.type == 0xA0 && $0.name == "$I30" }) else {
            throw NTFSError.record(record, "$INDEX_ROOT names index blocks but there is no $INDEX_ALLOCATION")
        }
        let stream = try volume.dataStream([NTFSAttribute(copying: allocation, asData: true)], record: record)
        let blockSize = volume.boot.indexRecordSize
        // VCNs count clusters when a block spans clusters, else 512-byte units (ntfs-3g's vcn_size).
        let vcnSize = UInt64(blockSize) >= volume.boot.clusterSize ? volume.boot.clusterSize : 512
        var seen: Set<UInt64> = []
        while let vcn = pending.popLast() {
            guard seen.insert(vcn).inserted else { continue }
            guard seen.count <= NTFSIndex.maximumBlocks else {
                throw NTFSError.record(record, "$I30 index has more than \(NTFSIndex.maximumBlocks) blocks")
            }
            let (offset, overflow) = vcn.multipliedReportingOverflow(by: vcnSize)
            guard !overflow, offset < stream.size else {
                throw NTFSError.record(record, "$I30 index block at VCN \(vcn) lies past the end of $INDEX_ALLOCATION")
            }
            var block = try stream.read(at: offset, count: blockSize)
            try NTFSIndex.applyFixups(&block, record: record, vcn: vcn)
            pending += try parseNode(block[...], headerAt: 24, record: record, where: "$I30 block at VCN \(vcn)")
        }
    }

    /// Checks an `INDX` block's signature and update-sequence fixups and puts the real stride ends back.
    static func applyFixups(_ block: inout [UInt8], record: UInt64, vcn: UInt64) throws {
        let reader = ByteReader(block, structure: "INDX block")
        guard block.count >= 40, Array(block[0..<4]) == Array("INDX".utf8) else {
            throw NTFSError.record(record, "$I30 block at VCN \(vcn) has no INDX signature")
        }
        let fixupOffset = Int(try reader.u16(at: 4, .little))
        let fixupCount = Int(try reader.u16(at: 6, .little))
        guard fixupCount >= 1, fixupCount - 1 <= block.count / 512, fixupOffset + fixupCount * 2 <= block.count else {
            throw NTFSError.record(record, "$I30 block at VCN \(vcn): fixup array does not fit")
        }
        let usn = try reader.u16(at: fixupOffset, .little)
        for index in 1..<fixupCount {
            let end = index * 512 - 2
            guard try reader.u16(at: end, .little) == usn else {
                throw NTFSError.record(
                    record, "$I30 block at VCN \(vcn): fixup mismatch in sector \(index - 1) (torn write)")
            }
            block[end] = block[fixupOffset + index * 2]
            block[end + 1] = block[fixupOffset + index * 2 + 1]
        }
    }

    /// Adds the entries of the node whose header is at `headerAt`; returns the VCNs of its child blocks.
    private mutating func parseNode(
        _ bytes: ArraySlice<UInt8>, headerAt header: Int, record: UInt64,
        where place: String
    ) throws -> [UInt64] {
        let reader = ByteReader(Array(bytes), structure: "NTFS index node")
        func fail(_ why: String) -> NTFSError { .record(record, "\(place): \(why)") }
        let start = header + Int(try reader.u32(at: header, .little))
        let end = min(bytes.count, header + Int(try reader.u32(at: header + 4, .little)))
        var children: [UInt64] = []
        var offset = start
        while offset + 16 <= end {
            let length = Int(try reader.u16(at: offset + 8, .little))
            let keyLength = Int(try reader.u16(at: offset + 10, .little))
            let flags = try reader.u16(at: offset + 12, .little)
            guard length >= 16, length % 8 == 0, offset + length <= end, 16 + keyLength <= length else {
                throw fail("index entry at \(offset) of length \(length) does not fit")
            }
            if flags & 1 != 0 { children.append(try reader.u64(at: offset + length - 8, .little)) }
            if flags & 2 != 0 { break }
            let name = try NTFSFileName(parsing: Array(reader.copy(offset + 16..<(offset + 16 + keyLength))))
            if name.namespace != NTFSFileName.dosNamespace {
                let reference = NTFSReference(try reader.u64(at: offset, .little))
                entries.append(Entry(record: reference.record, sequence: reference.sequence, name: name.name))
            }
            offset += length
        }
        return children
    }
}
