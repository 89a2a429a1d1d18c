// Reference: MS-FSCC 2.1.2.4 (symbolic link reparse data buffer) and 2.1.2.5 (mount point reparse data
// buffer), as ntfs-3g exposes them in the `system.ntfs_reparse_data` extended attribute.
import HVXBinary

/// An NTFS symlink or junction's reparse data.
///
/// | off | size | field |
/// |---|---|---|
/// | 0 | 4 | reparse tag (0xA000000C symlink, 0xA0000003 mount point / junction) |
/// | 4 | 2 | data length (bytes after this 8-byte header) |
/// | 6 | 2 | reserved |
/// | 8 | 2 | substitute name offset (from the path buffer) |
/// | 10 | 2 | substitute name length (bytes) |
/// | 12 | 2 | print name offset |
/// | 14 | 2 | print name length |
/// | 16 | 4 | flags, symlinks only (1 = relative) |
/// | 20 / 16 | … | path buffer, UTF-16LE |
package struct ReparsePoint: Equatable, Sendable {
    /// What kind of link the tag says it is.
    package enum Kind: String, Sendable, Codable {
        case symlink
        case junction
    }

    /// Reparse tag of an NTFS symbolic link.
    package static let symlinkTag: UInt32 = 0xA000_000C
    /// Reparse tag of a junction or volume mount point.
    package static let mountPointTag: UInt32 = 0xA000_0003

    /// Symlink or junction.
    package var kind: Kind
    /// The substitute name: the target as the system resolves it (`\??\D:\VMs\x.xml`, or relative).
    var substituteName: String
    /// The print name: the target as shown to users.
    var printName: String
    /// Whether a symlink's target is relative to the link's folder.
    var isRelative: Bool

    /// Parses a REPARSE_DATA_BUFFER.
    /// - Throws: ``BinaryFormatError`` for a tag other than symlink/junction, or names outside the buffer.
    package init(parsing bytes: [UInt8]) throws {
        var reader = ByteReader(bytes, structure: "NTFS reparse data")
        let tag = try reader.u32(.little)
        let dataLength = Int(try reader.u16(.little))
        try reader.skip(2)
        guard dataLength <= reader.remaining else {
            throw reader.error("data length \(dataLength) exceeds the \(reader.remaining) bytes present", at: 4)
        }
        switch tag {
        case ReparsePoint.symlinkTag: kind = .symlink
        case ReparsePoint.mountPointTag: kind = .junction
        default: throw reader.error("reparse tag \(hex(tag)) is not a symlink or junction", at: 0)
        }
        let substituteOffset = Int(try reader.u16(.little))
        let substituteLength = Int(try reader.u16(.little))
        let printOffset = Int(try reader.u16(.little))
        let printLength = Int(try reader.u16(.little))
        isRelative = kind == .symlink ? (try reader.u32(.little)) & 1 == 1 : false
        let buffer = try reader.sub(
            at: reader.position, count: 8 + dataLength - reader.position, structure: "NTFS reparse path buffer")
        var substitute = try buffer.sub(at: substituteOffset, count: substituteLength)
        var print = try buffer.sub(at: printOffset, count: printLength)
        substituteName = try substitute.utf16(byteCount: substituteLength, .little)
        printName = try print.utf16(byteCount: printLength, .little)
    }

    /// The target as a Windows path for an absolute link, resolving `\??\` forms.
    var absoluteTarget: WindowsPath? {
        isRelative ? nil : WindowsPath(substituteName) ?? WindowsPath(printName)
    }
}
