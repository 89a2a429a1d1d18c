// Reference: libyal libregf "Windows NT Registry File (REGF) format", section 2 (file header / base block).
import HVXBinary

/// The 4096-byte base block at the start of a regf hive file.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 4 | signature `regf` |
/// | 4 | 4 | primary sequence number |
/// | 8 | 4 | secondary sequence number (differs from the primary when the hive is dirty) |
/// | 12 | 8 | last written FILETIME |
/// | 20 | 4 | major version (1) |
/// | 24 | 4 | minor version (3, 5 or 6) |
/// | 28 | 4 | file type (0 = primary file) |
/// | 32 | 4 | file format (1 = direct memory load) |
/// | 36 | 4 | root key cell offset (relative to the first hbin) |
/// | 40 | 4 | hbins data size (multiple of 4096) |
/// | 44 | 4 | clustering factor |
/// | 48 | 64 | file name (UTF-16LE, tail of the path the hive was saved from) |
/// | 508 | 4 | XOR-32 checksum of bytes 0..<508 |
package struct RegistryBaseBlock: Sendable, Equatable {
    /// Size of the base block; the first hbin follows it.
    package static let size = 4096

    /// Primary sequence number.
    var primarySequence: UInt32
    /// Secondary sequence number.
    var secondarySequence: UInt32
    /// Last written time as a Windows FILETIME (100 ns ticks since 1601).
    var lastWritten: UInt64
    /// Major format version.
    var majorVersion: UInt32
    /// Minor format version.
    var minorVersion: UInt32
    /// File type (0 for a primary hive file).
    var fileType: UInt32
    /// Cell offset of the root key.
    var rootCellOffset: UInt32
    /// Size of the hbins data that follows the base block.
    var hbinsSize: UInt32
    /// The embedded file name (often the tail of the original path).
    package var fileName: String
    /// The checksum stored at offset 508.
    var storedChecksum: UInt32
    /// The checksum computed over bytes 0..<508.
    var computedChecksum: UInt32

    /// Whether the sequence numbers differ, meaning changes may sit in the transaction logs.
    var sequencesDiffer: Bool { primarySequence != secondarySequence }
    /// Whether the stored checksum matches.
    var checksumValid: Bool { storedChecksum == computedChecksum }

    /// Parses a base block; `reader` must start at file offset 0 and hold 4096 bytes.
    /// - Throws: ``BinaryFormatError`` for a short block, a wrong signature or an unknown major version.
    package init(parsing reader: inout ByteReader) throws {
        guard reader.count >= RegistryBaseBlock.size else {
            throw reader.error(
                "truncated: a base block needs \(RegistryBaseBlock.size) bytes, the file holds \(reader.count)", at: 0)
        }
        let signature = try reader.bytes(count: 4)
        guard signature == Array("regf".utf8) else {
            throw reader.error("signature is \(RegistryBaseBlock.printable(signature)), expected \"regf\"", at: 0)
        }
        primarySequence = try reader.u32(.little)
        secondarySequence = try reader.u32(.little)
        lastWritten = try reader.u64(.little)
        majorVersion = try reader.u32(.little)
        minorVersion = try reader.u32(.little)
        fileType = try reader.u32(.little)
        guard majorVersion == 1 else {
            throw reader.error("major version \(majorVersion) is not 1", at: 20)
        }
        try reader.seek(to: 36)
        rootCellOffset = try reader.u32(.little)
        hbinsSize = try reader.u32(.little)
        try reader.seek(to: 48)
        fileName = try reader.utf16(byteCount: 64, .little, stopAtNUL: true)
        try reader.seek(to: 508)
        storedChecksum = try reader.u32(.little)
        computedChecksum = RegistryBaseBlock.checksum(try reader.copy(0..<508))
    }

    /// XOR-32 over the first 508 bytes, with Windows' two special cases (0xFFFFFFFF → 0xFFFFFFFE, 0 → 1).
    package static func checksum(_ bytes: [UInt8]) -> UInt32 {
        let reader = ByteReader(bytes, structure: "regf base block")
        var sum: UInt32 = 0
        var index = 0
        while index + 4 <= min(bytes.count, 508) {
            sum ^= (try? reader.u32(at: index, .little)) ?? 0  // inside the bytes: the loop's bound
            index += 4
        }
        if sum == 0xFFFF_FFFF { return 0xFFFF_FFFE }
        if sum == 0 { return 1 }
        return sum
    }

    static func printable(_ bytes: [UInt8]) -> String {
        let text = bytes.map { $0 >= 0x20 && $0 < 0x7F ? String(UnicodeScalar($0)) : "\\x" + hexByte($0) }.joined()
        return "\"\(text)\""
    }

    package static func hexByte(_ byte: UInt8) -> String {
        let text = String(byte, radix: 16, uppercase: true)
        return text.count == 1 ? "0" + text : text
    }
}
