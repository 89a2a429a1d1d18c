// Reference: msuhanov/regf "Windows registry file format specification", "Format of transaction log files"
// (old format: base block, dirty vector, dirty pages; new format: base block, log entries); libyal libregf
// "REGF format" §7 (transaction log).
import HVXBinary

/// One transaction log file of a hive (`SYSTEM.LOG1`, `SYSTEM.LOG2`, `SYSTEM.LOG`), held in memory.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 512 | a copy of the hive's base block as it was when the log was started (file type 1 or 2 = old format, 6 = new format; both sequence numbers equal) |
/// | 512 | … | old format: the dirty vector (``RegistryDirtyVector``) then 512-byte dirty pages; new format: `HvLE` log entries (``RegistryLogEntry``) |
package struct RegistryTransactionLog: Sendable {
    /// The bytes of the base block copy at the start of a log.
    static let baseBlockSize = 512

    /// Which of the two log formats the file uses.
    package enum Format: String, Sendable, Equatable {
        /// Windows 8.1 / Server 2012 R2 and later: `HvLE` entries with Marvin32 hashes and sequence numbers.
        case logEntries
        /// Earlier Windows: one dirty-page bitmap (`DIRT`) and the pages it marks.
        case dirtyVector
    }

    /// The log's file name ("SYSTEM.LOG1"), used in messages and evidence.
    package var name: String
    /// The whole file.
    package var bytes: [UInt8]
    /// The base block copy.
    var baseBlock: RegistryBaseBlock
    /// The format its file type says.
    package var format: Format

    /// Why a log file cannot be used at all.
    package struct Unusable: Error, Equatable, Sendable, CustomStringConvertible {
        /// The log's file name.
        package var name: String
        /// Why, in words.
        package var reason: String
        /// Whether this is the normal state of an unused log (empty), not worth a warning.
        package var isUnused: Bool
        package var description: String { "\(name): \(reason)" }
    }

    /// Checks the base block copy of `bytes` (a whole log file).
    /// - Throws: ``Unusable`` when the file is empty, is not a log, or its base block copy is torn.
    package init(name: String, bytes: [UInt8]) throws(Unusable) {
        self.name = name
        self.bytes = bytes
        guard !bytes.isEmpty, bytes.contains(where: { $0 != 0 }) else {
            throw Unusable(name: name, reason: "empty (the log is not in use)", isUnused: true)
        }
        guard bytes.count >= RegistryTransactionLog.baseBlockSize else {
            throw Unusable(
                name: name, reason: "truncated: \(bytes.count) bytes cannot hold its 512-byte base block",
                isUnused: false)
        }
        // The copy is 512 bytes; the fields read from the base block all lie before 512.
        var padded = Array(bytes[0..<RegistryTransactionLog.baseBlockSize])
        padded += [UInt8](repeating: 0, count: RegistryBaseBlock.size - padded.count)
        var reader = ByteReader(padded, structure: "\(name) base block")
        do {
            baseBlock = try RegistryBaseBlock(parsing: &reader)
        } catch {
            throw Unusable(name: name, reason: "not a hive log: \(error)", isUnused: false)
        }
        switch baseBlock.fileType {
        case 6: format = .logEntries
        case 1, 2: format = .dirtyVector
        default:
            throw Unusable(
                name: name, reason: "base block file type \(baseBlock.fileType) is not a transaction log (1, 2 or 6)",
                isUnused: false)
        }
        guard baseBlock.checksumValid else {
            throw Unusable(
                name: name,
                reason: "base block checksum mismatch (stored \(hex(baseBlock.storedChecksum)), computed "
                    + "\(hex(baseBlock.computedChecksum))): the log was being written when the host stopped",
                isUnused: false)
        }
        guard !baseBlock.sequencesDiffer else {
            throw Unusable(
                name: name,
                reason:
                    "base block sequence numbers differ (\(baseBlock.primarySequence), \(baseBlock.secondarySequence)): "
                    + "the log was being written when the host stopped", isUnused: false)
        }
    }
}

/// The dirty vector of an old-format log: `DIRT` then one bit per 512-byte page of the hive bins data.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 4 | signature `DIRT` |
/// | 4 | hive bins size / 4096 | bitmap, least significant bit first; bit n set = page n (at hive bins offset 512·n) is dirty |
///
/// The dirty pages follow from the next 512-byte boundary of the log, one per set bit, in bit order.
package struct RegistryDirtyVector: Sendable, Equatable {
    /// Hive bins offsets of the dirty pages, ascending.
    var pageOffsets: [Int]
    /// Log offset of the first dirty page.
    var pagesStart: Int

    /// Reads the vector at offset 512 of `log` for a hive bins region of `hbinsSize` bytes.
    /// - Throws: ``BinaryFormatError`` when the signature is wrong or the bitmap is cut off.
    package init(log: [UInt8], hbinsSize: Int, name: String) throws {
        let start = RegistryTransactionLog.baseBlockSize
        let bitmapBytes = hbinsSize / 4096
        guard start + 4 + bitmapBytes <= log.count else {
            throw BinaryFormatError(
                "\(name) dirty vector", at: UInt64(start),
                "truncated: a bitmap for \(hex(hbinsSize)) bytes of hive bins needs \(bitmapBytes) bytes after the signature"
            )
        }
        guard log[start..<start + 4].elementsEqual("DIRT".utf8) else {
            throw BinaryFormatError(
                "\(name) dirty vector", at: UInt64(start),
                "signature is \(RegistryBaseBlock.printable(Array(log[start..<start + 4]))), expected \"DIRT\"")
        }
        var offsets: [Int] = []
        for byteIndex in 0..<bitmapBytes {
            let byte = log[start + 4 + byteIndex]
            guard byte != 0 else { continue }
            for bit in 0..<8 where byte & (1 << bit) != 0 {
                offsets.append((byteIndex * 8 + bit) * 512)
            }
        }
        pageOffsets = offsets
        let end = start + 4 + bitmapBytes
        pagesStart = (end + 511) / 512 * 512
    }
}
