// Reference: UEFI Specification 2.10, 5.2.1 "Legacy Master Boot Record (MBR)", Table 5.1; the disk signature
// at 440 is what Windows stores in MountedDevices (12-byte form) to name a partition.
import HVXBinary

/// Sector 0 of an MBR-partitioned disk, or an extended boot record (same layout, only two records used).
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 440 | boot code |
/// | 440 | 4 | unique MBR disk signature (little-endian) |
/// | 444 | 2 | unknown (zero) |
/// | 446 | 64 | four ``MBRPartitionEntry`` records |
/// | 510 | 2 | signature 0x55 0xAA |
package struct MasterBootRecord: Sendable, Equatable {
    /// Bytes in the sector that holds it.
    package static let size = 512
    /// The disk signature Windows names MBR partitions by.
    package var diskSignature: UInt32
    /// The four partition records in slot order (empty ones included).
    package var entries: [MBRPartitionEntry]

    /// Parses a 512-byte sector.
    /// - Throws: ``BinaryFormatError`` when the sector is short or lacks the 0x55AA signature.
    package init(parsing reader: inout ByteReader) throws {
        guard reader.count >= MasterBootRecord.size else {
            throw reader.error("truncated: needs \(MasterBootRecord.size) bytes, got \(reader.count)", at: 0)
        }
        let signature = try reader.peek(UInt16.self, at: 510, .little)
        guard signature == 0xAA55 else {
            throw reader.error("no 0x55AA boot signature (found \(hex(signature)))", at: 510)
        }
        diskSignature = try reader.peek(UInt32.self, at: 440, .little)
        try reader.seek(to: 446)
        entries = try (0..<4).map { _ in try MBRPartitionEntry(parsing: &reader) }
    }

    /// Why the four records cannot be a partition table, or nil when they can: every non-empty record has a valid
    /// status byte, sane CHS triples and a starting LBA past sector 0; no two overlap (a hybrid MBR's 0xEE record
    /// spans the others and is left out); and when there are records, not all of them start past the disk's end
    /// (`diskSectors`: a truncated image keeps its first partitions).
    func invalidity(diskSectors: UInt64) -> String? {
        var problems: [String] = []
        let used = entries.enumerated().filter { !$0.element.isEmpty }
        for (slot, entry) in used {
            if let problem = entry.problem { problems.append("slot \(slot + 1): \(problem)") }
        }
        let ranged = used.filter { !$0.element.isGPTProtective }
        for (index, (slot, entry)) in ranged.enumerated() {
            for (otherSlot, other) in ranged.dropFirst(index + 1) where entry.lbaRange.overlaps(other.lbaRange) {
                problems.append("slots \(slot + 1) and \(otherSlot + 1) overlap")
            }
        }
        if !ranged.isEmpty, ranged.allSatisfy({ $0.element.lbaRange.lowerBound >= diskSectors }) {
            problems.append("every record starts past the end of the \(diskSectors)-sector disk")
        }
        return problems.isEmpty ? nil : problems.joined(separator: "; ")
    }

    /// Whether the record is a GPT protective (or hybrid) MBR.
    var isProtective: Bool { entries.contains { $0.isGPTProtective } }
}
