// Reference: MS-VHDX 2.2 (file layout), 2.6 (metadata region)
import HVXBinary

/// What a VHDX file says about itself, read from its first few hundred kilobytes.
///
/// | absolute offset | size | structure |
/// |---|---|---|
/// | 0 | 64 KiB | ``VHDXFileIdentifier`` |
/// | 0x10000, 0x20000 | 4 KiB each | ``VHDXHeader`` 1 and 2 (current: the valid one with the higher sequence) |
/// | 0x30000, 0x40000 | 64 KiB each | ``VHDXRegionTable`` 1 and 2 (copies) |
/// | region table | | metadata region: ``VHDXMetadataTable`` and its items; BAT region (not read) |
///
/// The BAT itself is never read: only its place is checked, so a 2 TB disk costs the same as a small one.
package struct VHDXFile: Sendable {
    /// The creator recorded in the file identifier.
    package var creator: String
    /// Both headers as parsed (`nil` where invalid; the reason is in ``warnings``).
    var headers: [VHDXHeader?]
    /// Index (0 or 1) of the current header in ``headers``.
    var currentHeaderIndex: Int
    /// The region table in use.
    var regionTable: VHDXRegionTable
    /// The metadata region's entry.
    var metadataRegion: VHDXRegionTable.Entry
    /// The BAT region's entry.
    var batRegion: VHDXRegionTable.Entry
    /// The metadata table.
    var metadataTable: VHDXMetadataTable
    /// Virtual block size in bytes.
    package var blockSize: UInt32
    /// File parameters bit 0: blocks stay allocated (a fixed disk).
    var leaveBlocksAllocated: Bool
    /// File parameters bit 1: a differencing disk.
    var hasParent: Bool
    /// Size of the virtual disk in bytes.
    var virtualDiskSize: UInt64
    /// Logical sector size in bytes (`nil` when the item is missing).
    var logicalSectorSize: UInt32?
    /// Physical sector size in bytes (`nil` when the item is missing).
    var physicalSectorSize: UInt32?
    /// The virtual disk id (page 83 data).
    package var virtualDiskID: GUID?
    /// The parent locator of a differencing disk.
    var parentLocator: VHDXParentLocator?
    /// Non-fatal problems, each a sentence with an offset.
    package var warnings: [Diagnostic]

    /// The current header.
    var currentHeader: VHDXHeader { headers[currentHeaderIndex]! }
    /// The DataWriteGuid of the current header: the identity children link to.
    var dataWriteGuid: GUID { currentHeader.dataWriteGuid }

    /// Reads the identifier, headers, region tables and metadata of the VHDX file behind `file`.
    /// - Throws: ``BinaryFormatError`` when a structure needed to describe the disk is missing or invalid;
    ///   ``SystemError`` on an I/O error.
    package init(reading file: FileReader) throws {
        var warnings: [Diagnostic] = []
        var identifierReader = try file.reader(
            at: VHDXFileIdentifier.offset, count: VHDXFileIdentifier.size, structure: "VHDX file identifier")
        creator = try VHDXFileIdentifier(parsing: &identifierReader).creator

        (headers, currentHeaderIndex) = try VHDXFile.readHeaders(file, warnings: &warnings)
        let current = currentHeaderIndex
        let header = headers[current]!
        if !header.logGuid.isZero {
            warnings.append(
                .vhdxLogNotReplayed, at: .offset(VHDXHeader.offsets[current]),
                "VHDX header \(current + 1) at \(hex(VHDXHeader.offsets[current])): LogGuid \(header.logGuid) is not zero: "
                    + "the log was not replayed, so the metadata read here may be stale")
        }

        let table = try VHDXFile.readRegionTable(file, warnings: &warnings)
        regionTable = table
        let tableStructure = "VHDX region table"
        guard let metadata = table.region(VHDXRegionTable.metadataRegion) else {
            throw BinaryFormatError(tableStructure, at: VHDXRegionTable.offsets[0], "no metadata region")
        }
        guard let bat = table.region(VHDXRegionTable.batRegion) else {
            throw BinaryFormatError(tableStructure, at: VHDXRegionTable.offsets[0], "no BAT region")
        }
        metadataRegion = metadata
        batRegion = bat
        let batEnd = try Checked.add(bat.fileOffset, UInt64(bat.length), tableStructure, at: bat.entryOffset)
        if batEnd > file.size {
            warnings.append(
                .vhdxBATPastEnd, at: .offset(bat.fileOffset),
                "VHDX BAT region at \(hex(bat.fileOffset)) (\(bat.length) bytes) lies past the end of the file "
                    + "(size \(hex(file.size))): the disk's data is cut off; metadata read on")
        }

        // Metadata table and items.
        guard metadata.length >= UInt32(VHDXMetadataTable.size) else {
            throw BinaryFormatError(
                tableStructure, at: metadata.entryOffset,
                "metadata region of \(metadata.length) bytes is smaller than its 64 KiB table")
        }
        _ = try Checked.add(metadata.fileOffset, UInt64(metadata.length), tableStructure, at: metadata.entryOffset)
        var metadataReader = try file.reader(
            at: metadata.fileOffset, count: VHDXMetadataTable.size, structure: "VHDX metadata table")
        let items = try VHDXMetadataTable(parsing: &metadataReader, regionLength: metadata.length)
        metadataTable = items

        let described = try VHDXFile.readItems(file, metadata: metadata, items: items, warnings: &warnings)
        blockSize = described.blockSize
        leaveBlocksAllocated = described.leaveBlocksAllocated
        hasParent = described.hasParent
        virtualDiskSize = described.virtualDiskSize
        logicalSectorSize = described.logicalSectorSize
        physicalSectorSize = described.physicalSectorSize
        virtualDiskID = described.virtualDiskID
        parentLocator = described.parentLocator
        self.warnings = warnings
    }

    /// The metadata items that describe the disk (MS-VHDX 2.6.2).
    struct DescribedDisk {
        var blockSize: UInt32 = 0
        var leaveBlocksAllocated = false
        var hasParent = false
        var virtualDiskSize: UInt64 = 0
        var logicalSectorSize: UInt32?
        var physicalSectorSize: UInt32?
        var virtualDiskID: GUID?
        var parentLocator: VHDXParentLocator?
    }

    /// Reads the metadata items of `items` (in the metadata region `metadata`): file parameters and virtual disk
    /// size are required, the sector sizes, disk id and parent locator optional.
    /// - Throws: ``BinaryFormatError`` when a required item is missing or an item is shorter than its content.
    static func readItems(
        _ file: FileReader, metadata: VHDXRegionTable.Entry, items: VHDXMetadataTable, warnings: inout [Diagnostic]
    ) throws -> DescribedDisk {
        var described = DescribedDisk()
        func item(_ guid: GUID, _ name: String, minimum: Int) throws -> ByteReader? {
            guard let entry = items.item(guid) else { return nil }
            guard Int(entry.length) >= minimum else {
                throw BinaryFormatError(
                    "VHDX metadata table", at: entry.entryOffset,
                    "\(name) item is \(entry.length) bytes, needs \(minimum)")
            }
            let offset = metadata.fileOffset + UInt64(entry.offset)
            return try file.reader(at: offset, count: Int(entry.length), structure: "VHDX \(name)")
        }

        guard var parameters = try item(VHDXMetadataTable.fileParameters, "file parameters", minimum: 8) else {
            throw BinaryFormatError("VHDX metadata table", at: metadata.fileOffset, "no file parameters item")
        }
        described.blockSize = try parameters.u32(.little)
        let flags = try parameters.u32(.little)
        described.leaveBlocksAllocated = flags & 1 != 0
        described.hasParent = flags & 2 != 0
        if let problem = blockSizeProblem(described.blockSize, at: parameters.baseOffset) { warnings.append(problem) }

        guard var size = try item(VHDXMetadataTable.virtualDiskSize, "virtual disk size", minimum: 8) else {
            throw BinaryFormatError("VHDX metadata table", at: metadata.fileOffset, "no virtual disk size item")
        }
        described.virtualDiskSize = try size.u64(.little)

        if var reader = try item(VHDXMetadataTable.logicalSectorSize, "logical sector size", minimum: 4) {
            described.logicalSectorSize = try reader.u32(.little)
        }
        if var reader = try item(VHDXMetadataTable.physicalSectorSize, "physical sector size", minimum: 4) {
            described.physicalSectorSize = try reader.u32(.little)
        }
        if var reader = try item(VHDXMetadataTable.virtualDiskID, "virtual disk id", minimum: 16) {
            described.virtualDiskID = try reader.guid()
        }
        if var reader = try item(VHDXMetadataTable.parentLocator, "parent locator", minimum: 0) {
            let locator = try VHDXParentLocator(parsing: &reader)
            if locator.locatorType != VHDXParentLocator.vhdxParentType {
                warnings.append(
                    .vhdxLocatorTypeUnknown, at: .offset(reader.baseOffset),
                    "VHDX parent locator at \(hex(reader.baseOffset)): unknown locator type \(locator.locatorType); "
                        + "its entries are not used to find the parent")
            }
            described.parentLocator = locator
        }
        if described.hasParent && described.parentLocator == nil {
            warnings.append(
                .vhdxParentLocatorMissing, at: .offset(parameters.baseOffset),
                "VHDX file parameters at \(hex(parameters.baseOffset)): HasParent is set but there is no parent locator"
            )
        }
        return described
    }

    /// The warning for a block size that is not a power of two between 1 MiB and 256 MiB (MS-VHDX 2.6.2.1).
    static func blockSizeProblem(_ blockSize: UInt32, at offset: UInt64) -> Diagnostic? {
        guard blockSize < 1 << 20 || blockSize > 256 << 20 || blockSize & (blockSize - 1) != 0 else { return nil }
        return Diagnostic(
            .vhdxBlockSize, at: .offset(offset),
            "VHDX file parameters at \(hex(offset)): block size \(blockSize) is not a power of two "
                + "between 1 MiB and 256 MiB")
    }

    /// Both headers (nil where invalid) and the index of the one in use: the valid one with the higher
    /// sequence wins; one bad copy is survivable.
    /// - Throws: ``BinaryFormatError`` when neither is valid.
    static func readHeaders(
        _ file: FileReader, warnings: inout [Diagnostic]
    ) throws -> (headers: [VHDXHeader?], current: Int) {
        var headers: [VHDXHeader?] = []
        var headerErrors: [BinaryFormatError] = []
        for (index, offset) in VHDXHeader.offsets.enumerated() {
            do {
                var reader = try file.reader(at: offset, count: VHDXHeader.size, structure: "VHDX header \(index + 1)")
                headers.append(try VHDXHeader(parsing: &reader))
            } catch let error as BinaryFormatError {
                headers.append(nil)
                headerErrors.append(error)
            }
        }
        guard let current = VHDXFile.currentHeader(headers) else {
            throw BinaryFormatError(
                "VHDX headers", at: VHDXHeader.offsets[0],
                "neither header is valid: " + headerErrors.map(\.description).joined(separator: "; "))
        }
        for error in headerErrors {
            warnings.append(.vhdxHeaderDamaged, at: .offset(error.offset), "\(error); using the other header")
        }
        return (headers, current)
    }

    /// The region table: the copies should agree; the first valid one is used.
    /// - Throws: ``BinaryFormatError`` when neither copy is valid.
    static func readRegionTable(_ file: FileReader, warnings: inout [Diagnostic]) throws -> VHDXRegionTable {
        var tables: [VHDXRegionTable?] = []
        var tableErrors: [BinaryFormatError] = []
        for (index, offset) in VHDXRegionTable.offsets.enumerated() {
            do {
                var reader = try file.reader(
                    at: offset, count: VHDXRegionTable.size, structure: "VHDX region table \(index + 1)")
                tables.append(try VHDXRegionTable(parsing: &reader))
            } catch let error as BinaryFormatError {
                tables.append(nil)
                tableErrors.append(error)
            }
        }
        guard let table = tables.compactMap({ $0 }).first else {
            throw BinaryFormatError(
                "VHDX region tables", at: VHDXRegionTable.offsets[0],
                "neither copy is valid: " + tableErrors.map(\.description).joined(separator: "; "))
        }
        for error in tableErrors {
            warnings.append(.vhdxRegionTableDamaged, at: .offset(error.offset), "\(error); using the other copy")
        }
        if let first = tables[0], let second = tables[1],
            first.entries.map(\.guid) != second.entries.map(\.guid)
                || first.entries.map(\.fileOffset) != second.entries.map(\.fileOffset)
        {
            warnings.append(
                .vhdxRegionTablesDiffer, at: .offset(VHDXRegionTable.offsets[0]),
                "VHDX region tables at 0x30000 and 0x40000 differ; using table 1")
        }
        return table
    }

    /// Index of the valid header with the higher sequence number (header 1 on a tie).
    static func currentHeader(_ headers: [VHDXHeader?]) -> Int? {
        var best: Int?
        for (index, header) in headers.enumerated() {
            guard let header else { continue }
            if let chosen = best, headers[chosen]!.sequenceNumber >= header.sequenceNumber { continue }
            best = index
        }
        return best
    }
}
