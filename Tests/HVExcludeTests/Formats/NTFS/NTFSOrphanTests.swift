import Testing

@testable import HVXBinary
@testable import HVXFormats
@testable import HVXWalk

/// Records the MFT's parent links leave out of the tree (stale parent sequence, missing or non-folder parent, a
/// cycle) are placed under `$Orphans` with one warning each, and their subtrees are listed and walked.
struct NTFSOrphanTests {
    typealias V = NTFSTestVolume

    /// `VMs` (17) holds `Disks` (20) holding `d.vhdx` (21); `VMs` itself is damaged by `vmsName`.
    static func volume(vmsName: [UInt8], extra: (inout NTFSTestVolume) -> Void = { _ in }) -> NTFSTestVolume {
        var volume = V()
        volume.add(16, attributes: [V.fileName(parent: 5, name: "a.vhdx")])
        volume.add(17, directory: true, attributes: [vmsName])
        volume.add(20, directory: true, attributes: [V.fileName(parent: 17, name: "Disks")])
        volume.add(21, attributes: [V.fileName(parent: 20, name: "d.vhdx"), V.resident(type: 0x80, value: [1, 2])])
        extra(&volume)
        return volume
    }

    static func open(_ volume: NTFSTestVolume) throws -> NTFSFileSystem {
        NTFSFileSystem(volume: try NTFSVolume(source: MemoryBytes(volume.image()), name: "test"), root: "/t")
    }

    static func walkedPaths(_ fs: NTFSFileSystem) throws -> Set<String> {
        let result = try fs.walk(roots: ["/t"], options: WalkOptions(), progress: WalkProgress()) { name, _ in
            String(decoding: name, as: UTF8.self).hasSuffix(".vhdx")
        }
        return Set(result.entries.map(\.hostPath))
    }

    @Test func healthyVolumeHasNoOrphans() throws {
        let fs = try Self.open(Self.volume(vmsName: V.fileName(parent: 5, name: "VMs")))
        #expect(fs.warnings.isEmpty, "\(fs.warnings)")
        #expect(fs.tree.orphanFolder == nil)
        #expect(try Self.walkedPaths(fs) == ["/t/a.vhdx", "/t/VMs/Disks/d.vhdx"])
    }

    @Test func staleParentSequenceOrphansTheFolderWithItsSubtree() throws {
        let fs = try Self.open(Self.volume(vmsName: V.fileName(parent: 5, parentSequence: 4, name: "VMs")))
        #expect(
            fs.warnings.codes == [.ntfsOrphanStaleSequence]
                && fs.warnings.has(.ntfsOrphanStaleSequence, at: .mftRecord(17)))
        // The text names the damage and where the folder went.
        #expect(
            fs.warnings.messages == [
                "MFT record 17 (folder \"VMs\"): orphaned, its parent reference names record 5 with sequence 4, but that "
                    + "record has sequence 5 (a stale reference); placed under \\$Orphans\\VMs"
            ])
        #expect(Set(try fs.listFolder("/t").map(\.name)) == ["a.vhdx", "$Orphans"])
        #expect(try Self.walkedPaths(fs) == ["/t/a.vhdx", "/t/$Orphans/VMs/Disks/d.vhdx"])
    }

    @Test func parentCycleIsOneOrphanAndEveryMemberIsWalkedOnce() throws {
        // VMs (17) names Disks (20) as its parent, Disks names VMs: neither reaches the root.
        let fs = try Self.open(Self.volume(vmsName: V.fileName(parent: 20, name: "VMs")))
        #expect(fs.warnings.codes == [.ntfsOrphanCycle] && fs.warnings.has(.ntfsOrphanCycle, at: .mftRecord(17)))
        // The text names the loop's records.
        #expect(
            fs.warnings.messages == [
                "MFT record 17 (folder \"VMs\"): orphaned, its parent chain is a cycle (records 17 → 20 → 17); placed under "
                    + "\\$Orphans\\VMs"
            ])
        #expect(try Self.walkedPaths(fs) == ["/t/a.vhdx", "/t/$Orphans/VMs/Disks/d.vhdx"])
    }

    @Test func missingAndNonFolderParentsAreNamed() throws {
        let fs = try Self.open(
            Self.volume(vmsName: V.fileName(parent: 5, name: "VMs")) { volume in
                // 25: never written
                volume.add(
                    22, attributes: [V.fileName(parent: 25, name: "lost.vhdx"), V.resident(type: 0x80, value: [])])
                volume.add(23, attributes: [V.fileName(parent: 16, name: "under-a-file.vhdx")])
                volume.add(24, attributes: [V.fileName(parent: 40, name: "lost.vhdx")])  // past the 32-record MFT
            })
        #expect(fs.warnings.count == 3, "\(fs.warnings)")
        #expect(fs.warnings.has(.ntfsOrphanMissingParent, at: .mftRecord(22)))
        #expect(fs.warnings.has(.ntfsOrphanParentNotFolder, at: .mftRecord(23)))
        #expect(fs.warnings.has(.ntfsOrphanParentPastEnd, at: .mftRecord(24)))
        // The text shows the second "lost.vhdx" renamed after its record.
        #expect(
            fs.warnings.messages.contains {
                $0
                    == "MFT record 24 (file \"lost (record 24).vhdx\"): orphaned, its parent, record 40, lies past the end of the MFT; "
                    + "placed under \\$Orphans\\lost (record 24).vhdx"
            })
        #expect(
            try Self.walkedPaths(fs) == [
                "/t/a.vhdx", "/t/VMs/Disks/d.vhdx", "/t/$Orphans/lost.vhdx", "/t/$Orphans/under-a-file.vhdx",
                "/t/$Orphans/lost (record 24).vhdx",
            ])
        #expect(try fs.openFile("/t/$Orphans/lost.vhdx", readBudget: 10).read(at: 0, count: 10) == [])
    }

    @Test func agreesWithTheRecordParser() throws {
        let volume = try NTFSVolume(
            source: MemoryBytes(Self.volume(vmsName: V.fileName(parent: 20, name: "VMs")).image()), name: "t")
        let fast = NTFSTree(volume: volume, fastPath: true)
        let slow = NTFSTree(volume: volume, fastPath: false)
        #expect(fast.warnings == slow.warnings)
        #expect(fast.childIndexes == slow.childIndexes && fast.childStart == slow.childStart)
    }
}
