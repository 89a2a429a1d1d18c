// Reference: MS-VHDX 2.2.1 (File Type Identifier)
import HVXBinary

/// The file type identifier at offset 0 of a VHDX file: the signature and the creator's name.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 8 | signature `vhdxfile` |
/// | 8 | 512 | creator, UTF-16LE, NUL-padded (e.g. "Microsoft Windows 10.0.17763.0") |
package struct VHDXFileIdentifier: Sendable, Equatable {
    /// The bytes read for this structure (the rest of the 64 KiB is reserved).
    package static let size = 520
    /// Absolute offset of the identifier.
    package static let offset: UInt64 = 0
    /// `vhdxfile` as stored.
    package static let signature: [UInt8] = Array("vhdxfile".utf8)

    /// The program that created the file, as it wrote itself.
    package var creator: String

    /// Parses the identifier from a reader over its first ``size`` bytes.
    /// - Throws: ``BinaryFormatError`` on a short read or a wrong signature.
    package init(parsing reader: inout ByteReader) throws {
        try reader.require(VHDXFileIdentifier.size)
        let start = reader.position
        let magic = try reader.bytes(count: 8)
        guard magic == VHDXFileIdentifier.signature else {
            throw reader.error("signature is not \"vhdxfile\"", at: start)
        }
        creator = try reader.utf16(byteCount: 512, .little, stopAtNUL: true)
    }
}
