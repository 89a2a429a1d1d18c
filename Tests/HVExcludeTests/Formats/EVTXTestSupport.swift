import Foundation

@testable import HVXBinary

/// Builds small EVTX files in memory for negative tests: one file header and chunks with valid checksums
/// around hand-written binary XML.
enum EVTXBuilder {
    static func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
    static func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8(v >> ($0 * 8) & 0xFF) } }
    static func le64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(v >> (UInt64($0) * 8) & 0xFF) } }

    /// A file header for `chunks` chunks.
    static func fileHeader(chunks: Int, flags: Int = 0) -> [UInt8] {
        var h = Array("ElfFile".utf8) + [0]
        h +=
            le64(0) + le64(UInt64(max(0, chunks - 1))) + le64(100) + le32(128) + le16(1) + le16(3) + le16(4096)
            + le16(chunks)
        h += [UInt8](repeating: 0, count: 76) + le32(flags)
        h += le32(Int(CRC32.ieee.checksum(Array(h[0..<120]))))
        return h + [UInt8](repeating: 0, count: 4096 - h.count)
    }

    /// A chunk whose records hold the given binary XML payloads (each becomes one record, ids from `firstId`).
    static func chunk(_ payloads: [[UInt8]], firstId: UInt64 = 1) -> [UInt8] {
        var records: [UInt8] = []
        var id = firstId
        var last = 512
        for payload in payloads {
            let size = 24 + payload.count + 4
            last = 512 + records.count
            records +=
                [0x2A, 0x2A, 0, 0] + le32(size) + le64(id) + le64(132_000_000_000_000_000) + payload + le32(size)
            id += 1
        }
        var c = Array("ElfChnk".utf8) + [0]
        c +=
            le64(firstId) + le64(id - 1) + le64(firstId) + le64(id - 1) + le32(128) + le32(last)
            + le32(512 + records.count)
        c += le32(Int(CRC32.ieee.checksum(records)))
        c += [UInt8](repeating: 0, count: 68)
        c += [0, 0, 0, 0]  // header checksum, below
        c += [UInt8](repeating: 0, count: 512 - c.count)
        let crc = CRC32.ieee.checksum(Array(c[0..<120]) + c[128..<512])
        c.replaceSubrange(124..<128, with: le32(Int(crc)))
        return c + records + [UInt8](repeating: 0, count: 0x10000 - 512 - records.count)
    }

    /// A name stored inline at chunk offset `offset`.
    static func name(_ text: String) -> [UInt8] {
        le32(0) + le16(0) + le16(text.utf16.count) + UTF16Text.encode(text, .little) + [0, 0]
    }

    /// `<Event><System><EventID>%0</EventID></System></Event>`-style record payload: a template instance whose
    /// definition is inline, with `values` (type, bytes). `recordStart` is the chunk offset of the record.
    static func templatedRecord(recordStart: Int, eventId: Int) -> [UInt8] {
        var p: [UInt8] = [0x0F, 1, 1, 0]
        let base = recordStart + 24
        // template instance header: token, unknown, id, definition offset (inline: right after)
        let defOffset = base + p.count + 10
        p += [0x0C, 1] + le32(1) + le32(defOffset)
        var body: [UInt8] = [0x0F, 1, 1, 0]
        func element(_ n: String, _ at: Int) -> [UInt8] { [0x01] + le16(0xFFFF) + le32(0) + le32(at + 11) + name(n) }
        let dataStart = defOffset + 24
        var e = element("Event", dataStart + body.count); body += e + [0x02]
        e = element("System", dataStart + body.count); body += e + [0x02]
        e = element("EventID", dataStart + body.count); body += e + [0x02, 0x0D] + le16(0) + [0x06, 0x04]
        body += [0x04, 0x04, 0x00]
        p += le32(0) + [UInt8](repeating: 0xAB, count: 16) + le32(body.count) + body
        p += le32(1) + le16(2) + [0x06, 0] + le16(eventId)
        return p + [0x00]
    }
}
