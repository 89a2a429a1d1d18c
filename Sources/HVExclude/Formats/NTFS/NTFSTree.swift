// Reference: libyal libfsntfs, "New Technologies File System (NTFS)" (MFT entries, $FILE_NAME parent references);
// Sleuth Kit tsk/fs/ntfs.c (building the parent map for orphan detection).

/// The folder tree of an NTFS volume, built from one sequential pass over the MFT: every in-use record's names
/// (`$FILE_NAME`, DOS 8.3 duplicates left out, hard links kept), kind, data size and reparse tag, and each folder's
/// children by parent reference.
///
/// Reading the MFT in large pieces and linking names by parent reference costs one pass over a few hundred
/// megabytes at most, where walking the `$I30` indexes would seek once per folder.
struct NTFSTree: Sendable {
    /// What the tree knows of one record.
    struct Node: Sendable {
        var sequence: UInt16 = 0
        var inUse = false
        var isDirectory = false
        var isEncrypted = false
        var isCompressed = false
        /// Size of the unnamed `$DATA`.
        var size: UInt64 = 0
        /// The `$REPARSE_POINT` tag, 0 when there is none.
        var reparseTag: UInt32 = 0
        /// The `$STANDARD_INFORMATION` file attributes (0x4 system).
        var fileAttributes: UInt32 = 0
        /// Whether the data is an Interix symlink (what ntfs-3g's `ln -s` writes; ntfs-3g shows it as a link).
        var isInterix = false
    }

    /// Names of each record's named `$DATA` streams (listed, never read); kept apart so a node stays small.
    private(set) var streams: [UInt64: [String]] = [:]
    /// Interix symlink targets by record.
    private(set) var interixTargets: [UInt64: String] = [:]
    /// Cap on MFT records (8 Mi records: an 8 GiB MFT; the nodes alone then take about 200 MiB).
    static let maximumRecords: UInt64 = 1 << 23

    /// The header of an Interix symlink's data: "IntxLNK" and 0x01, then the target in UTF-16LE.
    static let interixMagic: [UInt8] = Array("IntxLNK".utf8) + [1]
    /// ntfs-3g reads an Interix link of at most this many bytes.
    static let interixMaximum: UInt64 = 8 + 2 * 4096

    /// One name of a record in a folder.
    struct Name: Sendable {
        var record: UInt64
        var parent: NTFSReference
        var name: String
    }

    /// Records by number.
    private(set) var nodes: [Node]
    /// Every live name.
    private(set) var names: [Name] = []
    /// Folder record → indexes into ``names`` of its children.
    private(set) var children: [UInt64: [Int]] = [:]
    /// One message per record that could not be read, naming the record.
    private(set) var warnings: [String] = []

    /// Bytes read from the MFT at a time.
    static let chunkSize = 8 << 20

    /// Reads the MFT of `volume` once.
    init(volume: NTFSVolume) {
        let recordSize = volume.boot.recordSize
        // Records past the MFT's valid data size were never written; a hostile size is capped.
        let valid = min(volume.mft.size, volume.mft.initializedSize) / UInt64(recordSize)
        if valid > NTFSTree.maximumRecords {
            warnings.append("MFT record \(NTFSTree.maximumRecords): the MFT claims \(valid) records; only the first \(NTFSTree.maximumRecords) are read")
        }
        let count = Int(min(valid, NTFSTree.maximumRecords))
        nodes = [Node](repeating: Node(), count: count)
        var offset: UInt64 = 0
        let total = UInt64(count) * UInt64(recordSize)
        var number: UInt64 = 0
        reading: while offset < total {
            let wanted = Int(min(UInt64(NTFSTree.chunkSize), total - offset))
            var chunk: [UInt8]
            do {
                chunk = try volume.mft.read(at: offset, count: wanted)
            } catch {
                // A cut or unreadable stretch: keep every record before it, one read each.
                while number < UInt64(count), let bytes = try? volume.recordBytes(number) {
                    add(bytes[...], number: number, recordSize: recordSize)
                    number += 1
                }
                if number < UInt64(count) {
                    warnings.append("MFT record \(number): the MFT cannot be read from here on (\(error)); the records after it are missing")
                }
                break reading
            }
            var start = 0
            chunk.withUnsafeMutableBytes { buffer in
                while start + recordSize <= buffer.count {
                    let record = UnsafeMutableRawBufferPointer(rebasing: buffer[start..<(start + recordSize)])
                    if record[0] == 0 && record[1] == 0 && record[2] == 0 && record[3] == 0 {
                        // never written
                    } else if let scanned = NTFSTree.scan(record) {
                        add(scanned, number: number)
                    } else {
                        // The slow path names what is wrong (the fast path may have applied some fixups: re-read).
                        let original = (try? volume.recordBytes(number)) ?? Array(record)
                        add(original[...], number: number, recordSize: recordSize)
                    }
                    start += recordSize
                    number += 1
                }
            }
            if chunk.count < wanted {
                warnings.append("MFT record \(number): the image ends inside the MFT (truncated image); the records after it are missing")
                break reading
            }
            offset += UInt64(wanted)
        }
        resolveInterixLinks(volume)
        link()
    }

