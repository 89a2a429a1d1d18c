// Reference: libyal libfsntfs, "New Technologies File System (NTFS)", section "Volume header"; Sleuth Kit
// tsk/fs/tsk_ntfs.h (ntfs_sb).
import HVXBinary

/// The boot sector (volume header) at offset 0 of an NTFS volume, parsed once for both of its readers: partition
/// detection (``NTFSBootSector``: is this NTFS, how large, which serial) and the native reader (``NTFSBootRecord``:
/// the same sector, also checked for what reading the MFT needs).
///
/// | off | size | field |
/// |---|---|---|
/// | 0 | 3 | boot entry point |
/// | 3 | 8 | file system signature `NTFS    ` (`-FVE-FS-` on a BitLocker volume) |
/// | 11 | 2 | bytes per sector |
/// | 13 | 1 | sectors per cluster block (above 0x80: 2^(256−n)) |
/// | 40 | 8 | total sectors |
/// | 48 | 8 | MFT cluster number |
/// | 56 | 8 | MFT mirror cluster number |
/// | 64 | 1 | MFT entry size (clusters when positive, 2^−n bytes when negative) |
/// | 68 | 1 | index entry size (same encoding) |
/// | 72 | 8 | volume serial number |
/// | 510 | 2 | 0x55 0xAA |
package struct NTFSBootSector: Sendable, Equatable {
    /// The file system signature of an NTFS volume (the OEM id).
    static let oemID = Array("NTFS    ".utf8)
    /// The signature of a BitLocker volume.
    static let bitLockerID = Array("-FVE-FS-".utf8)
    /// Bytes read.
    package static let size = 512
    /// Cap: a cluster of more than 2 MiB is not something Windows writes.
    static let maximumClusterSize: UInt64 = 2 << 20

    /// Bytes per sector.
    package var bytesPerSector: UInt16
    /// Bytes per cluster.
    var bytesPerCluster: UInt64
    /// Total sectors of the volume (the backup boot sector follows them).
    package var totalSectors: UInt64
    /// Cluster number of the MFT.
    package var mftCluster: UInt64
    /// The 64-bit volume serial number (what `blkid` prints as UUID).
    package var serialNumber: UInt64
    /// Non-fatal findings (a missing 0x55AA).
    package var warnings: [Diagnostic] = []

    /// Parses the first 512 bytes of a volume, far enough to recognise NTFS: signature, sector and cluster size.
    /// - Throws: ``NTFSError/bitLocker(offset:)`` for a BitLocker volume, ``BinaryFormatError`` when the sector is
    ///   short, lacks the signature or has impossible geometry.
    package init(parsing reader: inout ByteReader) throws {
        try reader.requireBlock(NTFSBootSector.size)
        let signature = try reader.copy(3..<11)
        if signature == NTFSBootSector.bitLockerID { throw NTFSError.bitLocker(offset: reader.baseOffset) }
        guard signature == NTFSBootSector.oemID else { throw reader.error("no \"NTFS    \" signature", at: 3) }
        bytesPerSector = try reader.peek(UInt16.self, at: 11, .little)
        guard (256...4096).contains(bytesPerSector), bytesPerSector.nonzeroBitCount == 1 else {
            throw reader.error("bytes per sector \(bytesPerSector) is not a power of two in 256…4096", at: 11)
        }
        let rawCluster = try reader.peek(UInt8.self, at: 13, .little)
        if rawCluster == 0 || (rawCluster <= 0x80 && rawCluster.nonzeroBitCount != 1) {
            throw reader.error("sectors per cluster \(rawCluster) is not a power of two", at: 13)
        }
        bytesPerCluster =
            rawCluster <= 0x80
            ? UInt64(rawCluster) * UInt64(bytesPerSector) : 1 << UInt64(min(63, 256 - Int(rawCluster)))
        // Partition detection takes clusters up to 2 GiB (2^31); the native reader, up to its cap.
        guard bytesPerCluster <= 1 << 31 else {
            throw reader.error("cluster size \(bytesPerCluster) exceeds \(NTFSBootSector.maximumClusterSize)", at: 13)
        }
        totalSectors = try reader.peek(UInt64.self, at: 40, .little)
        mftCluster = try reader.peek(UInt64.self, at: 48, .little)
        serialNumber = try reader.peek(UInt64.self, at: 72, .little)
        let mark = try reader.peek(UInt16.self, at: 510, .little)
        if mark != 0xAA55 {
            warnings.append(
                .ntfsBootSignature, at: .offset(reader.baseOffset + 510),
                "NTFS boot sector at \(hex(reader.baseOffset)): no 0x55AA signature (found \(hex(mark))); read on")
        }
    }

    /// Volume size in bytes as the boot sector states it (total sectors + the backup boot sector), or nil on overflow.
    package var volumeBytes: UInt64? {
        let (product, overflow) = (totalSectors &+ 1).multipliedReportingOverflow(by: UInt64(bytesPerSector))
        return overflow ? nil : product
    }

    /// The serial in 16 upper-case hex digits, as `blkid` prints it.
    package var serialText: String {
        let text = String(serialNumber, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 16 - text.count)) + text
    }
}

