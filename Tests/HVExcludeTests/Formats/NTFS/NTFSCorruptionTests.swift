import Foundation
import Testing

@testable import HVXBinary
@testable import HVXFormats
@testable import HVXWalk

/// Damaged volumes built record by record (``NTFSTestVolume``): each damage ends in a warning or error naming the
/// MFT record, the rest of the volume is still read, and nothing crashes or hangs.
struct NTFSCorruptionTests {
    /// A healthy volume: `a.vhdx` (resident), `VMs\b.vmcx` (non-resident with a sparse run), `VMs\c.txt` with a DOS
    /// duplicate name and a hard link in the root.
    static func healthy() -> NTFSTestVolume {
        var volume = NTFSTestVolume()
        volume.add(
            16,
            attributes: [
                NTFSTestVolume.fileName(parent: 5, name: "a.vhdx"),
                NTFSTestVolume.resident(type: 0x80, value: Array("vhdxfile".utf8)),
            ])
        volume.add(17, directory: true, attributes: [NTFSTestVolume.fileName(parent: 5, name: "VMs")])
        volume.add(
            18,
            attributes: [
                NTFSTestVolume.fileName(parent: 17, name: "b.vmcx"),
                NTFSTestVolume.nonResident(type: 0x80, runs: [(1, 48), (2, nil), (1, 60)], size: 4 * 4096),
            ])
        volume.data[48] = [UInt8](repeating: 0xAB, count: 4096)
        volume.data[60] = [UInt8](repeating: 0xCD, count: 4096)
        volume.add(
            19,
            attributes: [
                NTFSTestVolume.fileName(parent: 17, name: "c.txt"),
                NTFSTestVolume.fileName(parent: 17, name: "C~1.TXT", namespace: 2),
                NTFSTestVolume.fileName(parent: 5, name: "c-link.txt"),
                NTFSTestVolume.resident(type: 0x80, value: Array("c".utf8)),
            ])
        return volume
    }

    static func open(_ volume: NTFSTestVolume) throws -> NTFSFileSystem {
        NTFSFileSystem(volume: try NTFSVolume(source: MemoryBytes(volume.image()), name: "test"), root: "/t")
    }