    /// Interix symlinks whose data is not resident: read the few candidates (system files of link size).
    private mutating func resolveInterixLinks(_ volume: NTFSVolume) {
        for index in nodes.indices where nodes[index].inUse && !nodes[index].isDirectory && !nodes[index].isInterix
            && nodes[index].fileAttributes & 0x4 != 0 && nodes[index].size > 8 && nodes[index].size <= NTFSTree.interixMaximum
            && nodes[index].reparseTag == 0 {
            let number = UInt64(index)
            guard let attributes = try? volume.attributes(ofRecord: number),
                  let stream = try? volume.dataStream(attributes, record: number),
                  let data = try? stream.read(at: 0, count: Int(stream.size)) else { continue }
            if let target = NTFSTree.interixTarget(data[...]) {
                interixTargets[number] = target
                nodes[index].isInterix = true
            }
        }
    }

    /// The target an Interix symlink's data names, `nil` when the data is not one.
    static func interixTarget(_ data: ArraySlice<UInt8>) -> String? {
        guard data.count > 8, data.count % 2 == 0, Array(data.prefix(8)) == interixMagic else { return nil }
        let body = data.dropFirst(8)
        var units: [UInt16] = []
        var index = body.startIndex
        while index + 1 < body.endIndex {
            units.append(UInt16(body[index]) | UInt16(body[index + 1]) << 8)
            index += 2
        }
        return String(decoding: units, as: UTF16.self)
    }

    /// Adds what the fast path read of a well-formed record.
    private mutating func add(_ scanned: Scanned, number: UInt64) {
        guard scanned.inUse else { return }
        let owner = scanned.base == 0 ? number : scanned.base
        guard owner < UInt64(nodes.count) else {
            warnings.append("MFT record \(number): names base record \(owner), past the end of the MFT")
            return
        }
        let index = Int(owner)
        if scanned.base == 0 {
            nodes[index].sequence = scanned.sequence
            nodes[index].inUse = true
            nodes[index].isDirectory = scanned.isDirectory
        }
        if let attributes = scanned.fileAttributes { nodes[index].fileAttributes = attributes }
        // Names of one record in one folder are one entry (a POSIX and a Win32 name of the same spelling).
        for (offset, entry) in scanned.names.enumerated()
        where !scanned.names[..<offset].contains(where: { $0.parent == entry.parent && $0.name == entry.name }) {
            names.append(Name(record: owner, parent: entry.parent, name: entry.name))
        }
        if let size = scanned.dataSize {
            nodes[index].size = size
            nodes[index].isEncrypted = scanned.dataFlags & 0x4000 != 0
            nodes[index].isCompressed = scanned.dataFlags & 0x0001 != 0
        }
        if let target = scanned.interixTarget {
            interixTargets[owner] = target
            nodes[index].isInterix = true
        }
        if let tag = scanned.reparseTag { nodes[index].reparseTag = tag }
        for stream in scanned.streams where streams[owner, default: []].count < 256 && !(streams[owner]?.contains(stream) ?? false) {
            streams[owner, default: []].append(stream)
        }
    }

