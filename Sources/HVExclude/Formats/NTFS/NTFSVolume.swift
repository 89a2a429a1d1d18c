// Reference: libyal libfsntfs, "New Technologies File System (NTFS)" (volume header, MFT, attributes, attribute
// list); Sleuth Kit tsk/fs/ntfs.c (loading $MFT and its attribute list).
import HVXBinary
import Synchronization

/// A read-only NTFS volume over a byte source: its boot record, the runlist of `$MFT`, the `$UpCase` table, and
/// the attributes and data of any record.
///
/// Nothing is cached but `$MFT`'s own runlist and `$UpCase`; the MFT walk (``NTFSTree``) reads the MFT once,
/// sequentially, in large pieces.
package final class NTFSVolume: Sendable {
    /// Well-known record numbers.
    static let mftRecord: UInt64 = 0
    static let rootRecord: UInt64 = 5
    static let upcaseRecord: UInt64 = 10
    /// Records below this are metafiles (hidden from listings, as ntfs-3g hides them).
    static let firstUserRecord: UInt64 = 16
    /// Cap on extension records one file's attribute list may name.
    static let maximumExtensionRecords = 4096
    /// Cap on a non-resident attribute list's size.
    static let maximumAttributeListSize: UInt64 = 4 << 20

    /// The bytes of the volume.
    package let source: any ByteSource
    /// A name for messages ("disk.vhdx partition 2").
    package let name: String
    /// Geometry.
    package let boot: NTFSBootRecord
    /// `$MFT`'s data.
    let mft: NTFSDataStream
    /// Where `$MFTMirr` (copies of records 0–3) starts, `nil` when it is the MFT itself.
    let mirrorOffset: UInt64?
    /// Case folding table.
    let upcase: NTFSUpCase
    /// Problems met while opening (an unreadable `$UpCase`, …).
    package let warnings: [Diagnostic]

    /// Records in the MFT.
    var recordCount: UInt64 { mft.size / UInt64(boot.recordSize) }

    /// Opens the volume in `source`. When the primary boot sector or `$MFT`'s record 0 fails its checks, the
    /// backup boot sector (the volume's last sector) and `$MFTMirr`'s copy of record 0 are tried, as `chkdsk` does,
    /// with a warning naming what was damaged.
    /// - Throws: ``NTFSError`` when the boot record is not NTFS (or BitLocker) or `$MFT` cannot be mapped from any
    ///   copy (the error of the primary copies).
    package init(source: any ByteSource, name: String) throws {
        self.source = source
        self.name = name
        var warnings: [Diagnostic] = []
        let (boot, mft, mirror) = try NTFSVolume.openMFT(source: source, name: name, warnings: &warnings)
        self.boot = boot
        self.mft = mft
        mirrorOffset = mirror
        // $UpCase: read through the MFT now mapped.
        var upcase = NTFSUpCase.ascii
        do {
            let attributes = try NTFSVolume.attributes(
                ofRecord: NTFSVolume.upcaseRecord, mft: mft, boot: boot, source: source)
            let stream = try NTFSVolume.dataStream(
                attributes, streamName: "", record: NTFSVolume.upcaseRecord, source: source, boot: boot)
            upcase = try NTFSUpCase(parsing: try stream.read(at: 0, count: NTFSUpCase.byteCount))
        } catch {
            warnings.append(
                .ntfsUpCaseUnreadable, at: .mftRecord(NTFSVolume.upcaseRecord),
                "\(name): $UpCase unreadable (\(error)); names are compared with ASCII case folding only")
        }
        self.upcase = upcase
        self.warnings = warnings
    }

    /// The boot record and `$MFT`'s data from the first copies that pass their checks: the primary boot sector, else
    /// the backup; `$MFT`'s record 0, else `$MFTMirr`'s copy of it.
    static func openMFT(
        source: any ByteSource, name: String, warnings: inout [Diagnostic]
    ) throws
        -> (NTFSBootRecord, NTFSDataStream, UInt64?)
    {
        var boots: [(boot: NTFSBootRecord, what: String)] = []
        var firstError: (any Error)?
        do {
            var reader = ByteReader(try source.read(at: 0, count: NTFSBootRecord.size), structure: "NTFS boot record")
            boots.append((try NTFSBootRecord(parsing: &reader), "the boot sector"))
        } catch let error as NTFSError {
            if case .bitLocker = error { throw error }
            firstError = error
        }
        if let (backup, offset) = backupBootRecord(source), !boots.contains(where: { $0.boot == backup }) {
            boots.append((backup, "the backup boot sector at \(hex(offset))"))
        }
        // Why the copy before could not be used (named when the next is tried).
        var failure = firstError.map { "the boot sector is damaged (\($0))" }
        for candidate in boots {
            if let failure {
                warnings.append(.ntfsBootSectorDamaged, at: .offset(0), "\(failure); read with \(candidate.what)")
            }
            let boot = candidate.boot
            let primary = try? Checked.multiply(boot.mftCluster, boot.clusterSize, "NTFS boot record", at: 48)
            let mirror =
                boot.mftMirrorCluster == boot.mftCluster
                ? nil : try? Checked.multiply(boot.mftMirrorCluster, boot.clusterSize, "NTFS boot record", at: 56)
            var recordError: (any Error)?
            for (copy, at) in [("$MFT", primary), ("$MFTMirr", mirror)] {
                guard let at else { continue }
                do {
                    let mft = try mapMFT(source: source, boot: boot, at: at)
                    if let recordError {
                        warnings.append(
                            .ntfsMFTRecordZeroDamaged, at: .mftRecord(0),
                            "$MFT's record 0 is damaged (\(recordError)); $MFT is mapped with its copy "
                                + "in $MFTMirr at \(hex(at))")
                    }
                    return (boot, mft, mirror)
                } catch {
                    if copy == "$MFT" { recordError = error }
                    if firstError == nil { firstError = error }
                    failure = "$MFT cannot be mapped with \(candidate.what) (\(error))"
                }
            }
        }
        throw firstError ?? NTFSError.record(0, "no boot record")
    }

    /// The backup boot sector, in the last sector of the volume (where Windows and mkntfs write it), and its offset.
    package static func backupBootRecord(_ source: any ByteSource) -> (NTFSBootRecord, UInt64)? {
        for sectorSize in [512, 4096, 1024, 2048] where source.size >= UInt64(2 * sectorSize) {
            let offset = source.size - UInt64(sectorSize)
            guard let bytes = try? source.read(at: offset, count: NTFSBootRecord.size) else { continue }
            var reader = ByteReader(bytes, baseOffset: offset, structure: "NTFS backup boot record")
            if let boot = try? NTFSBootRecord(parsing: &reader), boot.bytesPerSector == sectorSize {
                return (boot, offset)
            }
        }
        return nil
    }

    /// `$MFT`'s data, mapped from the copy of its record 0 at `mftStart` (the MFT's or its mirror's).
    static func mapMFT(source: any ByteSource, boot: NTFSBootRecord, at mftStart: UInt64) throws -> NTFSDataStream {
        let recordSize = boot.recordSize
        let first = try source.read(at: mftStart, count: recordSize)
        guard first.count == recordSize else {
            throw NTFSError.record(0, "the image ends before the MFT (offset \(hex(mftStart))); truncated image")
        }
        let record = try NTFSFileRecord(parsing: first[...], number: 0, baseOffset: mftStart)
        guard record.inUse, record.baseRecord == nil else {
            throw NTFSError.record(0, "$MFT's record is not a file in use")
        }
        // $MFT's data may itself be fragmented over extension records (a huge MFT): map the first fragment, then
        // read the extension records through it.
        var fragments = record.attributes.filter { $0.type == NTFSAttribute.Kind.data.rawValue && $0.name.isEmpty }
            .compactMap(\.nonResident)
        guard let head = fragments.first(where: { $0.firstVCN == 0 }) else {
            throw NTFSError.record(0, "$MFT has no non-resident unnamed $DATA attribute")
        }
        if let list = record.attributes.first(where: { $0.type == NTFSAttribute.Kind.attributeList.rawValue }) {
            fragments += try extensionFragments(list, head: head, source: source, boot: boot)
        }
        fragments.sort { $0.firstVCN < $1.firstVCN }
        return try NTFSDataStream(
            fragments: fragments, flags: 0, volume: source, clusterSize: boot.clusterSize,
            clusterCount: boot.clusterCount, record: 0)
    }

    /// The `$DATA` fragments of `$MFT` held in the extension records its attribute list names.
    static func extensionFragments(
        _ list: NTFSAttribute, head: NTFSAttribute.NonResident, source: any ByteSource,
        boot: NTFSBootRecord
    ) throws -> [NTFSAttribute.NonResident] {
        let recordSize = boot.recordSize
        let partial = try NTFSDataStream(
            fragments: [head], flags: 0, volume: source, clusterSize: boot.clusterSize,
            clusterCount: boot.clusterCount, record: 0)
        let listBytes: [UInt8]
        if let value = list.residentValue {
            listBytes = value
        } else if let runs = list.nonResident {
            let stream = try NTFSDataStream(
                fragments: [runs], flags: 0, volume: source, clusterSize: boot.clusterSize,
                clusterCount: boot.clusterCount, record: 0)
            listBytes = try stream.read(at: 0, count: Int(min(stream.size, NTFSVolume.maximumAttributeListSize)))
        } else {
            listBytes = []
        }
        let entries: [NTFSAttributeListEntry]
        do { entries = try NTFSAttributeListEntry.parseList(listBytes) } catch {
            throw NTFSError.record(0, "$ATTRIBUTE_LIST: \(error)")
        }
        var fragments: [NTFSAttribute.NonResident] = []
        var seen = Set<UInt64>()
        for entry in entries where entry.type == NTFSAttribute.Kind.data.rawValue && entry.record.record != 0 {
            guard seen.insert(entry.record.record).inserted else { continue }
            let offset = entry.record.record * UInt64(recordSize)
            guard offset + UInt64(recordSize) <= partial.size else {
                throw NTFSError.record(
                    0,
                    "$ATTRIBUTE_LIST names record \(entry.record.record), which lies outside the part of $MFT mapped so far"
                )
            }
            let bytes = try partial.read(at: offset, count: recordSize)
            let extensionRecord = try NTFSFileRecord(
                parsing: bytes[...], number: entry.record.record, baseOffset: offset)
            guard extensionRecord.baseRecord.map({ NTFSReference($0).record }) == 0 else {
                throw NTFSError.record(
                    entry.record.record, "named by $MFT's attribute list but belongs to another record")
            }
            fragments += extensionRecord.attributes.filter {
                $0.type == NTFSAttribute.Kind.data.rawValue && $0.name.isEmpty
            }
            .compactMap(\.nonResident)
        }
        return fragments
    }

    /// The raw bytes of record `number`.
    func recordBytes(_ number: UInt64) throws -> [UInt8] {
        try NTFSVolume.recordBytes(number, mft: mft, recordSize: boot.recordSize)
    }

    static func recordBytes(_ number: UInt64, mft: NTFSDataStream, recordSize: Int) throws -> [UInt8] {
        let (offset, overflow) = number.multipliedReportingOverflow(by: UInt64(recordSize))
        guard !overflow, offset < mft.size else { throw NTFSError.record(number, "lies past the end of $MFT") }
        let bytes = try mft.read(at: offset, count: recordSize)
        guard bytes.count == recordSize else { throw NTFSError.record(number, "cut short by the end of $MFT") }
        return bytes
    }

    /// `$MFTMirr`'s copy of record `number` (0–3), for a damaged original.
    func mirrorRecordBytes(_ number: UInt64) throws -> [UInt8] {
        guard number < 4, let mirrorOffset else { throw NTFSError.record(number, "has no copy in $MFTMirr") }
        let bytes = try source.read(at: mirrorOffset + number * UInt64(boot.recordSize), count: boot.recordSize)
        guard bytes.count == boot.recordSize else { throw NTFSError.record(number, "$MFTMirr's copy is cut short") }
        return bytes
    }

    /// Record `number`, parsed.
    package func record(_ number: UInt64) throws -> NTFSFileRecord {
        try NTFSFileRecord(
            parsing: try recordBytes(number)[...], number: number, baseOffset: number * UInt64(boot.recordSize))
    }

    /// Every attribute of base record `number`, those in extension records included (through `$ATTRIBUTE_LIST`).
    package func attributes(ofRecord number: UInt64) throws -> [NTFSAttribute] {
        try NTFSVolume.attributes(ofRecord: number, mft: mft, boot: boot, source: source)
    }

    package static func attributes(
        ofRecord number: UInt64, mft: NTFSDataStream, boot: NTFSBootRecord, source: any ByteSource
    ) throws -> [NTFSAttribute] {
        let recordSize = boot.recordSize
        let base = try NTFSFileRecord(
            parsing: try recordBytes(number, mft: mft, recordSize: recordSize)[...], number: number,
            baseOffset: number * UInt64(recordSize))
        guard base.inUse else { throw NTFSError.record(number, "not in use") }
        guard base.baseRecord == nil else { throw NTFSError.record(number, "is an extension record, not a file") }
        guard let list = base.attributes.first(where: { $0.type == NTFSAttribute.Kind.attributeList.rawValue }) else {
            return base.attributes
        }
        let bytes: [UInt8]
        if let value = list.residentValue {
            bytes = value
        } else if let runs = list.nonResident {
            guard runs.dataSize <= maximumAttributeListSize else {
                throw NTFSError.record(
                    number, "$ATTRIBUTE_LIST of \(runs.dataSize) bytes exceeds \(maximumAttributeListSize)")
            }
            // The list's own runs are never fragmented (it cannot name itself), so one fragment maps it.
            let stream = try NTFSDataStream(
                fragments: [runs], flags: 0, volume: source, clusterSize: boot.clusterSize,
                clusterCount: boot.clusterCount, record: number)
            bytes = try stream.read(at: 0, count: Int(runs.dataSize))
        } else {
            bytes = []
        }
        let entries: [NTFSAttributeListEntry]
        do { entries = try NTFSAttributeListEntry.parseList(bytes) } catch {
            throw NTFSError.record(number, "$ATTRIBUTE_LIST: \(error)")
        }
        var attributes = base.attributes.filter { $0.type != NTFSAttribute.Kind.attributeList.rawValue }
        var loaded: Set<UInt64> = [number]
        for entry in entries where !loaded.contains(entry.record.record) {
            loaded.insert(entry.record.record)
            guard loaded.count <= maximumExtensionRecords else {
                throw NTFSError.record(number, "$ATTRIBUTE_LIST names more than \(maximumExtensionRecords) records")
            }
            let other = entry.record.record
            let record = try NTFSFileRecord(
                parsing: try recordBytes(other, mft: mft, recordSize: recordSize)[...], number: other,
                baseOffset: other * UInt64(recordSize))
            guard record.inUse, let owner = record.baseRecord, NTFSReference(owner).record == number else {
                throw NTFSError.record(
                    number, "$ATTRIBUTE_LIST names record \(other), which is not an extension of this one")
            }
            // An extension record never carries a list of its own; one that does is ignored, not followed.
            attributes += record.attributes.filter { $0.type != NTFSAttribute.Kind.attributeList.rawValue }
        }
        return attributes
    }

    /// The data stream named `streamName` (empty: the unnamed `$DATA`) among `attributes` of record `record`.
    func dataStream(_ attributes: [NTFSAttribute], streamName: String = "", record: UInt64) throws -> NTFSDataStream {
        try NTFSVolume.dataStream(attributes, streamName: streamName, record: record, source: source, boot: boot)
    }

    static func dataStream(
        _ attributes: [NTFSAttribute], streamName: String, record: UInt64, source: any ByteSource,
        boot: NTFSBootRecord
    ) throws -> NTFSDataStream {
        let data = attributes.filter { $0.type == NTFSAttribute.Kind.data.rawValue && $0.name == streamName }
        guard let first = data.first else {
            throw NTFSError.record(
                record, streamName.isEmpty ? "no unnamed $DATA attribute" : "no $DATA stream \(streamName)")
        }
        if first.isEncrypted { throw NTFSError.encrypted(record) }
        if let value = first.residentValue {
            return NTFSDataStream(resident: value, volume: source, clusterSize: boot.clusterSize, record: record)
        }
        let fragments = data.compactMap(\.nonResident).sorted { $0.firstVCN < $1.firstVCN }
        return try NTFSDataStream(
            fragments: fragments, flags: first.flags, volume: source, clusterSize: boot.clusterSize,
            clusterCount: boot.clusterCount, record: record)
    }

    /// The raw `$REPARSE_POINT` value of record `number` (as ntfs-3g's `system.ntfs_reparse_data` shows it).
    package func reparseData(ofRecord number: UInt64) throws -> [UInt8]? {
        let attributes = try attributes(ofRecord: number)
        guard let point = attributes.first(where: { $0.type == NTFSAttribute.Kind.reparsePoint.rawValue }) else {
            return nil
        }
        if let value = point.residentValue { return value }
        let stream = try dataStream([NTFSAttribute(copying: point, asData: true)], record: number)
        return try stream.read(at: 0, count: Int(min(stream.size, 16 * 1024)))
    }
}

extension NTFSAttribute {
    /// The same attribute presented as an unnamed `$DATA`, so its value is read through a ``NTFSDataStream``.
    package init(copying attribute: NTFSAttribute, asData: Bool) {
        self = attribute
        type = NTFSAttribute.Kind.data.rawValue
        name = ""
        flags = 0
    }
}
