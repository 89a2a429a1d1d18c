// Reference: Microsoft, "NTFS Technical Reference" (BIOS parameter block and extended BPB of an NTFS volume);
// the same fields libfsntfs documents in "NTFS volume header".
import HVXBinary

/// The boot sector at offset 0 of an NTFS volume, read only far enough to recognise one.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 3 | jump instruction |
/// | 3 | 8 | OEM id `NTFS    ` |
/// | 11 | 2 | bytes per sector (256…4096, a power of two) |
/// | 13 | 1 | sectors per cluster (values above 0x80 are 2^(256−n)) |
/// | 40 | 8 | total sectors (the backup boot sector follows them) |
/// | 48 | 8 | cluster number of $MFT |
/// | 72 | 8 | volume serial number |
/// | 510 | 2 | 0x55 0xAA |
package struct NTFSBootSector: Sendable, Equatable {
    /// OEM id that marks NTFS.
    static let oemID = Array("NTFS    ".utf8)
    /// Bytes needed.
    package static let size = 512
    /// Bytes per sector.
    package var bytesPerSector: UInt16
    /// Bytes per cluster.
    var bytesPerCluster: UInt64
    /// Total sectors of the volume.
    package var totalSectors: UInt64
    /// Cluster number of the MFT.
    package var mftCluster: UInt64
    /// The 64-bit volume serial number (what `blkid` prints as UUID).
    package var serialNumber: UInt64
    /// Non-fatal findings (a missing 0x55AA).
    package var warnings: [String] = []

    /// Parses a 512-byte sector.
    /// - Throws: ``BinaryFormatError`` when it is short, lacks the OEM id or has impossible geometry.
    package init(parsing reader: inout ByteReader) throws {
        try reader.requireBlock(NTFSBootSector.size)
        try reader.expectBytes(NTFSBootSector.oemID, at: 3, "OEM id")
        bytesPerSector = try reader.peek(UInt16.self, at: 11, .little)
        guard (256...4096).contains(bytesPerSector), bytesPerSector.nonzeroBitCount == 1 else {
            throw reader.error("bytes per sector \(bytesPerSector) is not a power of two in 256…4096", at: 11)
        }
        let rawCluster = try reader.peek(UInt8.self, at: 13, .little)
        if rawCluster == 0 {
            throw reader.error("sectors per cluster is 0", at: 13)
        } else if rawCluster <= 0x80 {
            guard rawCluster.nonzeroBitCount == 1 else { throw reader.error("sectors per cluster \(rawCluster) is not a power of two", at: 13) }
            bytesPerCluster = UInt64(rawCluster) * UInt64(bytesPerSector)
        } else {
            let shift = 256 - Int(rawCluster)
            guard shift <= 31 else { throw reader.error("cluster size 2^\(shift) is too large", at: 13) }
            bytesPerCluster = UInt64(1) << UInt64(shift)
        }
        totalSectors = try reader.peek(UInt64.self, at: 40, .little)
        mftCluster = try reader.peek(UInt64.self, at: 48, .little)
        serialNumber = try reader.peek(UInt64.self, at: 72, .little)
        let signature = try reader.peek(UInt16.self, at: 510, .little)
        if signature != 0xAA55 {
            warnings.append("NTFS boot sector at \(hex(reader.baseOffset)): no 0x55AA signature (found \(hex(signature))); read on")
        }
    }

    /// Volume size in bytes as the boot sector states it (total sectors + the backup boot sector), or nil on overflow.
    var volumeBytes: UInt64? {
        let (product, overflow) = (totalSectors &+ 1).multipliedReportingOverflow(by: UInt64(bytesPerSector))
        return overflow ? nil : product
    }

    /// The serial in 16 upper-case hex digits, as `blkid` prints it.
    package var serialText: String {
        let text = String(serialNumber, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 16 - text.count)) + text
    }
}