    private mutating func add(_ bytes: ArraySlice<UInt8>, number: UInt64, recordSize: Int) {
        if NTFSFileRecord.isEmpty(bytes) { return }
        let record: NTFSFileRecord
        do {
            record = try NTFSFileRecord(parsing: bytes, number: number, baseOffset: number * UInt64(recordSize))
        } catch {
            warnings.append("\(error)")
            return
        }
        for warning in record.warnings { warnings.append("MFT record \(number): \(warning)") }
        guard record.inUse else { return }
        let owner = record.baseRecord.map { NTFSReference($0).record } ?? number
        guard owner < UInt64(nodes.count) else {
            warnings.append("MFT record \(number): names base record \(owner), past the end of the MFT")
            return
        }
        let index = Int(owner)
        if record.baseRecord == nil {
            nodes[index].sequence = record.sequence
            nodes[index].inUse = true
            nodes[index].isDirectory = record.isDirectory
        }
        for attribute in record.attributes {
            switch attribute.type {
            case NTFSAttribute.Kind.fileName.rawValue:
                guard let value = attribute.residentValue else { continue }
                do {
                    let name = try NTFSFileName(parsing: value)
                    if name.namespace == NTFSFileName.dosNamespace { continue }
                    if !names.suffix(16).contains(where: { $0.record == owner && $0.parent == name.parent && $0.name == name.name }) {
                        names.append(Name(record: owner, parent: name.parent, name: name.name))
                    }
                } catch {
                    warnings.append("MFT record \(number): $FILE_NAME skipped: \(error)")
                }
            case NTFSAttribute.Kind.standardInformation.rawValue:
                if let value = attribute.residentValue, value.count >= 36 {
                    nodes[index].fileAttributes = UInt32(value[32]) | UInt32(value[33]) << 8 | UInt32(value[34]) << 16 | UInt32(value[35]) << 24
                }
            case NTFSAttribute.Kind.data.rawValue:
                if !attribute.name.isEmpty {
                    if streams[owner, default: []].count < 256 && !(streams[owner]?.contains(attribute.name) ?? false) {
                        streams[owner, default: []].append(attribute.name)
                    }
                } else if attribute.nonResident?.firstVCN ?? 0 == 0 {
                    nodes[index].size = attribute.dataSize
                    nodes[index].isEncrypted = attribute.isEncrypted
                    nodes[index].isCompressed = attribute.isCompressed
                    if let value = attribute.residentValue, value.count <= Int(NTFSTree.interixMaximum) {
                        if let target = NTFSTree.interixTarget(value[...]) {
                            interixTargets[owner] = target
                            nodes[index].isInterix = true
                        }
                    }
                }
            case NTFSAttribute.Kind.reparsePoint.rawValue:
                if let value = attribute.residentValue, value.count >= 4 {
                    nodes[index].reparseTag = UInt32(value[0]) | UInt32(value[1]) << 8 | UInt32(value[2]) << 16 | UInt32(value[3]) << 24
                } else {
                    nodes[index].reparseTag = 0xFFFF_FFFF  // non-resident: read on demand
                }
            default:
                continue
            }
        }
    }

    /// Groups names under their folders, keeping only names whose folder is a live folder of the same sequence.
    private mutating func link() {
        var kept: [Name] = []
        kept.reserveCapacity(names.count)
        for name in names {
            let parent = name.parent.record
            guard parent < UInt64(nodes.count), nodes[Int(parent)].inUse, nodes[Int(parent)].isDirectory,
                  nodes[Int(parent)].sequence == name.parent.sequence || name.parent.sequence == 0 else { continue }
            if name.record == NTFSVolume.rootRecord && parent == NTFSVolume.rootRecord { continue }
            kept.append(name)
        }
        names = kept
        for (index, name) in names.enumerated() { children[name.parent.record, default: []].append(index) }
    }

    /// The kind a listing shows for record `number`: NTFS symlinks and junctions are links (as ntfs-3g shows them).
    func kind(of number: UInt64) -> EntryKind {
        let node = nodes[Int(number)]
        if node.reparseTag == ReparsePoint.symlinkTag || node.reparseTag == ReparsePoint.mountPointTag { return .symlink }
        if !node.isDirectory, node.isInterix, node.fileAttributes & 0x4 != 0 { return .symlink }
        return node.isDirectory ? .directory : .file
    }

    /// Whether a child is hidden from listings: metafiles (records below 16 but the root), as ntfs-3g hides them.
    static func isHidden(_ record: UInt64) -> Bool {
        record < NTFSVolume.firstUserRecord
    }
}
