#if canImport(Glibc)
import Glibc
import HVXBinary
import HVXFormats
#endif

/// The partitions of a raw disk image, a block device, or a bare NTFS partition image.
///
/// MBR (with the EBR chain of an extended partition) and GPT (primary header, else the backup, both
/// CRC-checked, behind a protective MBR) are read; every partition's first sector is checked for an NTFS boot
/// sector. Only the few sectors the tables need are read.
package struct PartitionTable: Sendable, Equatable {
    /// The kind of layout found.
    package enum Kind: String, Sendable, Equatable {
        /// MBR partition table.
        case mbr
        /// GUID partition table.
        case gpt
        /// No table: the image is one NTFS volume.
        case bareNTFS = "ntfs-volume"
        /// Nothing recognised.
        case unknown
    }

    /// What was found.
    package var kind: Kind
    /// Logical block size used for LBA arithmetic.
    package var sectorSize: Int
    /// Image or device size in bytes.
    var diskSize: UInt64
    /// The MBR disk signature (MBR disks; also the protective MBR's, usually 0, on GPT disks).
    package var diskSignature: UInt32?
    /// The GPT disk GUID.
    var diskGUID: GUID?
    /// Partitions in table order (empty MBR slots and unused GPT entries left out).
    package var partitions: [DiskPartition]
    /// Non-fatal problems, each naming the offset (a few per table: no cap).
    package var warnings: [Diagnostic]
    /// Damage that leaves part of the disk unreadable (the image is shorter than its partitions or volume), each
    /// a sentence with both sizes.
    package var errors: [String] = []
    /// What sector 0 holds when ``kind`` is ``Kind/unknown`` and it could be named.
    package var content: SectorZeroContent?

    /// The NTFS partitions.
    package var ntfsPartitions: [DiskPartition] { partitions.filter(\.isNTFS) }

    /// Cap on logical partitions followed in an EBR chain (a loop or hostile chain stops here).
    static let maximumLogicalPartitions = 128

    /// Reads the table of the image or block device at `path`.
    /// - Throws: ``SystemError`` when it cannot be opened, ``BinaryFormatError`` when it is shorter than one sector.
    package static func read(path: String) throws -> PartitionTable {
        let file = try FileReader(path: path, readBudget: 16 << 20)
        let size = try deviceSize(path: path, statSize: file.size)
        return try read(file, size: size)
    }

    /// Reads the table through `file`, whose size is `size` bytes.
    ///
    /// Sector 0 is identified strictly: a readable NTFS boot sector is a bare volume; an image container or a
    /// volume of another kind (BitLocker, FAT, exFAT, ReFS, LUKS, a damaged NTFS boot sector) is named in
    /// ``content`` and never read as an MBR; an MBR is believed only when its records are valid.
    /// - Throws: ``BinaryFormatError`` when the image is shorter than one sector; the source's own error when
    ///   sector 0 cannot be read.
    package static func read(_ file: FileReader, size: UInt64) throws -> PartitionTable {
        var table = PartitionTable(
            kind: .unknown, sectorSize: 512, diskSize: size, diskSignature: nil, diskGUID: nil, partitions: [],
            warnings: [])
        var first = try file.reader(at: 0, count: 512, structure: "sector 0")
        let damagedNTFS: SectorZeroContent?
        do {
            table.readBareNTFS(try NTFSBootSector(parsing: &first))
            return table
        } catch {
            let isNTFS = Array(first.array[3..<11]) == Array("NTFS    ".utf8)
            damagedNTFS = isNTFS ? .damagedNTFS("\(error)") : nil
        }
        let head = try file.read(at: 0, count: SectorZeroContent.inspectedBytes)
        if let content = SectorZeroContent.identify(head) ?? damagedNTFS {
            table.content = content
            return table
        }
        first = try file.reader(at: 0, count: 512, structure: "MBR")
        let mbr: MasterBootRecord
        do {
            mbr = try MasterBootRecord(parsing: &first)
        } catch {
            // A GPT disk whose protective MBR was wiped still has its headers: look before giving up.
            if table.readGPT(file, protective: nil) { return table.checkedNTFS(file) }
            if SectorZeroContent.isExt(head) { table.content = .ext }
            table.warnings.append(.imageUnrecognised, "\(error); no partition table or NTFS volume recognised")
            return table
        }
        if let problem = mbr.invalidity(diskSectors: size / 512) {
            if table.readGPT(file, protective: nil) { return table.checkedNTFS(file) }
            table.content = SectorZeroContent.isExt(head) ? .ext : .invalidMBR("MBR at 0x1BE: " + problem)
            return table
        }
        table.diskSignature = mbr.diskSignature
        if mbr.isProtective {
            if table.readGPT(file, protective: mbr) { return table.checkedNTFS(file) }
            table.warnings.append(
                .gptMissing, at: .offset(512),
                "the MBR is GPT-protective but no valid GPT header was found; the MBR's own records are listed")
        }
        table.kind = .mbr
        table.readMBR(mbr, file)
        return table.checkedNTFS(file)
    }

    /// The image as one NTFS volume, with an error when it is shorter than the volume its boot sector states.
    private mutating func readBareNTFS(_ boot: NTFSBootSector) {
        var boot = boot
        var volume = DiskPartition(number: 1, scheme: .bareVolume, offset: 0, size: diskSize, typeName: "NTFS volume")
        warnings += boot.warnings
        boot.warnings = []
        volume.ntfs = boot
        kind = .bareNTFS
        sectorSize = Int(boot.bytesPerSector)
        partitions = [volume]
        checkVolumeFits(boot, partition: volume)
    }

    /// An error when the NTFS volume `boot` describes (total sectors × bytes per sector) reaches past the image's
    /// end: a truncated image, whose missing part cannot be read. The backup boot sector alone missing is a warning.
    private mutating func checkVolumeFits(_ boot: NTFSBootSector, partition: DiskPartition) {
        let (data, overflow) = boot.totalSectors.multipliedReportingOverflow(by: UInt64(boot.bytesPerSector))
        let (end, overflowEnd) = partition.offset.addingReportingOverflow(data)
        let name = partition.scheme == .bareVolume ? "the NTFS volume" : "partition \(partition.number)'s NTFS volume"
        if overflow || overflowEnd || end > diskSize {
            let missing = overflow || overflowEnd ? "" : " (\(end - diskSize) bytes missing: a truncated copy?)"
            let bytes = overflow ? "overflowing" : String(data)
            errors.append(
                "the image is shorter than \(name): its boot sector at \(hex(partition.offset)) states "
                    + "\(boot.totalSectors) sectors of \(boot.bytesPerSector) bytes (\(bytes) bytes), "
                    + "the image has \(diskSize) bytes\(missing); what lies past the image's end cannot be read")
        } else if end + UInt64(boot.bytesPerSector) > diskSize, partition.scheme == .bareVolume {
            warnings.append(
                .imageBackupBootSectorMissing, at: .offset(end),
                "the image ends at \(hex(diskSize)), before \(name)'s backup boot sector at \(hex(end))")
        }
    }

    /// Size of a regular file or block device (fstat reports 0 for a block device, so seek to its end).
    package static func deviceSize(path: String, statSize: UInt64) throws -> UInt64 {
        guard statSize == 0 else { return statSize }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError.current("open", path: path) }
        defer { close(fd) }
        let end = lseek(fd, 0, SEEK_END)
        guard end >= 0 else { throw SystemError.current("lseek", path: path) }
        return UInt64(end)
    }

    // MARK: MBR

    private mutating func readMBR(_ mbr: MasterBootRecord, _ file: FileReader) {
        let sector = UInt64(sectorSize)
        var extended: (start: UInt64, count: UInt64)?
        for (slot, entry) in mbr.entries.enumerated() where !entry.isEmpty {
            if entry.isExtended {
                if extended == nil {
                    extended = (UInt64(entry.startLBA), UInt64(entry.sectorCount))
                } else {
                    warnings.append(
                        .mbrSecondExtended, at: .offset(446 + UInt64(slot) * 16),
                        "MBR at 0x0: slot \(slot + 1) is a second extended partition; ignored")
                }
                continue
            }
            var partition = DiskPartition(
                number: slot + 1, scheme: .mbrPrimary, offset: UInt64(entry.startLBA) * sector,
                size: UInt64(entry.sectorCount) * sector, typeName: MBRPartitionEntry.typeName(entry.type))
            partition.mbrType = entry.type
            partition.diskSignature = mbr.diskSignature
            add(partition, at: 446 + UInt64(slot) * 16)
        }
        guard let extended else { return }
        readEBRChain(extended: extended, mbr: mbr, file)
    }

    /// The logical partitions of the extended partition `extended` (in sectors), EBR after EBR. Each EBR: record 1
    /// = the logical partition relative to this EBR, record 2 = the next EBR relative to the extended partition's
    /// start; the chain stops at a damaged or outside EBR, a loop, or the cap, with a warning.
    private mutating func readEBRChain(
        extended: (start: UInt64, count: UInt64), mbr: MasterBootRecord, _ file: FileReader
    ) {
        let sector = UInt64(sectorSize)
        var ebrLBA = extended.start
        var visited = Set<UInt64>()
        var number = 5
        while visited.insert(ebrLBA).inserted {
            guard number - 5 < PartitionTable.maximumLogicalPartitions else {
                warnings.append(
                    .mbrLogicalLimit,
                    "EBR chain: more than \(PartitionTable.maximumLogicalPartitions) logical partitions; the rest are not listed"
                )
                return
            }
            let offset = ebrLBA * sector
            let ebr: MasterBootRecord
            do {
                var reader = try file.reader(at: offset, count: 512, structure: "EBR")
                ebr = try MasterBootRecord(parsing: &reader)
            } catch {
                warnings.append(.mbrEBRUnreadable, at: .offset(offset), "\(error); the EBR chain stops here")
                return
            }
            let logical = ebr.entries[0]
            if !logical.isEmpty {
                var partition = DiskPartition(
                    number: number, scheme: .mbrLogical, offset: (ebrLBA + UInt64(logical.startLBA)) * sector,
                    size: UInt64(logical.sectorCount) * sector, typeName: MBRPartitionEntry.typeName(logical.type))
                partition.mbrType = logical.type
                partition.diskSignature = mbr.diskSignature
                add(partition, at: offset + 446)
                number += 1
            }
            let next = ebr.entries[1]
            guard !next.isEmpty, next.isExtended else { return }
            ebrLBA = extended.start + UInt64(next.startLBA)
            if ebrLBA >= extended.start + extended.count {
                warnings.append(
                    .mbrEBROutside, at: .offset(offset),
                    "EBR at \(hex(offset)): next EBR at LBA \(ebrLBA) lies outside the extended partition; the chain stops here"
                )
                return
            }
        }
        warnings.append(.mbrEBRLoop, "EBR chain loops back to LBA \(ebrLBA); the chain stops here")
    }

    // MARK: GPT

    /// Reads GPT: the primary header and array, else the backup ones. Returns whether one was usable.
    private mutating func readGPT(_ file: FileReader, protective: MasterBootRecord?) -> Bool {
        // 512-byte logical blocks unless "EFI PART" sits at 4096 rather than at 512 (4Kn disks).
        if let at512 = try? file.read(at: 512, count: 8), at512 != GPTHeader.signature,
            let at4096 = try? file.read(at: 4096, count: 8), at4096 == GPTHeader.signature
        {
            sectorSize = 4096
        }
        let sector = UInt64(sectorSize)
        // Without a protective MBR, only a primary header's signature makes this worth calling GPT.
        if protective == nil, (try? file.read(at: sector, count: 8)) != GPTHeader.signature { return false }
        var problems: [Diagnostic] = []
        let primary = loadGPT(file, headerOffset: sector, role: "primary", problems: &problems)
        var chosen = primary
        if chosen == nil {
            // The backup lives at AlternateLBA of an intact primary header, else at the disk's last LBA.
            var backupLBA = diskSize / sector &- 1
            if var reader = try? file.reader(at: sector, count: sectorSize, structure: "GPT primary header"),
                let header = try? GPTHeader(parsing: &reader)
            {
                backupLBA = header.alternateLBA
            }
            if let offset = backupLBA.multipliedReportingOverflow(by: sector).overflow ? nil : backupLBA * sector {
                chosen = loadGPT(file, headerOffset: offset, role: "backup", problems: &problems)
                if chosen != nil {
                    problems.append(
                        .gptBackupUsed, at: .offset(offset), "using the backup GPT header at \(hex(offset))")
                }
            }
        }
        guard let (header, entries) = chosen else {
            warnings += problems
            return false
        }
        warnings += problems
        kind = .gpt
        diskGUID = header.diskGUID
        checkGPTDiskFits(header)
        if protective == nil {
            warnings.append(
                .gptNoProtectiveMBR, at: .offset(0),
                "GPT found without a protective MBR (sector 0 has no 0x55AA signature)")
        }
        addGPTEntries(entries, header: header)
        return true
    }

    /// The used entries of a GPT partition entry array as partitions; an entry whose LBAs are out of order or
    /// overflow is skipped with a warning.
    private mutating func addGPTEntries(_ entries: [GPTPartitionEntry], header: GPTHeader) {
        let sector = UInt64(sectorSize)
        for (index, entry) in entries.enumerated() where !entry.isUnused {
            let location = header.entryArrayLBA * sector + UInt64(index) * UInt64(header.entrySize)
            guard entry.endingLBA >= entry.startingLBA else {
                warnings.append(
                    .gptEntryLBAOrder, at: .offset(location),
                    "GPT entry \(index + 1) at \(hex(location)): ending LBA \(entry.endingLBA) lies before starting LBA \(entry.startingLBA); skipped"
                )
                continue
            }
            let (start, overflowStart) = entry.startingLBA.multipliedReportingOverflow(by: sector)
            let (size, overflowSize) = (entry.endingLBA - entry.startingLBA + 1).multipliedReportingOverflow(by: sector)
            guard !overflowStart, !overflowSize else {
                warnings.append(
                    .gptEntryLBAOverflow, at: .offset(location),
                    "GPT entry \(index + 1) at \(hex(location)): LBAs overflow; skipped")
                continue
            }
            var partition = DiskPartition(
                number: index + 1, scheme: .gpt, offset: start, size: size,
                typeName: GPTPartitionEntry.typeName(entry.typeGUID))
            partition.gptType = entry.typeGUID
            partition.partitionGUID = entry.partitionGUID
            partition.name = entry.name.isEmpty ? nil : entry.name
            add(partition, at: location)
        }
    }

    /// An error when the GPT headers place the disk's last LBA (the backup header's) past the image's end.
    private mutating func checkGPTDiskFits(_ header: GPTHeader) {
        let last = max(header.myLBA, header.alternateLBA)
        let (end, overflow) = (last &+ 1).multipliedReportingOverflow(by: UInt64(sectorSize))
        guard overflow || end > diskSize else { return }
        let bytes = overflow ? "overflowing" : String(end)
        errors.append(
            "the image is shorter than its GPT disk: the GPT header at LBA \(header.myLBA) places the "
                + "backup header at LBA \(header.alternateLBA) (a disk of \(bytes) bytes), the image has "
                + "\(diskSize) bytes; what lies past the image's end cannot be read")
    }

    /// One GPT header and its entry array, or nil with the reason appended to `problems`.
    private func loadGPT(
        _ file: FileReader, headerOffset: UInt64, role: String, problems: inout [Diagnostic]
    ) -> (GPTHeader, [GPTPartitionEntry])? {
        let sector = UInt64(sectorSize)
        do {
            var reader = try file.reader(at: headerOffset, count: sectorSize, structure: "GPT \(role) header")
            let header = try GPTHeader(parsing: &reader)
            if header.myLBA * sector != headerOffset {
                problems.append(
                    .gptMyLBA, at: .offset(headerOffset),
                    "GPT \(role) header at \(hex(headerOffset)): MyLBA \(header.myLBA) does not match its location; read on"
                )
            }
            let arrayOffset = try Checked.multiply(
                header.entryArrayLBA, sector, "GPT \(role) header", at: headerOffset + 72)
            let array = try file.reader(
                at: arrayOffset, count: header.entryArrayBytes, structure: "GPT \(role) partition entry array")
            let computed = CRC32.ieee.checksum(array.array)
            guard computed == header.entryArrayCRC else {
                throw array.error(
                    "CRC-32 mismatch (stored \(hex(header.entryArrayCRC)), computed \(hex(computed)))", at: 0)
            }
            var entries: [GPTPartitionEntry] = []
            for index in 0..<Int(header.entryCount) {
                var entryReader = try array.sub(at: index * Int(header.entrySize), count: Int(header.entrySize))
                entries.append(try GPTPartitionEntry(parsing: &entryReader))
            }
            return (header, entries)
        } catch {
            let at = (error as? BinaryFormatError).map { DiagnosticLocation.offset($0.offset) } ?? .offset(headerOffset)
            problems.append(.gptDamaged, at: at, "\(error)")
            return nil
        }
    }

    // MARK: common

    private mutating func add(_ partition: DiskPartition, at recordOffset: UInt64) {
        let (end, overflow) = partition.offset.addingReportingOverflow(partition.size)
        if overflow || end > diskSize {
            let missing = overflow ? "" : " (\(end - diskSize) bytes missing: a truncated copy?)"
            let ends = overflow ? "an overflowing offset (overflow bytes)" : "\(hex(end)) (\(end) bytes)"
            errors.append(
                "the image is shorter than partition \(partition.number) (record at \(hex(recordOffset))): "
                    + "the partition ends at \(ends), the image has \(diskSize) bytes\(missing); listed anyway, "
                    + "what lies past the image's end cannot be read")
        }
        partitions.append(partition)
    }

    /// The table with each partition's first sector checked for NTFS.
    private func checkedNTFS(_ file: FileReader) -> PartitionTable {
        var table = self
        for index in table.partitions.indices {
            let offset = table.partitions[index].offset
            guard offset < diskSize,
                var reader = try? file.reader(
                    at: offset, count: 512, structure: "partition \(table.partitions[index].number) boot sector"),
                var boot = try? NTFSBootSector(parsing: &reader)
            else { continue }
            table.warnings += boot.warnings
            boot.warnings = []
            if let bytes = boot.volumeBytes, bytes > table.partitions[index].size {
                table.warnings.append(
                    .imagePartitionVolumeLarger, at: .offset(offset),
                    "partition \(table.partitions[index].number) at \(hex(offset)): the NTFS boot sector states \(bytes) bytes, more than the partition's \(table.partitions[index].size); mounting may fail"
                )
            }
            // The partition's own end is checked when it is listed; its volume may reach further.
            let (end, overflow) = offset.addingReportingOverflow(table.partitions[index].size)
            if !overflow, end <= table.diskSize {
                table.checkVolumeFits(boot, partition: table.partitions[index])
            }
            table.partitions[index].ntfs = boot
        }
        return table
    }
}
