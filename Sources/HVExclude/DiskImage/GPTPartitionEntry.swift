// Reference: UEFI Specification 2.10, 5.3.3 "GPT Partition Entry Array", Table 5.6; type GUIDs from
// Microsoft's "PARTITION_INFORMATION_GPT" documentation.
import HVXBinary

/// One entry of the GPT partition entry array.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 16 | partition type GUID (zero: unused entry) |
/// | 16 | 16 | unique partition GUID — what Windows stores in MountedDevices (`DMIO:ID:` form) |
/// | 32 | 8 | starting LBA |
/// | 40 | 8 | ending LBA (inclusive) |
/// | 48 | 8 | attributes |
/// | 56 | 72 | partition name, UTF-16LE, NUL-padded |
package struct GPTPartitionEntry: Sendable, Equatable {
    /// Partition type GUID.
    var typeGUID: GUID
    /// Unique partition GUID.
    package var partitionGUID: GUID
    /// First LBA.
    var startingLBA: UInt64
    /// Last LBA, inclusive.
    var endingLBA: UInt64
    /// Attribute bits.
    package var attributes: UInt64
    /// The partition's name.
    package var name: String

    /// Parses one entry at the reader's position (reads 128 bytes; larger entries are skipped by the caller).
    /// - Throws: ``BinaryFormatError`` when fewer than 128 bytes remain.
    package init(parsing reader: inout ByteReader) throws {
        try reader.require(128)
        typeGUID = try reader.guid()
        partitionGUID = try reader.guid()
        startingLBA = try reader.u64(.little)
        endingLBA = try reader.u64(.little)
        attributes = try reader.u64(.little)
        name = try reader.utf16(byteCount: 72, .little, stopAtNUL: true)
    }

    /// Whether the entry is unused.
    package var isUnused: Bool { typeGUID.isZero }

    /// Microsoft basic data (NTFS, FAT, exFAT data volumes).
    static let basicData = GUID("EBD0A0A2-B9E5-4433-87C0-68B6B72699C7")!
    /// EFI system partition.
    static let efiSystem = GUID("C12A7328-F81F-11D2-BA4B-00A0C93EC93B")!
    /// Microsoft reserved partition.
    static let microsoftReserved = GUID("E3C9E316-0B5C-4DB8-817D-F92DF00215AE")!
    /// Windows recovery environment.
    static let windowsRecovery = GUID("DE94BBA4-06D1-4D40-A16A-BFD50179D6AC")!
    /// Storage Spaces / dynamic disk metadata and data (LDM).
    static let ldmMetadata = GUID("5808C8AA-7E8F-42E0-85D2-E1E90434CFB3")!
    /// LDM data.
    static let ldmData = GUID("AF9B60A0-1431-4F62-BC68-3311714A69AD")!
    /// Linux file system data.
    static let linuxData = GUID("0FC63DAF-8483-4772-8E79-3D69D8477DE4")!

    /// A name for a type GUID, for listings.
    package static func typeName(_ type: GUID) -> String {
        switch type {
        case basicData: return "Microsoft basic data"
        case efiSystem: return "EFI system"
        case microsoftReserved: return "Microsoft reserved"
        case windowsRecovery: return "Windows recovery"
        case ldmMetadata: return "LDM metadata"
        case ldmData: return "LDM data"
        case linuxData: return "Linux data"
        default: return type.description
        }
    }
}
