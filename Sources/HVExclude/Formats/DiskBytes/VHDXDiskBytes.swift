// Reference: MS-VHDX 2.5 (BAT: payload and sector bitmap blocks, block states, chunk ratio), 2.6.1 (sector
// bitmap); libyal libvhdi "VHDX image format" (block allocation table).
import HVXBinary

/// A BAT entry: the state of one block and where it starts in the file.
///
/// | bits | field |
/// |---|---|
/// | 0–2 | state (payload: 0 not present, 1 undefined, 2 zero, 3 unmapped, 6 fully present, 7 partially present; sector bitmap: 0 not present, 6 present) |
/// | 3–19 | reserved |
/// | 20–63 | file offset in MiB |
package struct VHDXBATEntry: Sendable, Equatable {
    package var state: UInt8
    var fileOffset: UInt64

    package init(_ raw: UInt64) {
        state = UInt8(raw & 7)
        fileOffset = (raw >> 20) << 20
    }

    static let fullyPresent: UInt8 = 6
    static let partiallyPresent: UInt8 = 7
}

/// The guest view of a VHDX (fixed, dynamic or differencing): virtual disk bytes through its BAT, blocks not
/// present in a differencing disk read from its parent.
package final class VHDXDiskBytes: ByteSource {
    package let size: UInt64
    package let file: FileReader
    package let header: VHDXFile
    package let parent: (any ByteSource)?
    package let entries: [UInt64]
    package let blockSize: UInt64
    package let sectorSize: UInt64
    let chunkRatio: UInt64
    /// Payload and sector bitmap blocks whose BAT entry points past the end of the file: reading one fails.
    package let pastEnd: BlocksPastEnd

    /// Cap on the BAT read into memory (a 64 TiB disk with 1 MiB blocks has 64 Mi entries; refuse beyond 512 MiB).
    static let maximumBATBytes: UInt64 = 512 << 20

    /// Opens the guest view of the VHDX behind `file`; `parent` serves a differencing disk's missing blocks.
    /// - Throws: ``BinaryFormatError`` for a BAT past the end, too small for the disk, or over the cap.
    package init(file: FileReader, header: VHDXFile, parent: (any ByteSource)?) throws {
        self.file = file
        self.header = header
        self.parent = parent
        size = header.virtualDiskSize
        blockSize = UInt64(header.blockSize)
        sectorSize = UInt64(header.logicalSectorSize ?? 512)
        guard blockSize >= 1 << 20, blockSize.nonzeroBitCount == 1, sectorSize == 512 || sectorSize == 4096 else {
            throw BinaryFormatError(
                "VHDX file parameters", at: 0,
                "block size \(blockSize) / sector size \(sectorSize) unusable for reading data")
        }
        chunkRatio = ((1 << 23) * sectorSize) / blockSize
        let dataBlocks = (size + blockSize - 1) / blockSize
        let entryCount =
            header.hasParent
            ? ((dataBlocks + chunkRatio - 1) / chunkRatio) * (chunkRatio + 1)
            : dataBlocks + (dataBlocks == 0 ? 0 : (dataBlocks - 1) / chunkRatio)
        let bytes = try Checked.multiply(entryCount, 8, "VHDX BAT", at: header.batRegion.fileOffset)
        guard bytes <= UInt64(header.batRegion.length), bytes <= VHDXDiskBytes.maximumBATBytes else {
            throw BinaryFormatError(
                "VHDX BAT", at: header.batRegion.fileOffset,
                "needs \(bytes) bytes for \(dataBlocks) blocks, the region has \(header.batRegion.length) (cap \(VHDXDiskBytes.maximumBATBytes))"
            )
        }
        let raw = try file.readUnbudgeted(at: header.batRegion.fileOffset, count: Int(bytes))
        guard raw.count == Int(bytes) else {
            throw BinaryFormatError(
                "VHDX BAT", at: header.batRegion.fileOffset, "truncated: the file ends inside the BAT")
        }
        let bat = ByteReader(raw, baseOffset: header.batRegion.fileOffset, structure: "VHDX BAT")
        var entries = [UInt64](repeating: 0, count: Int(entryCount))
        for index in 0..<Int(entryCount) { entries[index] = try bat.u64(at: index * 8, .little) }
        self.entries = entries
        pastEnd = VHDXDiskBytes.blocksPastEnd(
            entries, file: file, blockSize: blockSize, chunkRatio: chunkRatio, differencing: header.hasParent)
    }

    /// The present payload blocks (fully or partially) and sector bitmap blocks that do not lie inside the file.
    static func blocksPastEnd(
        _ entries: [UInt64], file: FileReader, blockSize: UInt64, chunkRatio: UInt64, differencing: Bool
    ) -> BlocksPastEnd {
        var pastEnd = BlocksPastEnd(path: file.path, fileSize: file.size)
        for (index, raw) in entries.enumerated() {
            let entry = VHDXBATEntry(raw)
            let isBitmap = UInt64(index) % (chunkRatio + 1) == chunkRatio
            let chunk = UInt64(index) / (chunkRatio + 1)
            if isBitmap, differencing, entry.state == VHDXBATEntry.fullyPresent {
                let first = chunk * chunkRatio
                let last = first + chunkRatio - 1
                let what = "VHDX sector bitmap block of chunk \(chunk) (payload blocks \(first)–\(last))"
                pastEnd.check(entry: index, block: first, what: what, offset: entry.fileOffset, length: 1 << 20)
            } else if !isBitmap,
                entry.state == VHDXBATEntry.fullyPresent
                    || (differencing && entry.state == VHDXBATEntry.partiallyPresent)
            {
                let block = UInt64(index) - chunk
                pastEnd.check(
                    entry: index, block: block, what: "VHDX payload block \(block)",
                    offset: entry.fileOffset, length: blockSize)
            }
        }
        return pastEnd
    }

    package func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        guard offset < size, count > 0 else { return [] }
        let end = offset + min(UInt64(count), size - offset)
        var output: [UInt8] = []
        output.reserveCapacity(Int(end - offset))
        var position = offset
        while position < end {
            let block = position / blockSize
            let within = position % blockSize
            let piece = min(end - position, blockSize - within)
            let index = Int(block + block / chunkRatio)
            let entry = VHDXBATEntry(entries[index])
            switch entry.state {
            case VHDXBATEntry.fullyPresent:
                try pastEnd.require(entry: index)
                output += try present(entry, within: within, count: piece)
            case VHDXBATEntry.partiallyPresent where header.hasParent:
                try pastEnd.require(entry: index)
                output += try partial(entry, block: block, position: position, within: within, count: piece)
            default:
                if header.hasParent && (entry.state == 0 || entry.state == 1 || entry.state == 3), let parent {
                    output += try fromParent(parent, at: position, count: piece)
                } else {
                    output += [UInt8](repeating: 0, count: Int(piece))
                }
            }
            position += piece
        }
        return output
    }

    private func present(_ entry: VHDXBATEntry, within: UInt64, count: UInt64) throws -> [UInt8] {
        let bytes = try file.readUnbudgeted(at: entry.fileOffset + within, count: Int(count))
        guard bytes.count == Int(count) else {
            throw BinaryFormatError(
                "VHDX payload block", at: entry.fileOffset, "truncated: the file ends inside the block")
        }
        return bytes
    }

    private func fromParent(_ parent: any ByteSource, at offset: UInt64, count: UInt64) throws -> [UInt8] {
        var bytes = try parent.read(at: offset, count: Int(count))
        if bytes.count < Int(count) { bytes += [UInt8](repeating: 0, count: Int(count) - bytes.count) }
        return bytes
    }

    /// A partially present block: each sector from this file when its sector bitmap bit is set, else the parent.
    private func partial(
        _ entry: VHDXBATEntry, block: UInt64, position: UInt64, within: UInt64, count: UInt64
    ) throws -> [UInt8] {
        let chunk = block / chunkRatio
        let bitmapIndex = Int(chunk * (chunkRatio + 1) + chunkRatio)
        let bitmapEntry = VHDXBATEntry(entries[bitmapIndex])
        try pastEnd.require(entry: bitmapIndex)
        guard bitmapEntry.state == VHDXBATEntry.fullyPresent else {
            throw BinaryFormatError(
                "VHDX BAT", at: header.batRegion.fileOffset,
                "block \(block) is partially present but its sector bitmap is not")
        }
        let sectorsPerBlock = blockSize / sectorSize
        let firstSector = (block % chunkRatio) * sectorsPerBlock + within / sectorSize
        let lastSector = (block % chunkRatio) * sectorsPerBlock + (within + count - 1) / sectorSize
        let bitmap = try file.readUnbudgeted(
            at: bitmapEntry.fileOffset + firstSector / 8, count: Int(lastSector / 8 - firstSector / 8 + 1))
        var output: [UInt8] = []
        var at = position
        let end = position + count
        while at < end {
            let sector = (block % chunkRatio) * sectorsPerBlock + (at % blockSize) / sectorSize
            let bitIndex = Int(sector / 8 - firstSector / 8)
            let set = bitIndex < bitmap.count && bitmap[bitIndex] & (1 << UInt8(sector % 8)) != 0
            let piece = min(end - at, sectorSize - at % sectorSize)
            if set {
                output += try present(entry, within: at % blockSize, count: piece)
            } else if let parent {
                output += try fromParent(parent, at: at, count: piece)
            } else {
                output += [UInt8](repeating: 0, count: Int(piece))
            }
            at += piece
        }
        return output
    }
}
