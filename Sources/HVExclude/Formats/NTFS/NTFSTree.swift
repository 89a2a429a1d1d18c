// Reference: libyal libfsntfs, "New Technologies File System (NTFS)" (MFT entries, $FILE_NAME parent references);
// Sleuth Kit tsk/fs/ntfs.c (building the parent map for orphan detection).
import Dispatch
import HVXBinary
import HVXVolume
import HVXWalk

/// The folder tree of an NTFS volume, built from one pass over the MFT (each chunk parsed on all cores, added in
/// record order): the names (`$FILE_NAME`, DOS 8.3 duplicates left out, hard links kept), kind, data size and reparse
/// tag of every folder and of the files the ``keep`` test wants, and each folder's children by parent reference.
/// Every other file is counted under its folder (with a fingerprint of its name) and its record marked in use: its
/// name is found, when asked for, through the folder's `$I30` index (``NTFSFileSystem``).
///
/// Reading the MFT in large pieces and linking names by parent reference costs one pass over a few hundred
/// megabytes at most, where walking the `$I30` indexes would seek once per folder. Keeping only folders and the
/// names the scan may classify keeps the tree's memory to the folders' (issue 24: 4 bytes a record beyond them;
/// a name, a node and a child slot cost about 90), so a volume of a million files costs no more than its folders.
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

    /// Decides which files' names the tree keeps (the walk's own test): the names of every other file are counted
    /// under their folder and dropped, so the tree grows with the folders, not with the files. `nil` keeps every name.
    package typealias KeepTest = @Sendable (UnsafeBufferPointer<UInt8>, EntryKind) -> Bool

    /// Per MFT record, where the tree holds it: an index into ``keptNodes``, or ``notInUse``, or ``droppedFile`` (in
    /// use, a file whose names were counted and dropped). Four bytes a record; a node, a name and a child slot are
    /// kept only for folders and for the files the scan may want by name.
    internal(set) var slots: [Int32]
    /// A record never seen in use.
    static let notInUse: Int32 = -1
    /// A file in use whose names the tree dropped (its folder counts them; the folder's `$I30` index names them).
    static let droppedFile: Int32 = -2
    /// What the tree knows of each kept record, by slot.
    internal(set) var keptNodes: [Node] = []
    /// Each kept record's number, by slot.
    internal(set) var keptRecords: [UInt32] = []
    /// Per slot (a folder): how many names of dropped files the MFT places in it.
    internal(set) var droppedNames: [Int32] = []
    /// Per slot (a folder): the sum of the ``fingerprint(record:name:)``s of those names, so that a folder's index
    /// is known to name exactly them without reading their records.
    internal(set) var droppedPrints: [UInt64] = []
    /// Every kept name.
    package internal(set) var names: [Name] = []
    /// The UTF-8 bytes of every kept name, one after another.
    internal(set) var nameBytes: [UInt8] = []
    /// Folder slot `s`'s kept children are `names[childIndexes[childStart[s]..<childStart[s + 1]]]`, in MFT order.
    internal(set) var childStart: [Int32] = []
    internal(set) var childIndexes: [Int32] = []
    /// The synthetic folder holding the orphans (``orphansName``), `nil` when there are none.
    package internal(set) var orphanFolder: UInt64?
    /// One diagnostic per record that could not be read or orphan placed, at its MFT record.
    package internal(set) var warnings: [Diagnostic] = []
    /// The test deciding which files' names are kept, `nil` for all.
    let keep: KeepTest?

    /// Bytes read from the MFT at a time: 4,096 records of 1 KiB, four slices (the chunk is a scan's largest
    /// allocation while the MFT is read).
    static let chunkSize = 4 << 20

    /// Reads the MFT of `volume` once.
    /// - Parameters:
    ///   - fastPath: `false` reads every record through ``NTFSFileRecord`` (the agreement test compares both ways on
    ///     every record of every test image).
    ///   - keep: which files' names to keep (``KeepTest``); `nil` keeps every name.
    package init(volume: NTFSVolume, fastPath: Bool = true, keep: KeepTest? = nil) {
        self.keep = keep
        let recordSize = volume.boot.recordSize
        // Records past the MFT's valid data size were never written; a hostile size is capped.
        let valid = min(volume.mft.size, volume.mft.initializedSize) / UInt64(recordSize)
        if valid > NTFSTree.maximumRecords {
            warnings.append(
                .ntfsMFTRecordLimit, at: .mftRecord(NTFSTree.maximumRecords),
                "MFT record \(NTFSTree.maximumRecords): the MFT claims \(valid) records; only the first \(NTFSTree.maximumRecords) are read"
            )
        }
        let count = Int(min(valid, NTFSTree.maximumRecords))
        // The metafiles' slots, the root folder (record 5) among them, always exist: a damaged MFT too short to
        // hold them leaves them unused (the root lists nothing) rather than out of range for every lookup.
        slots = [Int32](repeating: NTFSTree.notInUse, count: max(count, Int(NTFSVolume.firstUserRecord)))
        if count <= Int(NTFSVolume.rootRecord) {
            warnings.append(
                .ntfsMFTNoRoot, at: .mftRecord(UInt64(count)),
                "MFT record \(count): the MFT holds only \(count) records and not the root folder (record \(NTFSVolume.rootRecord))"
            )
        }
        // Room for every record, reserved once: an array that doubles holds both copies at once, and the room no
        // record fills is never touched, so it costs address space, not memory.
        keptNodes.reserveCapacity(slots.count + 1)
        keptRecords.reserveCapacity(slots.count + 1)
        droppedNames.reserveCapacity(slots.count + 1)
        droppedPrints.reserveCapacity(slots.count + 1)
        names.reserveCapacity(count + 16)
        nameBytes.reserveCapacity(count * 24)
        // The root folder always has a node (the orphans' folder goes there, even when the root is damaged).
        _ = makeSlot(NTFSVolume.rootRecord)
        readRecords(volume, count: count, fastPath: fastPath)
        resolveInterixLinks(volume)
        link()
    }

    /// Adds the first `count` records of the MFT, read in chunks of ``chunkSize``, in record order.
    private mutating func readRecords(_ volume: NTFSVolume, count: Int, fastPath: Bool) {
        let recordSize = volume.boot.recordSize
        var offset: UInt64 = 0
        let total = UInt64(count) * UInt64(recordSize)
        var number: UInt64 = 0
        while offset < total {
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
                        .ntfsMFTUnreadable, at: .mftRecord(number),
                        "MFT record \(number): the MFT cannot be read from here on (\(error)); the records after it are missing"
                    )
                }
                return
            }
            addChunk(&chunk, firstNumber: number, recordSize: recordSize, volume: volume, fastPath: fastPath)
            number += UInt64(chunk.count / recordSize)
            if chunk.count < wanted {
                warnings.append(
                    .ntfsMFTCutOff, at: .mftRecord(number),
                    "MFT record \(number): the image ends inside the MFT (truncated image); the records after it are missing"
                )
                return
            }
            offset += UInt64(wanted)
        }
    }

    /// What one slice of a chunk's records gave the fast path, scanned on its own thread.
    private struct Slice: @unchecked Sendable {
        /// The names' UTF-8 bytes.
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
        let slices = NTFSTree.scanSlices(&chunk, recordSize: recordSize, fastPath: fastPath)
        for slice in slices {
            slice.names.withUnsafeBufferPointer { names in
                slice.nameBytes.withUnsafeBufferPointer { bytes in
                    for record in slice.records {
                        let number = firstNumber + UInt64(record.index)
                        if let scanned = record.scanned {
                            add(
                                scanned, names: UnsafeBufferPointer(rebasing: names[record.firstName..<record.endName]),
                                bytes: bytes, number: number)
                        } else {
                            // The slow path names what is wrong (the fast path may have applied some fixups: re-read).
                            let start = record.index * recordSize
                            let original =
                                (try? volume.recordBytes(number)) ?? Array(chunk[start..<(start + recordSize)])
                            add(original[...], number: number, recordSize: recordSize, volume: volume)
                        }
                    }
                }
            }
        }
    }

    /// Scans the records of `chunk` through the fast path, slices on all cores; each slice touches only its own
    /// records and its own output element.
    private static func scanSlices(_ chunk: inout [UInt8], recordSize: Int, fastPath: Bool) -> [Slice] {
        let recordCount = chunk.count / recordSize
        let sliceCount = (recordCount + NTFSTree.sliceRecords - 1) / NTFSTree.sliceRecords
        var slices = [Slice](repeating: Slice(), count: sliceCount)
        chunk.withUnsafeMutableBytes { buffer in
            slices.withUnsafeMutableBufferPointer { output in
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
                        var scanned: Scanned?
                        if fastPath {
                            scanned = NTFSTree.scan(record, nameBytes: &result.nameBytes, names: &result.names)
                        }
                        if scanned == nil {
                            result.nameBytes.removeSubrange(byteMark...)
                            result.names.removeSubrange(nameMark...)
                        }
                        result.records.append(
                            SliceRecord(
                                index: index, scanned: scanned, firstName: nameMark, endName: result.names.count))
                    }
                    output[slice] = result
                }
            }
        }
        return slices
    }

    /// Interix symlinks whose data is not resident: read the few candidates (system files of link size).
    private mutating func resolveInterixLinks(_ volume: NTFSVolume) {
        for record in slots.indices where slots[record] >= 0 {
            let index = Int(slots[record])
            guard
                keptNodes[index].inUse && !keptNodes[index].isDirectory && !keptNodes[index].isInterix
                    && keptNodes[index].fileAttributes & 0x4 != 0 && keptNodes[index].size > 8
                    && keptNodes[index].size <= NTFSTree.interixMaximum
                    && keptNodes[index].reparseTag == 0
            else { continue }
            let number = UInt64(record)
            guard let attributes = try? volume.attributes(ofRecord: number),
                let stream = try? volume.dataStream(attributes, record: number),
                let data = try? stream.read(at: 0, count: Int(stream.size))
            else { continue }
            if let target = NTFSTree.interixTarget(data[...]) {
                interixTargets[number] = target
                keptNodes[index].isInterix = true
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

    /// Indexes into ``names`` of folder `record`'s kept children (those of dropped files are only counted:
    /// ``droppedCount(of:)``).
    package func children(of record: UInt64) -> ArraySlice<Int32> {
        guard let slot = slot(record), slot + 1 < childStart.count else { return [] }
        return childIndexes[Int(childStart[slot])..<Int(childStart[slot + 1])]
    }

    /// Appends `bytes` to ``nameBytes`` and returns where they are.
    mutating func store(_ bytes: UnsafeBufferPointer<UInt8>) -> (start: Int, length: Int) {
        let start = nameBytes.count
        nameBytes.append(contentsOf: bytes)
        return (start, bytes.count)
    }

    /// Appends `text` to ``nameBytes`` and returns where it is.
    mutating func store(_ text: String) -> (start: Int, length: Int) {
        let start = nameBytes.count
        nameBytes.append(contentsOf: text.utf8)
        return (start, nameBytes.count - start)
    }

    /// The slot of record `number`, `nil` when the tree keeps no node for it.
    func slot(_ number: UInt64) -> Int? {
        guard number < UInt64(slots.count) else { return nil }
        let slot = slots[Int(number)]
        return slot >= 0 ? Int(slot) : nil
    }

    /// What the tree knows of record `number`: a dropped file is in use and nothing more (its details are read
    /// from its record when asked).
    package func node(_ number: UInt64) -> Node {
        guard number < UInt64(slots.count) else { return Node() }
        let slot = slots[Int(number)]
        if slot >= 0 { return keptNodes[Int(slot)] }
        var node = Node()
        node.inUse = slot == NTFSTree.droppedFile
        return node
    }

    /// Whether record `number` is a file in use whose names the tree dropped.
    package func isDropped(_ number: UInt64) -> Bool {
        number < UInt64(slots.count) && slots[Int(number)] == NTFSTree.droppedFile
    }

    /// The sum of the fingerprints of the dropped names in folder `number`.
    package func droppedPrint(of number: UInt64) -> UInt64 {
        slot(number).map { droppedPrints[$0] } ?? 0
    }

    /// A 64-bit fingerprint of one name of a record (FNV-1a over the UTF-8, seeded with the record number).
    static func fingerprint(record: UInt64, name: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325 ^ (record &* 0x9E37_79B9_7F4A_7C15)
        for byte in name { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return hash ^ (hash >> 31)
    }

    /// How many names of dropped files the MFT places in folder `number`.
    package func droppedCount(of number: UInt64) -> Int {
        slot(number).map { Int(droppedNames[$0]) } ?? 0
    }

    /// Gives record `number` a node (a fresh one; in use when its base record was dropped) and returns its slot.
    mutating func makeSlot(_ number: UInt64) -> Int {
        let slot = keptNodes.count
        var node = Node()
        node.inUse = slots[Int(number)] == NTFSTree.droppedFile
        keptNodes.append(node)
        keptRecords.append(UInt32(truncatingIfNeeded: number))
        droppedNames.append(0)
        droppedPrints.append(0)
        slots[Int(number)] = Int32(slot)
        return slot
    }

    /// Whether a base record must keep its node and names: a folder, a metafile, a file of many records, a link or
    /// a possible Interix link, a name the ``keep`` test wants, or a name not linked for sure yet (its folder comes
    /// later in the MFT, or the link is broken: the orphan search needs it).
    private func mustKeep(
        _ scanned: Scanned, names: UnsafeBufferPointer<ScannedName>, bytes: UnsafeBufferPointer<UInt8>, owner: UInt64
    ) -> Bool {
        guard let keep else { return true }
        if scanned.isDirectory || owner < NTFSVolume.firstUserRecord || scanned.hasAttributeList
            || scanned.reparseTag != nil || scanned.interixTarget != nil
        {
            return true
        }
        if let attributes = scanned.fileAttributes, attributes & 0x4 != 0, let size = scanned.dataSize, size > 8,
            size <= NTFSTree.interixMaximum
        {
            return true
        }
        for name in names {
            if name.parent.record >= owner || linkProblem(name.parent) != nil { return true }
            if keep(UnsafeBufferPointer(rebasing: bytes[name.start..<(name.start + name.length)]), .file) {
                return true
            }
        }
        return false
    }

    /// Adds what one record contributes; `names` are its names, their bytes in `bytes`.
    private mutating func add(
        _ scanned: Scanned, names scannedNames: UnsafeBufferPointer<ScannedName>, bytes: UnsafeBufferPointer<UInt8>,
        number: UInt64
    ) {
        guard scanned.inUse else { return }
        let owner = scanned.base == 0 ? number : scanned.base
        guard owner < UInt64(slots.count) else {
            warnings.append(
                .ntfsBaseRecordPastEnd, at: .mftRecord(number),
                "MFT record \(number): names base record \(owner), past the end of the MFT")
            return
        }
        func text(_ name: ScannedName) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: bytes[name.start..<(name.start + name.length)])
        }
        // Names of one record in one folder are one entry (a POSIX and a Win32 name of the same spelling).
        func isRepeat(_ offset: Int) -> Bool {
            scannedNames[..<offset].contains {
                $0.parent == scannedNames[offset].parent && text($0).elementsEqual(text(scannedNames[offset]))
            }
        }
        var slot = slots[Int(owner)]
        if slot < 0 {
            if scanned.base == 0 && !mustKeep(scanned, names: scannedNames, bytes: bytes, owner: owner) {
                slots[Int(owner)] = NTFSTree.droppedFile
                for offset in scannedNames.indices where !isRepeat(offset) {
                    let folder = Int(slots[Int(scannedNames[offset].parent.record)])
                    droppedNames[folder] += 1
                    droppedPrints[folder] &+= NTFSTree.fingerprint(record: owner, name: text(scannedNames[offset]))
                }
                return
            }
            slot = Int32(makeSlot(owner))
        }
        let index = Int(slot)
        if scanned.base == 0 {
            keptNodes[index].sequence = scanned.sequence
            keptNodes[index].inUse = true
            keptNodes[index].isDirectory = scanned.isDirectory
        }
        if let attributes = scanned.fileAttributes { keptNodes[index].fileAttributes = attributes }
        for offset in scannedNames.indices where !isRepeat(offset) {
            let stored = store(text(scannedNames[offset]))
            names.append(
                Name(record: owner, parent: scannedNames[offset].parent, start: stored.start, length: stored.length))
        }
        if let size = scanned.dataSize {
            keptNodes[index].size = size
            keptNodes[index].isEncrypted = scanned.dataFlags & 0x4000 != 0
            keptNodes[index].isCompressed = scanned.dataFlags & 0x0001 != 0
        }
        if let target = scanned.interixTarget {
            interixTargets[owner] = target
            keptNodes[index].isInterix = true
        }
        if let tag = scanned.reparseTag { keptNodes[index].reparseTag = tag }
        for stream in scanned.streams
        where streams[owner, default: []].count < 256 && !(streams[owner]?.contains(stream) ?? false) {
            streams[owner, default: []].append(stream)
        }
    }

    /// Adds a record through ``NTFSFileRecord`` (the fast path refused it, or is off): what it reads goes the same
    /// way as the fast path's.
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
                warnings.append(.ntfsRecordUnreadable, at: .mftRecord(number), "\(error)")
                return
            }
            warnings.append(
                .ntfsRecordFromMirror, at: .mftRecord(number), "\(error); its copy in $MFTMirr is read instead")
            record = mirrored
        }
        for warning in record.warnings {
            warnings.append(warning.code, at: warning.location, "MFT record \(number): \(warning.message)")
        }
        guard record.inUse else { return }
        var scanned = Scanned()
        scanned.inUse = true
        scanned.isDirectory = record.isDirectory
        scanned.sequence = record.sequence
        scanned.base = record.baseRecord.map { NTFSReference($0).record } ?? 0
        var names: [ScannedName] = []
        var nameBytes: [UInt8] = []
        let owner = scanned.base == 0 ? number : scanned.base
        for attribute in record.attributes {
            switch attribute.type {
            case NTFSAttribute.Kind.attributeList.rawValue:
                scanned.hasAttributeList = true
            case NTFSAttribute.Kind.fileName.rawValue:
                guard let value = attribute.residentValue else { continue }
                do {
                    let name = try NTFSFileName(parsing: value)
                    if name.namespace == NTFSFileName.dosNamespace { continue }
                    let start = nameBytes.count
                    nameBytes.append(contentsOf: name.name.utf8)
                    names.append(ScannedName(parent: name.parent, start: start, length: nameBytes.count - start))
                } catch {
                    // Only for a record the tree can hold (the base check below warns about the others).
                    if owner < UInt64(slots.count) {
                        warnings.append(
                            .ntfsFileNameSkipped, at: .mftRecord(number),
                            "MFT record \(number): $FILE_NAME skipped: \(error)")
                    }
                }
            case NTFSAttribute.Kind.standardInformation.rawValue:
                if let value = attribute.residentValue,
                    let attributes = try? ByteReader(value, structure: "$STANDARD_INFORMATION").u32(at: 32, .little)
                {
                    scanned.fileAttributes = attributes
                }
            case NTFSAttribute.Kind.data.rawValue:
                if !attribute.name.isEmpty {
                    scanned.streams.append(attribute.name)
                } else if attribute.nonResident?.firstVCN ?? 0 == 0 {
                    scanned.dataSize = attribute.dataSize
                    scanned.dataFlags = attribute.flags
                    if let value = attribute.residentValue, value.count <= Int(NTFSTree.interixMaximum) {
                        scanned.interixTarget = NTFSTree.interixTarget(value[...])
                    }
                }
            case NTFSAttribute.Kind.reparsePoint.rawValue:
                if let value = attribute.residentValue,
                    let tag = try? ByteReader(value, structure: "$REPARSE_POINT").u32(at: 0, .little)
                {
                    scanned.reparseTag = tag
                } else {
                    scanned.reparseTag = 0xFFFF_FFFF  // non-resident: read on demand
                }
            default:
                continue
            }
        }
        names.withUnsafeBufferPointer { names in
            nameBytes.withUnsafeBufferPointer { add(scanned, names: names, bytes: $0, number: number) }
        }
    }

    /// Groups names under their folders: names whose folder is a live folder of the same sequence, then every
    /// record those leave out of the tree placed under ``orphansName`` (``placeOrphans(linked:)``).
    private mutating func link() {
        var linked = [Bool](repeating: false, count: names.count)
        for (index, name) in names.enumerated() {
            if name.record == NTFSVolume.rootRecord && name.parent.record == NTFSVolume.rootRecord { continue }
            linked[index] = linkProblem(name.parent) == nil
        }
        groupChildren(linked: linked)
        if placeOrphans(linked: &linked) { groupChildren(linked: linked) }
    }

    /// Groups the names marked in `linked` under their folders (dropping the others) into ``childStart`` and
    /// ``childIndexes``: a counting sort by parent slot, stable, so each folder's children stay in MFT order. A
    /// linked name's parent is a folder, which the tree always keeps.
    mutating func groupChildren(linked: [Bool]) {
        var start = [Int32](repeating: 0, count: keptNodes.count + 1)
        var count = 0
        for (index, name) in names.enumerated() where linked[index] {
            start[Int(slots[Int(name.parent.record)]) + 1] += 1
            count += 1
        }
        for index in 0..<keptNodes.count { start[index + 1] += start[index] }
        var next = start
        var indexes = [Int32](repeating: 0, count: count)
        for (index, name) in names.enumerated() where linked[index] {
            let parent = Int(slots[Int(name.parent.record)])
            indexes[Int(next[parent])] = Int32(index)
            next[parent] += 1
        }
        childStart = start
        childIndexes = indexes
    }

    /// The kind a listing shows for record `number`: NTFS symlinks and junctions are links (as ntfs-3g shows them).
    package func kind(of number: UInt64) -> EntryKind {
        let node = node(number)
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
