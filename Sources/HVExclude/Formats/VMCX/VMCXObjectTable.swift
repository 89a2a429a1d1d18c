// Reference: FORMATS.md "VMCX" (HyperVStorageObjectTable / HyperVStorageObjectTableEntry)
import HVXBinary

/// The object table at 0x2000: which regions of the file hold key tables, file objects, free space.
///
/// | off | size | field |
/// |-----|------|-------|
/// | 0x00 | 4 | signature 0x01110001 |
/// | 0x04 | 4 | entry count |
/// | 0x08 | 18 × count | entries (see ``Entry``) |
package struct VMCXObjectTable: Sendable, Equatable {
    /// The table signature.
    package static let signature: UInt32 = 0x0111_0001
    /// Absolute offset of the first object table.
    static let standardOffset: UInt64 = 0x2000
    /// Size of one entry.
    package static let entrySize = 18
    /// Cap on entries per table: far above the 227 of every sample, far below what a hostile count asks for.
    static let maximumEntries = 1 << 20

    /// Object kinds.
    package enum ObjectType: UInt8, Sendable {
        /// Unused slot.
        case unused = 0
        /// A further object table.
        case objectTable = 1
        /// A key table.
        case keyTable = 2
        /// A file object holding one long value.
        case file = 3
        /// Free space (may still hold stale key tables: never read).
        case free = 4
        /// Unknown kind 5.
        case unknown5 = 5
        /// A replay log.
        case replayLog = 6
        /// A change-tracking buffer.
        case changeTrackingBuffer = 7
    }

    /// One 18-byte object entry.
    ///
    /// | off | size | field |
    /// |-----|------|-------|
    /// | 0 | 1 | type (``ObjectType``) |
    /// | 1 | 4 | CRC-32 (IEEE) of the 18 bytes with this field zeroed |
    /// | 5 | 8 | absolute offset |
    /// | 13 | 4 | size |
    /// | 17 | 1 | allocated flag |
    package struct Entry: Sendable, Equatable {
        /// Raw type byte.
        var rawType: UInt8
        /// Type, when known.
        package var type: ObjectType? { ObjectType(rawValue: rawType) }
        /// Stored checksum.
        package var checksum: UInt32
        /// Whether the stored checksum matches.
        var checksumValid: Bool
        /// Absolute offset of the object.
        package var offset: UInt64
        /// Size of the object.
        package var size: UInt32
        /// Whether the object is in use.
        var allocated: Bool
        /// Absolute offset of this entry in the file.
        var entryOffset: UInt64

        /// The memberwise initialiser, `package` for the layers above (Swift synthesises it internal).
        package init(
            rawType: UInt8,
            checksum: UInt32,
            checksumValid: Bool,
            offset: UInt64,
            size: UInt32,
            allocated: Bool,
            entryOffset: UInt64
        ) {
            self.rawType = rawType
            self.checksum = checksum
            self.checksumValid = checksumValid
            self.offset = offset
            self.size = size
            self.allocated = allocated
            self.entryOffset = entryOffset
        }
    }

    /// Absolute offset of the table.
    package var offset: UInt64
    /// The entries, in stored order.
    package var entries: [Entry]

    /// Reads the table at `offset`; checks the signature and that all `count` entries lie inside the file.
    /// - Throws: ``BinaryFormatError`` on a bad signature or a count that runs past the file or the cap.
    package init(file: FileReader, offset: UInt64) throws {
        let structure = "VMCX object table"
        var head = try file.reader(at: offset, count: 8, structure: structure)
        let magic = try head.u32(.little)
        guard magic == VMCXObjectTable.signature else {
            throw BinaryFormatError(
                structure, at: offset, "bad signature \(hex(magic)) (expected \(hex(VMCXObjectTable.signature)))")
        }
        let count = try head.u32(.little)
        let bytes = try Checked.multiply(UInt64(count), UInt64(VMCXObjectTable.entrySize), structure, at: offset + 4)
        let end = try Checked.add(offset + 8, bytes, structure, at: offset + 4)
        guard end <= file.size else {
            throw BinaryFormatError(
                structure, at: offset,
                "entry count \(count) needs \(bytes) bytes up to \(hex(end)), past the end of the file (\(hex(file.size)))"
            )
        }
        guard count <= VMCXObjectTable.maximumEntries else {
            throw BinaryFormatError(
                structure, at: offset, "entry count \(count) exceeds the cap of \(VMCXObjectTable.maximumEntries)")
        }
        var reader = try file.reader(at: offset + 8, count: Int(bytes), structure: structure)
        var entries: [Entry] = []
        entries.reserveCapacity(Int(count))
        for _ in 0..<Int(count) {
            let start = reader.position
            let raw = try reader.copy(start..<start + VMCXObjectTable.entrySize)
            let type = try reader.u8()
            let checksum = try reader.u32(.little)
            let objectOffset = try reader.u64(.little)
            let size = try reader.u32(.little)
            let allocated = try reader.u8() != 0
            entries.append(
                Entry(
                    rawType: type, checksum: checksum,
                    checksumValid: CRC32.ieee.checksum(raw, zeroingFieldAt: 1) == checksum,
                    offset: objectOffset, size: size, allocated: allocated,
                    entryOffset: reader.baseOffset + UInt64(start)))
        }
        self.offset = offset
        self.entries = entries
    }
}