/// The boot sector as the native reader needs it: ``NTFSBootSector`` plus the MFT and index record sizes, with
/// the caps and the MFT's place checked.
package struct NTFSBootRecord: Sendable, Equatable {
    /// Bytes read.
    package static let size = NTFSBootSector.size
    /// Caps: an MFT record of more than 64 KiB, or a cluster of more than 2 MiB, is not something Windows writes.
    static let maximumRecordSize = 65536
    static let maximumClusterSize = NTFSBootSector.maximumClusterSize

    /// Bytes per sector.
    package var bytesPerSector: Int
    /// Bytes per cluster.
    var clusterSize: UInt64
    /// Sectors in the volume.
    package var totalSectors: UInt64
    /// First cluster of $MFT.
    package var mftCluster: UInt64
    /// First cluster of $MFTMirr (the copy of $MFT's first records).
    var mftMirrorCluster: UInt64
    /// Bytes per MFT record.
    var recordSize: Int
    /// Bytes per index record.
    var indexRecordSize: Int
    /// Volume serial number.
    package var serialNumber: UInt64

    /// Volume size in bytes.
    var volumeSize: UInt64 { totalSectors &* UInt64(bytesPerSector) }
    /// Clusters in the volume.
    var clusterCount: UInt64 { volumeSize / clusterSize }

    /// Parses the first 512 bytes of a volume.
    /// - Throws: ``NTFSError/bitLocker(offset:)`` for a BitLocker volume, ``NTFSError/notNTFS(_:)`` otherwise.
    package init(parsing reader: inout ByteReader) throws {
        do {
            let sector = try NTFSBootSector(parsing: &reader)
            bytesPerSector = Int(sector.bytesPerSector)
            clusterSize = sector.bytesPerCluster
            guard clusterSize <= NTFSBootRecord.maximumClusterSize else {
                throw reader.error("cluster size \(clusterSize) exceeds \(NTFSBootRecord.maximumClusterSize)", at: 13)
            }
            totalSectors = sector.totalSectors
            mftCluster = sector.mftCluster
            mftMirrorCluster = try reader.peek(UInt64.self, at: 56, .little)
            serialNumber = sector.serialNumber
            recordSize = try NTFSBootRecord.entrySize(reader, at: 64, cluster: clusterSize)
            indexRecordSize = try NTFSBootRecord.entrySize(reader, at: 68, cluster: clusterSize)
            guard recordSize >= 256, recordSize.nonzeroBitCount == 1, recordSize % 512 == 0 || recordSize < 512 else {
                throw reader.error("MFT record size \(recordSize) is not a power of two of at least 256 bytes", at: 64)
            }
            guard totalSectors > 0, mftCluster < clusterCount else {
                throw reader.error("MFT cluster \(mftCluster) lies outside the \(clusterCount)-cluster volume", at: 48)
            }
        } catch let error as BinaryFormatError {
            throw NTFSError.notNTFS(error)
        }
    }

    /// An entry size byte: clusters when positive, 2^−n bytes when negative.
    package static func entrySize(_ reader: ByteReader, at offset: Int, cluster: UInt64) throws -> Int {
        let raw = Int8(bitPattern: try reader.peek(UInt8.self, at: offset, .little))
        let size: UInt64
        if raw > 0 {
            size = UInt64(raw) * cluster
        } else {
            let shift = -Int(raw)
            guard shift <= 16 else { throw reader.error("entry size 2^\(shift) is too large", at: offset) }
            size = 1 << UInt64(shift)
        }
        guard size <= UInt64(maximumRecordSize) else {
            throw reader.error("entry size \(size) exceeds \(maximumRecordSize) bytes", at: offset)
        }
        return Int(size)
    }
}
