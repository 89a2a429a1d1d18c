// Reference: msuhanov/regf "Windows registry file format specification", "Format of transaction log files",
// "New format" → "Log entries" and its notes (the yarp author's write-up); libyal libregf "REGF format" §7.
import HVXBinary

/// One `HvLE` log entry of a Windows 8.1+ transaction log (`.LOG1`/`.LOG2`): dirty pages of the hive bins data,
/// written as one unit and applied as one unit.
///
/// Offsets are from the start of the entry (which lies at a 512-byte boundary of the log file):
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 4 | signature `HvLE` |
/// | 4 | 4 | size of this entry in bytes (a multiple of 512) |
/// | 8 | 4 | flags (bit 0 mirrors the base block's KTM-locked flag) |
/// | 12 | 4 | sequence number (the hive's sequence numbers once this entry is applied) |
/// | 16 | 4 | hive bins data size after this entry (a multiple of 4096) |
/// | 20 | 4 | dirty page count |
/// | 24 | 8 | Hash-1: Marvin32 of bytes 40 ..< size |
/// | 32 | 8 | Hash-2: Marvin32 of bytes 0 ..< 32 (Hash-1 included) |
/// | 40 | 8·n | dirty page references: u32 offset (from the start of the hive bins data), u32 size |
/// | … | … | the pages' bytes, in reference order, without gaps |
package struct RegistryLogEntry: Sendable, Equatable {
    /// Bytes before the page references.
    package static let headerSize = 40
    /// The log's sector: entries start and end on these boundaries.
    package static let alignment = 512

    /// One page to copy into the hive bins data.
    package struct Page: Sendable, Equatable {
        /// Where the page goes, relative to the start of the hive bins data.
        package var offset: Int
        /// Its size in bytes.
        package var size: Int
        /// Where its bytes start, relative to the start of the log file.
        var logOffset: Int
    }

    /// Absolute offset of the entry in the log file.
    var fileOffset: Int
    /// Size of the entry in bytes.
    package var size: Int
    /// Flags (only bit 0 is meaningful).
    package var flags: UInt32
    /// Sequence number.
    var sequence: UInt32
    /// Hive bins data size once the entry is applied.
    var hbinsSize: Int
    /// The pages, in stored order.
    var pages: [Page]

    /// Why an entry cannot be used; ``RegistryLogReplay`` decides which of these end the log quietly.
    package enum Problem: Error, Equatable, Sendable {
        /// No `HvLE` signature: the end of the written entries (zeroes or older bytes).
        case noEntry
        /// The entry's declared size runs past the end of the log file.
        case truncated(declared: Int, available: Int)
        /// A field breaks the format's rules; the text says which.
        case malformed(String)
        /// Hash-1 or Hash-2 does not match the bytes.
        case checksum(String)
    }

    /// Reads the entry at `offset` of `log` (the whole log file) and verifies its hashes and page bounds.
    /// - Parameter maximumHbinsSize: the cap on the hive bins size an entry may declare.
    /// - Throws: ``Problem``.
    package init(log: [UInt8], at offset: Int, maximumHbinsSize: Int) throws(Problem) {
        guard offset >= 0, offset <= log.count - 4, log[offset..<offset + 4].elementsEqual("HvLE".utf8) else {
            throw .noEntry
        }
        guard RegistryLogEntry.headerSize <= log.count - offset else {
            throw .truncated(declared: RegistryLogEntry.headerSize, available: log.count - offset)
        }
        // The header and the page references lie inside the entry the guards above and below establish.
        let reader = ByteReader(log, structure: "regf log entry")
        func u32(_ at: Int) throws(Problem) -> UInt32 {
            do { return try reader.u32(at: offset + at, .little) } catch {
                throw .truncated(declared: at + 4, available: log.count - offset)
            }
        }
        func u64(_ at: Int) throws(Problem) -> UInt64 {
            do { return try reader.u64(at: offset + at, .little) } catch {
                throw .truncated(declared: at + 8, available: log.count - offset)
            }
        }
        fileOffset = offset
        size = Int(try u32(4))
        flags = try u32(8)
        sequence = try u32(12)
        hbinsSize = Int(try u32(16))
        let count = Int(try u32(20))
        guard size >= RegistryLogEntry.alignment, size % RegistryLogEntry.alignment == 0 else {
            throw .malformed("size \(hex(size)) is not a positive multiple of 512")
        }
        guard size <= log.count - offset else { throw .truncated(declared: size, available: log.count - offset) }
        guard hbinsSize >= 4096, hbinsSize % 4096 == 0 else {
            throw .malformed("hive bins data size \(hex(hbinsSize)) is not a positive multiple of 4096")
        }
        guard hbinsSize <= maximumHbinsSize else {
            throw .malformed("hive bins data size \(hex(hbinsSize)) exceeds the \(maximumHbinsSize >> 20) MiB cap")
        }
        guard count > 0, count <= (size - RegistryLogEntry.headerSize) / 8 else {
            throw .malformed("dirty page count \(count) does not fit an entry of \(size) bytes")
        }
        // Hashes before the references: a torn entry must not be half-trusted.
        let storedHash2 = try u64(32)
        let computedHash2 = Marvin32.hash(log, offset..<offset + 32)
        guard storedHash2 == computedHash2 else {
            throw .checksum("Hash-2 mismatch (stored \(hex(storedHash2)), computed \(hex(computedHash2)))")
        }
        let storedHash1 = try u64(24)
        let computedHash1 = Marvin32.hash(log, offset + RegistryLogEntry.headerSize..<offset + size)
        guard storedHash1 == computedHash1 else {
            throw .checksum("Hash-1 mismatch (stored \(hex(storedHash1)), computed \(hex(computedHash1)))")
        }
        var pages: [Page] = []
        pages.reserveCapacity(count)
        var data = offset + RegistryLogEntry.headerSize + count * 8
        for index in 0..<count {
            let pageOffset = Int(try u32(RegistryLogEntry.headerSize + index * 8))
            let pageSize = Int(try u32(RegistryLogEntry.headerSize + index * 8 + 4))
            guard pageSize > 0, pageSize % RegistryLogEntry.alignment == 0, pageOffset % RegistryLogEntry.alignment == 0
            else {
                throw .malformed(
                    "dirty page \(index): offset \(hex(pageOffset)), size \(hex(pageSize)) are not whole 512-byte sectors"
                )
            }
            guard pageSize <= hbinsSize, pageOffset <= hbinsSize - pageSize else {
                throw .malformed(
                    "dirty page \(index) at \(hex(pageOffset)) (\(pageSize) bytes) lies past the hive bins size \(hex(hbinsSize))"
                )
            }
            guard pageSize <= offset + size - data else {
                throw .malformed("dirty page \(index) (\(pageSize) bytes) runs past the end of its entry")
            }
            pages.append(Page(offset: pageOffset, size: pageSize, logOffset: data))
            data += pageSize
        }
        self.pages = pages
    }
}
