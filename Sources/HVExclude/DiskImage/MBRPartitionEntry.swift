// Reference: UEFI Specification 2.10, 5.2.1 "Legacy Master Boot Record (MBR)", Table 5.2 (partition record)
import HVXBinary

/// One 16-byte partition record of an MBR or of an extended boot record (EBR).
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 1 | boot indicator (0x80 active) |
/// | 1 | 3 | starting CHS (head, sector 1–63 + cylinder bits 8–9, cylinder bits 0–7; only checked for sanity) |
/// | 4 | 1 | OS type (0x07 NTFS/exFAT, 0x05/0x0F/0x85 extended, 0xEE GPT protective) |
/// | 5 | 3 | ending CHS (as the starting CHS) |
/// | 8 | 4 | starting LBA (little-endian; relative to the table's reference sector) |
/// | 12 | 4 | size in LBA (little-endian) |
package struct MBRPartitionEntry: Sendable, Equatable {
    /// Boot indicator byte.
    var bootIndicator: UInt8
    /// Starting and ending CHS triples.
    var startCHS: [UInt8]
    var endCHS: [UInt8]
    /// OS type byte.
    package var type: UInt8
    /// Starting LBA, relative to the sector the record's meaning is anchored to.
    var startLBA: UInt32
    /// Number of sectors.
    var sectorCount: UInt32
    /// Bytes per record.
    package static let size = 16

    /// Parses one record at the reader's position.
    /// - Throws: ``BinaryFormatError`` when fewer than 16 bytes remain.
    package init(parsing reader: inout ByteReader) throws {
        try reader.require(MBRPartitionEntry.size)
        bootIndicator = try reader.u8()
        startCHS = try [reader.u8(), reader.u8(), reader.u8()]
        type = try reader.u8()
        endCHS = try [reader.u8(), reader.u8(), reader.u8()]
        startLBA = try reader.u32(.little)
        sectorCount = try reader.u32(.little)
    }

    /// Whether the record describes nothing (type 0 or no sectors).
    package var isEmpty: Bool { type == 0 || sectorCount == 0 }
    /// Whether the record points at an extended partition (a chain of EBRs).
    var isExtended: Bool { [0x05, 0x0F, 0x85].contains(type) }
    /// Whether the record is GPT's protective (or hybrid) 0xEE entry.
    var isGPTProtective: Bool { type == 0xEE }

    /// Why a non-empty record cannot be a partition record (status byte not 0x00/0x80, a CHS triple with sector
    /// 0, starting LBA 0), or nil. A volume boot sector read as an MBR fails here: its code fills these bytes.
    var problem: String? {
        if bootIndicator != 0 && bootIndicator != 0x80 {
            return "status byte \(hex(bootIndicator)) is neither 0x00 nor 0x80"
        }
        for (name, chs) in [("starting", startCHS), ("ending", endCHS)] where chs != [0, 0, 0] && chs[1] & 0x3F == 0 {
            return "\(name) CHS has sector 0 (sectors count from 1)"
        }
        if startLBA == 0 { return "starting LBA 0 (sector 0 is the MBR itself)" }
        return nil
    }

    /// First and one-past-last LBA (64-bit: a record's end may pass 2^32).
    var lbaRange: Range<UInt64> { UInt64(startLBA)..<UInt64(startLBA) + UInt64(sectorCount) }

    /// A name for the OS type byte, for listings.
    package static func typeName(_ type: UInt8) -> String {
        switch type {
        case 0x01, 0x04, 0x06, 0x0B, 0x0C, 0x0E: return "FAT"
        case 0x05, 0x0F, 0x85: return "extended"
        case 0x07: return "NTFS/exFAT"
        case 0x27: return "Windows recovery"
        case 0x42: return "Windows dynamic disk"
        case 0x82: return "Linux swap"
        case 0x83: return "Linux"
        case 0x8E: return "Linux LVM"
        case 0xEE: return "GPT protective"
        case 0xEF: return "EFI system"
        default: return "type " + hex(type)
        }
    }
}
