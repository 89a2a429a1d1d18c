import Testing

@testable import HVXBinary
@testable import HVXFormats

/// A damaged primary boot sector is read through the backup in the volume's last sector, and a damaged `$MFT`
/// record 0 through its copy in `$MFTMirr`, each with a warning naming what was damaged.
struct NTFSBackupMetadataTests {
    static let sectorOffset = NTFSTestVolume.clusters * NTFSTestVolume.clusterSize - 512
    static let mirrorCluster = 40

    /// The healthy test volume with a backup boot sector and a `$MFTMirr` holding copies of records 0–3.
    static func image() -> [UInt8] {
        var bytes = NTFSCorruptionTests.healthy().image()
        let mirror = mirrorCluster * NTFSTestVolume.clusterSize
        for index in 0..<8 { bytes[56 + index] = UInt8((UInt64(mirrorCluster) >> (8 * UInt64(index))) & 0xFF) }
        let mft = NTFSTestVolume.mftCluster * NTFSTestVolume.clusterSize
        bytes[mirror..<(mirror + 4 * NTFSTestVolume.recordSize)] = bytes[mft..<(mft + 4 * NTFSTestVolume.recordSize)]
        bytes[sectorOffset..<(sectorOffset + 512)] = bytes[0..<512]
        return bytes
    }

    static func open(_ bytes: [UInt8]) throws -> NTFSFileSystem {
        NTFSFileSystem(volume: try NTFSVolume(source: MemoryBytes(bytes), name: "test"), root: "/t")
    }

    @Test func healthyCopiesGiveNoWarning() throws {
        let fs = try Self.open(Self.image())
        #expect(fs.warnings.isEmpty, "\(fs.warnings)")
    }

    @Test func damagedPrimaryBootSectorIsReadThroughTheBackup() throws {
        var bytes = Self.image()
        bytes[0..<512] = ArraySlice(repeating: 0, count: 512)
        let fs = try Self.open(bytes)
        #expect(
            fs.warnings.codes == [.ntfsBootSectorDamaged])
        #expect(
            fs.warnings.messages == [
                "the boot sector is damaged (not an NTFS volume: NTFS boot record at 0x3: no \"NTFS    \" signature); "
                    + "read with the backup boot sector at 0xFFE00"
            ])
        #expect(Set(try fs.listFolder("/t").map(\.name)) == ["a.vhdx", "VMs", "c-link.txt"])
        #expect(NTFSVolume.backupBootRecord(MemoryBytes(bytes))?.1 == UInt64(Self.sectorOffset))
    }

    @Test func damagedMFTRecordZeroIsReadThroughTheMirror() throws {
        var bytes = Self.image()
        let mft = NTFSTestVolume.mftCluster * NTFSTestVolume.clusterSize
        bytes[mft..<(mft + 4)] = ArraySlice(Array("BAAD".utf8))
        let fs = try Self.open(bytes)
        #expect(
            fs.warnings.codes.first == .ntfsMFTRecordZeroDamaged && fs.warnings.first?.location == .mftRecord(0))
        #expect(
            fs.warnings.messages.first
                == "$MFT's record 0 is damaged (MFT record 0: marked BAAD (a multi-sector write failed)); "
                + "$MFT is mapped with its copy in $MFTMirr at 0x28000", "\(fs.warnings)")
        #expect(Set(try fs.listFolder("/t/VMs").map(\.name)) == ["b.vmcx", "c.txt"])
    }

    @Test func bothCopiesDamagedIsTheFirstError() throws {
        var bytes = Self.image()
        bytes[0..<512] = ArraySlice(repeating: 0, count: 512)
        bytes[Self.sectorOffset..<(Self.sectorOffset + 512)] = ArraySlice(repeating: 0, count: 512)
        #expect(throws: NTFSError.self) { try Self.open(bytes) }
    }

    @Test func bitLockerIsNeverReadThroughAnOldBackup() throws {
        var bytes = Self.image()
        bytes[3..<11] = ArraySlice(Array("-FVE-FS-".utf8))
        #expect(throws: NTFSError.bitLocker(offset: 0)) { try Self.open(bytes) }
    }
}
