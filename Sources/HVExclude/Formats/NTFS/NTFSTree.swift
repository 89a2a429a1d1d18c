// Reference: libyal libfsntfs, "New Technologies File System (NTFS)" (MFT entries, $FILE_NAME parent references);
// Sleuth Kit tsk/fs/ntfs.c (building the parent map for orphan detection).
import Dispatch
import HVXBinary
import HVXVolume
import HVXWalk

/// The folder tree of an NTFS volume, built from one pass over the MFT (each chunk parsed on all cores, added in
/// record order): every in-use record's names (`$FILE_NAME`, DOS 8.3 duplicates left out, hard links kept), kind,
/// data size and reparse tag, and each folder's children by parent reference.
///
/// Reading the MFT in large pieces and linking names by parent reference costs one pass over a few hundred
/// megabytes at most, where walking the `$I30` indexes would seek once per folder.
package struct NTFSTree: Sendable {
    /// What the tree knows of one record.
    package struct Node: Sendable, Equatable {
        var sequence: UInt16 = 0
        var inUse = false
        package var isDirectory = false
        var isEncrypted = false
        var isCompressed = false
        /// Size of the unnamed `$DATA`.
        package var size: UInt64 = 0
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

    /// One name of a record in a folder; its UTF-8 bytes are `nameBytes[start..<start + length]`. A plain value:
    /// half a million of them cost no allocation and no reference counting each.
    package struct Name: Sendable {
        // 24 bytes, not 40: one per name of the volume. Records are capped at 2^23 and a name's UTF-8 at 765 bytes.
        private var parentRaw: UInt64
        private var startStorage: UInt64
        private var recordStorage: UInt32
        private var lengthStorage: UInt16

        package init(record: UInt64, parent: NTFSReference, start: Int, length: Int) {
            parentRaw = parent.record | UInt64(parent.sequence) << 48
            startStorage = UInt64(start)
            recordStorage = UInt32(truncatingIfNeeded: record)
            lengthStorage = UInt16(truncatingIfNeeded: length)
        }

        package var record: UInt64 { UInt64(recordStorage) }
        package var parent: NTFSReference {
            get { NTFSReference(parentRaw) }
            set { parentRaw = newValue.record | UInt64(newValue.sequence) << 48 }
        }
        package var start: Int {
            get { Int(startStorage) }
            set { startStorage = UInt64(newValue) }
        }
        package var length: Int {
            get { Int(lengthStorage) }
            set { lengthStorage = UInt16(truncatingIfNeeded: newValue) }
        }
    }

    /// Records by number.
    internal(set) var nodes: [Node]
    /// Every live name.
    package internal(set) var names: [Name] = []
    /// The UTF-8 bytes of every name, one after another.
    internal(set) var nameBytes: [UInt8] = []
    /// Folder record `r`'s children are `names[childIndexes[childStart[r]..<childStart[r + 1]]]`, in MFT order.
    internal(set) var childStart: [Int32] = []
    internal(set) var childIndexes: [Int32] = []
    /// The synthetic folder holding the orphans (``orphansName``), `nil` when there are none.
    package internal(set) var orphanFolder: UInt64?
    /// One message per record that could not be read, naming the record.
    package internal(set) var warnings: [String] = []

    /// Bytes read from the MFT at a time.
    static let chunkSize = 8 << 20

    /// Reads the MFT of `volume` once.
    /// - Parameter fastPath: `false` reads every record through ``NTFSFileRecord`` (the agreement test compares
    ///   both ways on every record of every test image).
    package init(volume: NTFSVolume, fastPath: Bool = true) {
        let recordSize = volume.boot.recordSize
        // Records past the MFT's valid data size were never written; a hostile size is capped.
        let valid = min(volume.mft.size, volume.mft.initializedSize) / UInt64(recordSize)
        if valid > NTFSTree.maximumRecords {
            warnings.append(
                "MFT record \(NTFSTree.maximumRecords): the MFT claims \(valid) records; only the first \(NTFSTree.maximumRecords) are read"
            )
        }
        let count = Int(min(valid, NTFSTree.maximumRecords))
        // The metafiles' slots, the root folder (record 5) among them, always exist: a damaged MFT too short to
        // hold them leaves them unused (the root lists nothing) rather than out of range for every lookup.
        nodes = [Node](repeating: Node(), count: max(count, Int(NTFSVolume.firstUserRecord)))
        // About one name per record: reserved once, so the arrays never double (a doubling holds both copies at once).
        names.reserveCapacity(count + 16)
        nameBytes.reserveCapacity(count * 24)
        if count <= Int(NTFSVolume.rootRecord) {
            warnings.append(
                "MFT record \(count): the MFT holds only \(count) records and not the root folder (record \(NTFSVolume.rootRecord))"
            )
        }
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
                    add(bytes[...], number: number, recordSize: recordSize, volume: volume)
                    number += 1
                }
                if number < UInt64(count) {
                    warnings.append(
                        "MFT record \(number): the MFT cannot be read from here on (\(error)); the records after it are missing"
                    )
                }
                break reading
            }
            addChunk(&chunk, firstNumber: number, recordSize: recordSize, volume: volume, fastPath: fastPath)
            number += UInt64(chunk.count / recordSize)
            if chunk.count < wanted {
                warnings.append(
                    "MFT record \(number): the image ends inside the MFT (truncated image); the records after it are missing"
                )
                break reading
            }
            offset += UInt64(wanted)
        }
        resolveInterixLinks(volume)
        link()
    }

    /// What one slice of a chunk's records gave the fast path, scanned on its own thread.
    private struct Slice: @unchecked Sendable {
        /// The names' UTF-8 bytes, as ``NTFSTree/nameBytes`` will hold them after `base` is added.
        var nameBytes: [UInt8] = []
        package var names: [ScannedName] = []
        /// Each written record.
        package var records: [SliceRecord] = []
    }

    /// A written record of a slice: its index in the chunk, what the fast path read (`nil`: take the slow path),
    /// and its range of the slice's names. A struct, not a tuple: tuples of generic parts are copied through the
    /// runtime's value witnesses, which cost more than the parsing.
    private struct SliceRecord {
        package var index: Int
        package var scanned: Scanned?
        var firstName: Int
        var endName: Int
    }

    /// Records per slice: enough to keep a thread busy for a while, few enough to spread a chunk over the cores.
    static let sliceRecords = 1024

    /// Adds the records of one MFT chunk: slices scanned concurrently (fixups applied in place, names gathered),
    /// then added in record order, so the tree is the same as a sequential pass gives.
    private mutating func addChunk(
        _ chunk: inout [UInt8], firstNumber: UInt64, recordSize: Int, volume: NTFSVolume, fastPath: Bool
    ) {
        let recordCount = chunk.count / recordSize
        let sliceCount = (recordCount + NTFSTree.sliceRecords - 1) / NTFSTree.sliceRecords
        var slices = [Slice](repeating: Slice(), count: sliceCount)
        chunk.withUnsafeMutableBytes { buffer in
            slices.withUnsafeMutableBufferPointer { output in
                // Each slice touches only its own records and its own output element.
                nonisolated(unsafe) let buffer = buffer
                nonisolated(unsafe) let output = output
                DispatchQueue.concurrentPerform(iterations: sliceCount) { slice in
                    var result = Slice()
                    let first = slice * NTFSTree.sliceRecords
                    for index in first..<min(first + NTFSTree.sliceRecords, recordCount) {
                        let record = UnsafeMutableRawBufferPointer(
                            rebasing: buffer[(index * recordSize)..<((index + 1) * recordSize)])
                        // never written
                        if record[0] == 0 && record[1] == 0 && record[2] == 0 && record[3] == 0 { continue }
                        let byteMark = result.nameBytes.count
                        let nameMark = result.names.count
                        if fastPath,
                            let scanned = NTFSTree.scan(record, nameBytes: &result.nameBytes, names: &result.names)
                        {
                            result.records.append(
                                SliceRecord(
                                    index: index, scanned: scanned, firstName: nameMark, endName: result.names.count))
                        } else {
                            result.nameBytes.removeSubrange(byteMark...)
                            result.names.removeSubrange(nameMark...)
                            result.records.append(
                                SliceRecord(index: index, scanned: nil, firstName: nameMark, endName: nameMark))
                        }
                    }
                    output[slice] = result
                }
            }
        }
        var scratch: [ScannedName] = []
        for sliceIndex in slices.indices {
            let base = nameBytes.count
            nameBytes.append(contentsOf: slices[sliceIndex].nameBytes)
            for recordIndex in slices[sliceIndex].records.indices {
                let index = slices[sliceIndex].records[recordIndex].index
                let number = firstNumber + UInt64(index)
                if let scanned = slices[sliceIndex].records[recordIndex].scanned {
                    scratch.removeAll(keepingCapacity: true)
                    for nameIndex in slices[sliceIndex].records[recordIndex]
                        .firstName..<slices[sliceIndex].records[recordIndex].endName
                    {
                        let name = slices[sliceIndex].names[nameIndex]
                        scratch.append(ScannedName(parent: name.parent, start: name.start + base, length: name.length))
                    }
                    add(scanned, names: scratch, number: number)
                } else {
                    // The slow path names what is wrong (the fast path may have applied some fixups: re-read).
                    let start = index * recordSize
                    let original = (try? volume.recordBytes(number)) ?? Array(chunk[start..<(start + recordSize)])
                    add(original[...], number: number, recordSize: recordSize, volume: volume)
                }
            }
        }
    }

    /// Interix symlinks whose data is not resident: read the few candidates (system files of link size).
    private mutating func resolveInterixLinks(_ volume: NTFSVolume) {
        for index in nodes.indices
        where nodes[index].inUse && !nodes[index].isDirectory && !nodes[index].isInterix
            && nodes[index].fileAttributes & 0x4 != 0 && nodes[index].size > 8
            && nodes[index].size <= NTFSTree.interixMaximum
            && nodes[index].reparseTag == 0
        {
            let number = UInt64(index)
            guard let attributes = try? volume.attributes(ofRecord: number),
                let stream = try? volume.dataStream(attributes, record: number),
                let data = try? stream.read(at: 0, count: Int(stream.size))
            else { continue }
            if let target = NTFSTree.interixTarget(data[...]) {
                interixTargets[number] = target
                nodes[index].isInterix = true
            }
        }
    }

    /// The target an Interix symlink's data names, `nil` when the data is not one.
    static func interixTarget(_ data: ArraySlice<UInt8>) -> String? {
        guard data.count > 8, data.count % 2 == 0, Array(data.prefix(8)) == interixMagic else { return nil }
        return UTF16Text.decode(Array(data.dropFirst(8)), .little)
    }

    /// The name of ``names``[`index`].
    package func name(_ index: Int) -> String {
        let name = names[index]
        // Through a buffer pointer: String's fast UTF-8 validation (an ArraySlice takes the slow generic path).
        return nameBytes.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[name.start..<(name.start + name.length)]), as: UTF8.self)
        }
    }

    /// Runs `body` on the UTF-8 bytes of ``names``[`index`], without making a `String`.
    func withNameBytes<Result>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        let name = names[index]
        return nameBytes.withUnsafeBufferPointer {
            body(UnsafeBufferPointer(rebasing: $0[name.start..<(name.start + name.length)]))
        }
    }

    /// Indexes into ``names`` of folder `record`'s children.
    package func children(of record: UInt64) -> ArraySlice<Int32> {
        guard record + 1 < UInt64(childStart.count) else { return [] }
        return childIndexes[Int(childStart[Int(record)])..<Int(childStart[Int(record) + 1])]
    }

    /// Whether two stored names have the same bytes.
    func sameBytes(_ a: (start: Int, length: Int), _ b: (start: Int, length: Int)) -> Bool {
        a.length == b.length
            && nameBytes[a.start..<(a.start + a.length)].elementsEqual(nameBytes[b.start..<(b.start + b.length)])
    }

    /// Appends `text` to ``nameBytes`` and returns where it is.
    mutating func store(_ text: String) -> (start: Int, length: Int) {
        let start = nameBytes.count
        nameBytes.append(contentsOf: text.utf8)
        return (start, nameBytes.count - start)
    }

    /// Adds what the fast path read of a well-formed record; `names` are its names, already in ``nameBytes``.
    private mutating func add(_ scanned: Scanned, names scannedNames: [ScannedName], number: UInt64) {
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
        for (offset, entry) in scannedNames.enumerated()
        where !scannedNames[..<offset].contains(where: {
            $0.parent == entry.parent && sameBytes(($0.start, $0.length), (entry.start, entry.length))
        }) {
            names.append(Name(record: owner, parent: entry.parent, start: entry.start, length: entry.length))
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
        for stream in scanned.streams
        where streams[owner, default: []].count < 256 && !(streams[owner]?.contains(stream) ?? false) {
            streams[owner, default: []].append(stream)
        }
    }

    private mutating func add(_ bytes: ArraySlice<UInt8>, number: UInt64, recordSize: Int, volume: NTFSVolume) {
        if NTFSFileRecord.isEmpty(bytes) { return }
        var record: NTFSFileRecord
        do {
            record = try NTFSFileRecord(parsing: bytes, number: number, baseOffset: number * UInt64(recordSize))
        } catch {
            // Records 0–3 have a copy in $MFTMirr (chkdsk restores them from it).
            guard let copy = try? volume.mirrorRecordBytes(number),
                let mirrored = try? NTFSFileRecord(
                    parsing: copy[...], number: number, baseOffset: number * UInt64(recordSize))
            else {
                warnings.append("\(error)")
                return
            }
            warnings.append("\(error); its copy in $MFTMirr is read instead")
            record = mirrored
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
                    let stored = store(name.name)
                    if names.suffix(16).contains(where: {
                        $0.record == owner && $0.parent == name.parent && sameBytes(($0.start, $0.length), stored)
                    }) {
                        nameBytes.removeSubrange(stored.start...)
                    } else {
                        names.append(
                            Name(record: owner, parent: name.parent, start: stored.start, length: stored.length))
                    }
                } catch {
                    warnings.append("MFT record \(number): $FILE_NAME skipped: \(error)")
                }
            case NTFSAttribute.Kind.standardInformation.rawValue:
                if let value = attribute.residentValue,
                    let attributes = try? ByteReader(value, structure: "$STANDARD_INFORMATION").u32(at: 32, .little)
                {
                    nodes[index].fileAttributes = attributes
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
                if let value = attribute.residentValue,
                    let tag = try? ByteReader(value, structure: "$REPARSE_POINT").u32(at: 0, .little)
                {
                    nodes[index].reparseTag = tag
                } else {
                    nodes[index].reparseTag = 0xFFFF_FFFF  // non-resident: read on demand
                }
            default:
                continue
            }
        }
    }

    /// Groups names under their folders: names whose folder is a live folder of the same sequence, then every
    /// record those leave out of the tree placed under ``orphansName`` (``placeOrphans(linked:)``).
    private mutating func link() {
        var linked = [Bool](repeating: false, count: names.count)
        for (index, name) in names.enumerated() {
            if name.record == NTFSVolume.rootRecord && name.parent.record == NTFSVolume.rootRecord { continue }
            linked[index] = linkProblem(name) == nil
        }
        groupChildren(linked: linked)
        if placeOrphans(linked: &linked) { groupChildren(linked: linked) }
    }

    /// Groups the names marked in `linked` under their folders (dropping the others) into ``childStart`` and
    /// ``childIndexes``: a counting sort by parent, stable, so each folder's children stay in MFT order.
    mutating func groupChildren(linked: [Bool]) {
        var start = [Int32](repeating: 0, count: nodes.count + 1)
        var count = 0
        for (index, name) in names.enumerated() where linked[index] {
            start[Int(name.parent.record) + 1] += 1
            count += 1
        }
        for index in 0..<nodes.count { start[index + 1] += start[index] }
        var next = start
        var indexes = [Int32](repeating: 0, count: count)
        for (index, name) in names.enumerated() where linked[index] {
            let parent = Int(name.parent.record)
            indexes[Int(next[parent])] = Int32(index)
            next[parent] += 1
        }
        childStart = start
        childIndexes = indexes
    }

    /// The kind a listing shows for record `number`: NTFS symlinks and junctions are links (as ntfs-3g shows them).
    package func kind(of number: UInt64) -> EntryKind {
        let node = nodes[Int(number)]
        if node.reparseTag == ReparsePoint.symlinkTag || node.reparseTag == ReparsePoint.mountPointTag {
            return .symlink
        }
        if !node.isDirectory, node.isInterix, node.fileAttributes & 0x4 != 0 { return .symlink }
        return node.isDirectory ? .directory : .file
    }

    /// Whether a child is hidden from listings: metafiles (records below 16 but the root), as ntfs-3g hides them.
    static func isHidden(_ record: UInt64) -> Bool {
        record < NTFSVolume.firstUserRecord
    }
}