    @Test func healthyVolumeReadsBack() throws {
        let fs = try Self.open(Self.healthy())
        #expect(fs.warnings.isEmpty, "\(fs.warnings)")
        #expect(Set(try fs.listFolder("/t").map(\.name)) == ["a.vhdx", "VMs", "c-link.txt"])
        #expect(Set(try fs.listFolder("/t/VMs").map(\.name)) == ["b.vmcx", "c.txt"])  // no DOS 8.3 duplicate
        let b = try fs.openFile("/t/VMs/b.vmcx", readBudget: 1 << 20)
        let bytes = try b.read(at: 0, count: 4 * 4096)
        #expect(
            bytes[0] == 0xAB && bytes[4095] == 0xAB && bytes[4096] == 0 && bytes[12287] == 0 && bytes[12288] == 0xCD)
        #expect(try fs.openFile("/t/c-link.txt", readBudget: 10).read(at: 0, count: 10) == [UInt8(ascii: "c")])
        #expect(fs.fold("a.vhdx") == "A.VHDX")
    }

    @Test func tornRecordIsAWarningNamingItAndTheRestIsRead() throws {
        var volume = Self.healthy()
        volume.tornRecords = [18]
        let fs = try Self.open(volume)
        #expect(fs.warnings.has(.ntfsRecordUnreadable, at: .mftRecord(18)), "\(fs.warnings)")
        #expect(Set(try fs.listFolder("/t/VMs").map(\.name)) == ["c.txt"])
    }

    @Test func badSignatureAndBrokenAttributeChainAreWarnings() throws {
        var volume = Self.healthy()
        volume.records[16]![0..<4] = ArraySlice(Array("BAAD".utf8))
        volume.records[19]![60..<64] = [0, 0, 0, 0]  // first attribute's length 0
        let fs = try Self.open(volume)
        #expect(fs.warnings.has(.ntfsRecordUnreadable, at: .mftRecord(16)), "\(fs.warnings)")
        #expect(fs.warnings.has(.ntfsRecordUnreadable, at: .mftRecord(19)), "\(fs.warnings)")
        #expect(Set(try fs.listFolder("/t").map(\.name)) == ["VMs"])
    }

    @Test func runOutsideTheVolumeIsAnErrorNamingTheRecord() throws {
        var volume = Self.healthy()
        volume.add(
            18,
            attributes: [
                NTFSTestVolume.fileName(parent: 17, name: "b.vmcx"),
                NTFSTestVolume.nonResident(type: 0x80, runs: [(4, 1_000_000)], size: 4 * 4096),
            ])
        let fs = try Self.open(volume)
        #expect(throws: NTFSError.record(18, "run at LCN 1000000 (4 clusters) lies outside the 255-cluster volume")) {
            try fs.openFile("/t/VMs/b.vmcx", readBudget: 1 << 20)
        }
    }

    @Test func runlistLoopThroughAttributeListFragmentsIsAnError() throws {
        // Record 20's $DATA is split over extension records 21 and 22, both claiming VCN 0: the runs would loop.
        var volume = Self.healthy()
        volume.add(
            20,
            attributes: [
                NTFSTestVolume.attributeList([(0x30, 0, 20), (0x80, 0, 21), (0x80, 0, 22)]),
                NTFSTestVolume.fileName(parent: 5, name: "loop.vhdx"),
            ])
        volume.add(21, base: 20, attributes: [NTFSTestVolume.nonResident(type: 0x80, runs: [(1, 48)], size: 8192)])
        volume.add(22, base: 20, attributes: [NTFSTestVolume.nonResident(type: 0x80, runs: [(1, 48)], size: 8192)])
        let fs = try Self.open(volume)
        #expect(fs.warnings.isEmpty)
        #expect(
            throws: NTFSError.record(
                20, "attribute fragment starts at VCN 0, expected 1 (a gap, an overlap or a loop in the runlists)")
        ) {
            try fs.openFile("/t/loop.vhdx", readBudget: 1 << 20)
        }
    }

    @Test func attributeListNamingARecordThatIsNotItsExtensionIsAnError() throws {
        // Record 23's list names record 24, which says it is its own base (a list pointing back at itself).
        var volume = Self.healthy()
        volume.add(
            23,
            attributes: [
                NTFSTestVolume.attributeList([(0x30, 0, 23), (0x80, 0, 24)]),
                NTFSTestVolume.fileName(parent: 5, name: "self.vhdx"),
            ])
        volume.add(
            24, base: 24,
            attributes: [
                NTFSTestVolume.attributeList([(0x80, 0, 23), (0x80, 0, 24)]),
                NTFSTestVolume.resident(type: 0x80, value: [1, 2, 3]),
            ])
        let fs = try Self.open(volume)
        #expect(throws: NTFSError.record(23, "$ATTRIBUTE_LIST names record 24, which is not an extension of this one"))
        {
            try fs.openFile("/t/self.vhdx", readBudget: 1 << 20)
        }
        // A list naming only its own record is read (Windows lists the base record's own attributes too).
        volume.add(24, base: 23, attributes: [NTFSTestVolume.resident(type: 0x80, value: [1, 2, 3])])
        #expect(try Self.open(volume).openFile("/t/self.vhdx", readBudget: 10).read(at: 0, count: 10) == [1, 2, 3])
    }

    @Test func truncatedImageIsAWarningNamingTheFirstMissingRecord() throws {
        let bytes = Self.healthy().image()
        // Cut inside the MFT, after record 17.
        let cut = Array(
            bytes.prefix(NTFSTestVolume.mftCluster * NTFSTestVolume.clusterSize + 18 * NTFSTestVolume.recordSize + 100))
        let volume = try NTFSVolume(source: MemoryBytes(cut), name: "cut")
        let fs = NTFSFileSystem(volume: volume, root: "/t")
        #expect(fs.warnings.has(.ntfsMFTUnreadable, at: .mftRecord(18)), "\(fs.warnings)")
        // The text names the likely cause for the reader of the report.
        #expect(fs.warnings.messages.contains { $0.contains("truncated image") }, "\(fs.warnings)")
        #expect(volume.warnings.has(.ntfsUpCaseUnreadable, at: .mftRecord(10)))
        #expect(try fs.listFolder("/t").map(\.name).contains("VMs"))
    }

    /// Found by the ntfs fuzzer: an MFT whose data holds fewer records than the metafiles (here 4) has no root
    /// folder; every lookup starts there.
    @Test func mftTooShortForTheRootFolderIsAWarningNotACrash() throws {
        var volume = Self.healthy()
        volume.records[0] = NTFSTestVolume.record(
            number: 0,
            attributes: [
                NTFSTestVolume.fileName(parent: 5, name: "$MFT"),
                NTFSTestVolume.nonResident(
                    type: 0x80, runs: [(1, UInt64(NTFSTestVolume.mftCluster))],
                    size: UInt64(4 * NTFSTestVolume.recordSize)),
            ])
        let fs = try Self.open(volume)
        #expect(fs.warnings.has(.ntfsMFTNoRoot, at: .mftRecord(4)), "\(fs.warnings)")
        #expect(fs.record(atHostPath: "/t/a.vhdx") == nil)
        #expect(throws: SystemError.self) {
            try fs.walk(roots: ["/t"], options: WalkOptions(), progress: WalkProgress()) { _, _ in true }
        }
    }

    @Test func parentLoopIsNotWalkedForever() throws {
        // Folders 25 and 26 name each other as parent: unreachable from the root, so the cycle is cut at 25, which
        // is placed under $Orphans (with a warning), and each is entered once.
        var volume = Self.healthy()
        volume.add(25, directory: true, attributes: [NTFSTestVolume.fileName(parent: 26, name: "x")])
        volume.add(26, directory: true, attributes: [NTFSTestVolume.fileName(parent: 25, name: "y")])
        let fs = try Self.open(volume)
        #expect(fs.warnings.codes == [.ntfsOrphanCycle] && fs.warnings.has(.ntfsOrphanCycle, at: .mftRecord(25)))
        let walk = try fs.walk(roots: ["/t"], options: WalkOptions(), progress: WalkProgress()) { _, _ in true }
        #expect(Set(walk.entries.map(\.hostPath)).isSuperset(of: ["/t/$Orphans", "/t/$Orphans/x", "/t/$Orphans/x/y"]))
        #expect(walk.entries.count == 8)
        // (The test volume's folders have no $I30 index: the index check says so in issues of its own.)
        #expect(Set(walk.issues.compactMap(\.diagnostic)) == [.ntfsOrphanCycle, .ntfsIndexUnreadable])
        #expect(
            walk.issues.filter { $0.diagnostic != .ntfsIndexUnreadable }.map(\.message) == [
                "test: MFT record 25 (folder \"x\"): orphaned, its parent chain is a cycle (records 25 → 26 → 25); placed under \\$Orphans\\x"
            ])
    }

    @Test func staleParentReferenceIsNotListed() throws {
        var volume = Self.healthy()
        volume.add(27, attributes: [NTFSTestVolume.fileName(parent: 17, parentSequence: 9, name: "stale.vhdx")])
        #expect(!(try Self.open(volume).listFolder("/t/VMs").map(\.name).contains("stale.vhdx")))
    }

    @Test func bitLockerVolumeIsRefusedWithWhatToDo() throws {
        var bytes = Self.healthy().image()
        bytes[3..<11] = ArraySlice(Array("-FVE-FS-".utf8))
        #expect(throws: NTFSError.bitLocker(offset: 0)) { try NTFSVolume(source: MemoryBytes(bytes), name: "bl") }
        #expect(NTFSError.bitLocker(offset: 0).description.contains("dislocker"))
    }

    @Test func encryptedFileIsListedNotRead() throws {
        var volume = Self.healthy()
        volume.add(
            28,
            attributes: [
                NTFSTestVolume.fileName(parent: 5, name: "secret.vhdx"),
                NTFSTestVolume.nonResident(type: 0x80, runs: [(1, 48)], size: 100, flags: 0x4000),
            ])
        let fs = try Self.open(volume)
        #expect(try fs.listFolder("/t").map(\.name).contains("secret.vhdx"))
        #expect(fs.tree.node(28).isEncrypted)
        #expect(throws: NTFSError.encrypted(28)) { try fs.openFile("/t/secret.vhdx", readBudget: 1 << 20) }
    }

    @Test func lznt1DecompressesLiteralsAndBackReferences() throws {
        // "abc" then a back-reference 3 bytes back, 6 long: "abcabcabc"; then a stored chunk would follow.
        let chunk: [UInt8] = [0x05, 0xB0, 0x08, 0x61, 0x62, 0x63, 0x03, 0x20]
        #expect(try LZNT1.decompress(chunk[...], limit: 4096) == Array("abcabcabc".utf8))
        #expect(throws: BinaryFormatError.self) {
            try LZNT1.decompress([0x05, 0xB0, 0x08, 0x61, 0x62, 0x63, 0x03, 0x90][...], limit: 4096)
        }
    }
}
