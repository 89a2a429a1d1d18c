import HVXBinary

/// A VHD/VHDX block whose BAT entry points (wholly or partly) past the end of the file: a half-copied `.avhd`, a
/// truncated download, a damaged BAT. libvhdi fails the read too; the guest bytes of such a block are unknown, so
/// they are neither zeros nor, for a differencing disk, the parent's (stale) bytes.
package struct BlockPastEndError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The container file.
    package var path: String
    /// "VHD data block 3", "VHDX payload block 7", "VHDX sector bitmap block of chunk 0 (payload blocks 0–127)".
    package var what: String
    /// Block number (the payload block read, or the first of a damaged sector bitmap's chunk).
    package var block: UInt64
    /// Where the BAT says it starts in the file.
    package var offset: UInt64
    /// How many bytes it spans there.
    package var length: UInt64
    /// The file's size.
    package var fileSize: UInt64

    package var description: String {
        "\(path): \(what) lies at \(hex(offset))–\(hex(offset &+ length)), past the end of the file "
            + "(file size \(fileSize): a truncated copy or a damaged BAT); its guest bytes cannot be read"
    }
}

/// The blocks of one VHD/VHDX file whose BAT entries point past its end, found once when it is opened: reading
/// one throws its ``BlockPastEndError``; ``summary`` names them all for the scan's report.
package struct BlocksPastEnd: Sendable {
    /// The container file.
    let path: String
    /// The file's size.
    let fileSize: UInt64
    /// By BAT entry index.
    private(set) var errors: [Int: BlockPastEndError] = [:]

    init(path: String, fileSize: UInt64) {
        self.path = path
        self.fileSize = fileSize
    }

    /// Records BAT entry `entry` when its `length` bytes at `offset` do not all lie inside the file.
    mutating func check(entry: Int, block: UInt64, what: String, offset: UInt64, length: UInt64) {
        guard offset > fileSize || length > fileSize - offset else { return }
        errors[entry] = BlockPastEndError(
            path: path, what: what, block: block, offset: offset, length: length, fileSize: fileSize)
    }

    /// Throws the error recorded for BAT entry `entry`, if any.
    func require(entry: Int) throws {
        if !errors.isEmpty, let error = errors[entry] { throw error }
    }

    /// Every damaged block, in BAT order.
    package var all: [BlockPastEndError] { errors.sorted { $0.key < $1.key }.map(\.value) }

    /// One sentence naming the file and its damaged blocks (the first 8 with offsets), or nil when there are none.
    package var summary: String? { problem.map { "\(path): \($0)" } }

    /// ``summary`` without the file's path, for a finding that names the file already.
    package var problem: String? {
        let all = all
        guard let first = all.first else { return nil }
        let named = all.prefix(8).map { "\($0.what) at \(hex($0.offset))" }.joined(separator: ", ")
        let more = all.count > 8 ? " and \(all.count - 8) more" : ""
        return "\(all.count) BAT \(all.count == 1 ? "entry points" : "entries point") past the end of the "
            + "file (file size \(first.fileSize): a truncated copy or a damaged BAT): \(named)\(more); "
            + "reading \(all.count == 1 ? "that block" : "those blocks") fails (never the parent's data, never zeros)"
    }
}
