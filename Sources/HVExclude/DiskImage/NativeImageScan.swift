#if canImport(Glibc)
import Glibc
import HVXBinary
import HVXFormats
import HVXInventory
import HVXVolume
#endif

/// `hvexclude scan IMAGE` without `--mount`: every NTFS partition of a raw image, block device, VHD or VHDX read
/// natively (no root, no FUSE, no loop device), lettered from the Windows partition's MountedDevices exactly as
/// `--mount` letters them; and `--drive X=IMAGE` for one partition or disk image as a drive. The command line (the
/// executable's `NativeImageCommand`) prints and decides exit codes; this only opens and maps.
package enum NativeImageScan {
    /// The natively opened NTFS partitions of one image.
    package struct Volumes {
        /// The partitions, each with its ``NTFSFileSystem`` and synthetic root (`IMAGE#pN`).
        package var partitions: [MountedPartition]
        /// What the container, the table and the reader had to say.
        package var notes: [Finding]
        /// The partition table.
        package var table: PartitionTable
        /// "VHDX dynamic", "raw", …
        package var format: String
        /// Partitions the native reader refused (BitLocker, unreadable boot record): number and reason.
        package var refused: [(number: Int, reason: String)]
    }

    /// The synthetic host root of partition `number` of `image`: no such path exists on the host.
    package static func root(image: String, partition number: Int) -> String { "\(image)#p\(number)" }

    /// Opens every NTFS partition of `image`.
    /// - Throws: ``DiskImageError/notADiskImage(_:)`` when it starts with no partition table or NTFS volume,
    ///   ``DiskImageError/unreadableContent(image:format:content:)`` when sector 0 holds something named that
    ///   cannot be scanned, ``DiskImageError/sectorZeroUnreadable(image:format:reason:)`` when the first
    ///   sectors cannot be read; ``SystemError`` or the VHD/VHDX reader's error when the image cannot be opened.
    package static func open(image: String) throws -> Volumes {
        let opened = try DiskImageBytes.open(path: image)
        let table = try partitionTable(of: opened, image: image)
        var notes = opened.warnings.map { Finding(.image, at: .hostPath(image), $0) }
        notes += table.warnings.map { Finding(.image, at: .hostPath(image), $0) }
        notes += (opened.errors + table.errors).map {
            Finding(.image, at: .hostPath(image), message: $0, severity: .error)
        }
        var partitions: [MountedPartition] = []
        var refused: [(Int, String)] = []
        for var partition in table.partitions {
            let bytes = ByteRange(opened.source, offset: partition.offset, size: partition.size)
            if !partition.isNTFS, let boot = backupBootSector(bytes) { partition.ntfs = boot }
            if !partition.isNTFS {
                let head = (try? bytes.read(at: 0, count: 11)) ?? []
                if head.count == 11, Array(head[3..<11]) == Array("-FVE-FS-".utf8) {
                    let reason = NTFSError.bitLocker(offset: partition.offset).description
                    refused.append((partition.number, reason))
                    notes.append(
                        Finding(
                            .image, at: .hostPath(image),
                            message: "partition \(partition.number): \(reason); it is not scanned",
                            severity: .error))
                }
                continue
            }
            do {
                let volume = try NTFSVolume(source: bytes, name: "partition \(partition.number) of \(image)")
                let root = root(image: image, partition: partition.number)
                // The tree keeps the names the walk may match; other names come from their folder's index.
                let fileSystem = NTFSFileSystem(volume: volume, root: root, keep: ArtifactClassifier.mayMatch)
                partitions.append(MountedPartition(partition: partition, mountPoint: root, fileSystem: fileSystem))
            } catch {
                refused.append((partition.number, "\(error)"))
                notes.append(
                    Finding(
                        .image, at: .hostPath(image),
                        message:
                            "partition \(partition.number) cannot be read natively (\(error)); it is not scanned (try --mount)",
                        severity: .error))
            }
        }
        return Volumes(partitions: partitions, notes: notes, table: table, format: opened.format, refused: refused)
    }

    /// The partition table of the guest disk `opened` (a bare NTFS volume whose first sector is damaged is found
    /// by its backup boot sector).
    /// - Throws: ``DiskImageError`` when the image is shorter than a sector, its first sector cannot be read, or
    ///   it holds no table or NTFS volume.
    static func partitionTable(of opened: DiskImageBytes.Opened, image: String) throws -> PartitionTable {
        let disk = FileReader(path: image, source: opened.source, readBudget: 16 << 20)
        // Shorter than one sector: no image at all, whatever its name says.
        guard opened.source.size >= 512 else { throw DiskImageError.notADiskImage(image) }
        var table: PartitionTable
        do {
            table = try PartitionTable.read(disk, size: opened.source.size)
        } catch {
            // A real read error (a VHDX payload block past the end) keeps its message and the format's name.
            throw DiskImageError.sectorZeroUnreadable(image: image, format: opened.format, reason: "\(error)")
        }
        if table.kind == .unknown, let boot = backupBootSector(opened.source) {
            // A bare NTFS volume whose first sector is damaged: NTFSVolume reads it through the backup and says so.
            var volume = DiskPartition(
                number: 1, scheme: .bareVolume, offset: 0, size: opened.source.size, typeName: "NTFS volume")
            volume.ntfs = boot
            table = PartitionTable(
                kind: .bareNTFS, sectorSize: Int(boot.bytesPerSector), diskSize: opened.source.size,
                diskSignature: nil, diskGUID: nil, partitions: [volume], warnings: [])
        }
        guard table.kind != .unknown else {
            throw DiskImageError.unrecognised(table, image: image, format: opened.format)
        }
        return table
    }

    /// The backup NTFS boot sector in the last sector of `bytes` (a volume whose first sector is damaged), `nil`
    /// when there is none or the first sector is another file system's (a reformatted volume keeps its old backup).
    static func backupBootSector(_ bytes: any ByteSource) -> NTFSBootSector? {
        guard let head = try? bytes.read(at: 0, count: 512), head.count == 512,
            Array(head[3..<11]) != Array("EXFAT   ".utf8), Array(head[3..<11]) != Array("-FVE-FS-".utf8),
            Array(head[54..<57]) != Array("FAT".utf8), Array(head[82..<87]) != Array("FAT32".utf8),
            let (_, offset) = NTFSVolume.backupBootRecord(bytes),
            var reader = try? ByteReader(
                bytes.read(at: offset, count: 512), baseOffset: offset, structure: "NTFS backup boot sector"),
            let boot = try? NTFSBootSector(parsing: &reader)
        else { return nil }
        return boot
    }

    /// The mapping for `--drive X=PATH` when PATH is a partition or disk image: its Windows partition (the one
    /// holding `Windows\System32\config\SYSTEM`), else its only NTFS partition, else its first one (with a note).
    /// - Throws: as ``open(image:)``, or ``DiskImageError/noNTFSPartition(_:)``.
    static func driveMapping(prefix: WindowsPath, image: String) throws -> (VolumeMap.Mapping, [Finding]) {
        let volumes = try open(image: image)
        guard !volumes.partitions.isEmpty else { throw DiskImageError.noNTFSPartition(image) }
        var notes = volumes.notes
        var chosen = volumes.partitions[0]
        if volumes.partitions.count > 1 {
            let assignment = DriveAssignment(mounted: volumes.partitions)
            if let windows = assignment.windowsPartition,
                let match = volumes.partitions.first(where: { $0.partition == windows })
            {
                chosen = match
            }
            notes.append(
                Finding(
                    .image, at: .hostPath(image),
                    message:
                        "\(volumes.partitions.count) NTFS partitions: partition \(chosen.partition.number) is scanned as \(prefix.rootDescription)",
                    severity: .warning))
        }
        return (VolumeMap.Mapping(prefix: prefix, hostRoot: chosen.mountPoint, fileSystem: chosen.fileSystem), notes)
    }

    /// `mappings` with every `--drive X=IMAGE` (a host-folder mapping whose root is a file or block device) replaced
    /// by that image's natively read partition (``driveMapping(prefix:image:)``), and the notes the images gave.
    /// `from` skips the first mappings (ROOT's, already a mounted or native image).
    /// - Throws: ``DiskImageError/imageDriveUnreadable(image:drive:reason:)`` naming the first image that cannot be read.
    package static func openImageDrives(
        _ mappings: [VolumeMap.Mapping], from first: Int = 0
    ) throws -> (mappings: [VolumeMap.Mapping], notes: [Finding]) {
        var mappings = mappings
        var notes: [Finding] = []
        for index in mappings.indices
        where index >= first && mappings[index].fileSystem === POSIXFileSystem.shared
            && DiskImageScan.isImage(mappings[index].hostRoot)
        {
            let mapping = mappings[index]
            do {
                let (native, imageNotes) = try driveMapping(prefix: mapping.prefix, image: mapping.hostRoot)
                mappings[index] = native
                notes += imageNotes
            } catch {
                throw DiskImageError.imageDriveUnreadable(
                    image: mapping.hostRoot, drive: mapping.name, reason: "\(error)")
            }
        }
        return (mappings, notes)
    }
}
