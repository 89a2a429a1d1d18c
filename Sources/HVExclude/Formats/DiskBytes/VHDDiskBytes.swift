// Reference: Microsoft "Virtual Hard Disk Image Format Specification" 1.0 (Block Allocation Table and Data
// Blocks; sector bitmap); libyal libvhdi "VHD image format".
import HVXBinary

/// The guest view of a VHD: a fixed disk's bytes before the footer, or a dynamic/differencing disk's blocks through
/// its BAT (big-endian sector numbers, 0xFFFFFFFF unallocated; each block a sector bitmap, then the data). A
/// differencing disk reads sectors whose bitmap bit is clear, and unallocated blocks, from its parent.
package final class VHDDiskBytes: ByteSource {
    package let size: UInt64
    package let file: FileReader
    package let header: VHDFile
    package let parent: (any ByteSource)?
    package let table: [UInt32]
    package let blockSize: UInt64
    let bitmapBytes: UInt64
    /// Blocks whose BAT entry points past the end of the file: reading one fails.
    package let pastEnd: BlocksPastEnd

    /// Cap on BAT entries (a 2 TiB disk of 2 MiB blocks has 1 Mi).
    static let maximumEntries: UInt32 = 1 << 22

    /// Opens the guest view of the VHD behind `file`.
    /// - Throws: ``BinaryFormatError`` for a BAT past the end of the file or over the cap.
    package init(file: FileReader, header: VHDFile, parent: (any ByteSource)?) throws {
        self.file = file
        self.header = header
        self.parent = parent
        size = header.footer.currentSize
        guard let dynamic = header.dynamicHeader else {
            table = []
            blockSize = 0
            bitmapBytes = 0
            pastEnd = BlocksPastEnd(path: file.path, fileSize: file.size)
            return
        }
        blockSize = UInt64(dynamic.blockSize)
        guard blockSize >= 512, blockSize.nonzeroBitCount == 1, dynamic.maxTableEntries <= VHDDiskBytes.maximumEntries
        else {
            throw BinaryFormatError(
                "VHD dynamic header", at: dynamic.offset,
                "block size \(blockSize) or \(dynamic.maxTableEntries) BAT entries unusable")
        }
        let sectors = blockSize / 512
        bitmapBytes = ((sectors / 8 + 511) / 512) * 512
        let count = Int(dynamic.maxTableEntries)
        let raw = try file.readUnbudgeted(at: dynamic.tableOffset, count: count * 4)
        guard raw.count == count * 4 else {
            throw BinaryFormatError("VHD BAT", at: dynamic.tableOffset, "truncated: the file ends inside the BAT")
        }
        let bat = ByteReader(raw, baseOffset: dynamic.tableOffset, structure: "VHD BAT")
        var table = [UInt32](repeating: 0, count: count)
        var pastEnd = BlocksPastEnd(path: file.path, fileSize: file.size)
        for index in 0..<count {
            let value = try bat.u32(at: index * 4, .big)
            table[index] = value
            if value != 0xFFFF_FFFF {
                pastEnd.check(
                    entry: index, block: UInt64(index), what: "VHD data block \(index)",
                    offset: UInt64(value) * 512, length: bitmapBytes + blockSize)
            }
        }
        self.table = table
        self.pastEnd = pastEnd
    }

    package func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        guard offset < size, count > 0 else { return [] }
        let wanted = Int(min(UInt64(count), size - offset))
        if header.footer.diskType == 2 { return try file.readUnbudgeted(at: offset, count: wanted) }
        var output: [UInt8] = []
        output.reserveCapacity(wanted)
        var position = offset
        let end = offset + UInt64(wanted)
        let differencing = header.footer.diskType == 4
        while position < end {
            let block = Int(position / blockSize)
            let within = position % blockSize
            let sector = block < table.count ? table[block] : 0xFFFF_FFFF
            if sector == 0xFFFF_FFFF {
                let piece = min(end - position, blockSize - within)
                output += try gap(at: position, count: piece, differencing: differencing)
                position += piece
                continue
            }
            // Never the parent's bytes (nor zeros) for a block the file does not hold.
            try pastEnd.require(entry: block)
            let blockStart = UInt64(sector) * 512
            let piece = differencing ? min(end - position, 512 - within % 512) : min(end - position, blockSize - within)
            if differencing {
                let bitmap = try file.readUnbudgeted(at: blockStart + (within / 512) / 8, count: 1)
                let bit = UInt8(0x80) >> UInt8((within / 512) % 8)
                if bitmap.first.map({ $0 & bit == 0 }) ?? true {
                    output += try gap(at: position, count: piece, differencing: true)
                    position += piece
                    continue
                }
            }
            let bytes = try file.readUnbudgeted(at: blockStart + bitmapBytes + within, count: Int(piece))
            guard bytes.count == Int(piece) else {
                throw BinaryFormatError("VHD data block", at: blockStart, "truncated: the file ends inside the block")
            }
            output += bytes
            position += piece
        }
        return output
    }

    private func gap(at offset: UInt64, count: UInt64, differencing: Bool) throws -> [UInt8] {
        if differencing, let parent {
            var bytes = try parent.read(at: offset, count: Int(count))
            if bytes.count < Int(count) { bytes += [UInt8](repeating: 0, count: Int(count) - bytes.count) }
            return bytes
        }
        return [UInt8](repeating: 0, count: Int(count))
    }
}
