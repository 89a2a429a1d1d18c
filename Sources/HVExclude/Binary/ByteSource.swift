/// Bytes addressed by offset that are not a host file of their own: a partition of a disk image, a virtual
/// disk's guest view, a file inside an NTFS volume read through its runlists.
///
/// A ``FileReader`` can be opened over one, so every parser that reads a `FileReader` (hives, VMCX, VHDX, VHD,
/// partition tables) reads such bytes unchanged.
package protocol ByteSource: Sendable {
    /// Size in bytes; reads stop there.
    var size: UInt64 { get }
    /// Up to `count` bytes at `offset`; fewer only at the end.
    /// - Throws: an I/O error or a ``BinaryFormatError`` naming the structure that could not be followed.
    func read(at offset: UInt64, count: Int) throws -> [UInt8]
}

/// A window `[offset, offset + size)` of another source: one partition of a disk.
package struct ByteRange: ByteSource {
    /// The whole source.
    package let base: any ByteSource
    /// Where the window starts in `base`.
    package let offset: UInt64
    package let size: UInt64

    /// A window of `base`; `size` is cut to what `base` holds.
    package init(_ base: any ByteSource, offset: UInt64, size: UInt64) {
        self.base = base
        self.offset = offset
        let available = base.size > offset ? base.size - offset : 0
        self.size = min(size, available)
    }

    package func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        guard offset < size, count > 0 else { return [] }
        let wanted = Int(min(UInt64(count), size - offset))
        return try base.read(at: self.offset + offset, count: wanted)
    }
}

/// Bytes held in memory (tests, fuzzing, small resident NTFS attributes).
package struct MemoryBytes: ByteSource {
    /// The bytes.
    package let bytes: [UInt8]
    package var size: UInt64 { UInt64(bytes.count) }

    /// Wraps `bytes`.
    package init(_ bytes: [UInt8]) { self.bytes = bytes }

    package func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        guard offset < size, count > 0 else { return [] }
        let start = Int(offset)
        return Array(bytes[start..<min(bytes.count, start + count)])
    }
}
