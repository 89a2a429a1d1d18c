import Foundation
import Testing

@testable import HVXBinary
@testable import HVXDiskImage
@testable import HVXFormats
@testable import HVXVolume
@testable import HVXWalk

/// The tree keeps the folders and the names its keep test wants (the scan's: names it may classify); every other
/// file is only counted under its folder, and found, when asked for, through the folder's `$I30` index and the
/// file's own MFT record. Whatever the tree keeps, the file system gives the answers of the tree that keeps every
/// name: listings, kinds, paths, the walk with its counts and index checks, and the warnings.
struct NTFSKeptNamesTests {
    /// A keep test (and walk predicate) accepting the names that end in `suffix`.
    static func keeping(_ suffix: String) -> NTFSTree.KeepTest {
        { name, _ in String(decoding: name, as: UTF8.self).hasSuffix(suffix) }
    }

    /// Compares every answer of a tree keeping every name with one keeping only the names ending in `suffix`.
    static func expectSameAnswers(_ volume: NTFSVolume, keeping suffix: String, _ label: String) throws {
        let all = NTFSFileSystem(volume: volume, root: "/v")
        let some = NTFSFileSystem(volume: volume, root: "/v", keep: keeping(suffix))
        #expect(some.warnings == all.warnings, "\(label)")
        var stack: [(UInt64, String)] = [(NTFSVolume.rootRecord, "/v")]
        while let (folder, path) = stack.popLast() {
            let listed = all.children(of: folder)
            let key = { (child: (name: String, record: UInt64)) in "\(child.record)/\(child.name)" }
            #expect(some.children(of: folder).map(key).sorted() == listed.map(key).sorted(), "\(label): \(path)")
            let kinds = { (entry: (name: String, kind: EntryKind)) in "\(entry.name) \(entry.kind)" }
            #expect(
                try some.listFolder(path).map(kinds).sorted() == all.listFolder(path).map(kinds).sorted(),
                "\(label): \(path)")
            for child in listed {
                let childPath = (path == "/" ? "" : path) + "/" + child.name
                #expect(some.kind(of: childPath) == all.kind(of: childPath), "\(label): \(childPath)")
                #expect(
                    some.record(atHostPath: childPath) == all.record(atHostPath: childPath), "\(label): \(childPath)")
                if all.tree.kind(of: child.record) == .directory { stack.append((child.record, childPath)) }
            }
            #expect(some.kind(of: path + "/no such name") == nil, "\(label): \(path)")
        }
        let match = keeping(suffix)
        let walkedAll = try all.walk(roots: ["/v"], options: WalkOptions(), progress: WalkProgress(), match: match)
        let walkedSome = try some.walk(roots: ["/v"], options: WalkOptions(), progress: WalkProgress(), match: match)
        #expect(walkedSome.entries == walkedAll.entries, "\(label)")
        #expect(walkedSome.issues == walkedAll.issues, "\(label)")
        #expect(walkedSome.entriesVisited == walkedAll.entriesVisited, "\(label)")
        #expect(walkedSome.directoriesVisited == walkedAll.directoriesVisited, "\(label)")
    }

    /// The synthetic volumes of the corruption and orphan tests (no `$I30` indexes: every dropped name is found by
    /// reading the MFT again).
    @Test func syntheticVolumes() throws {
        let orphans = NTFSOrphanTests.volume(
            vmsName: NTFSTestVolume.fileName(parent: 5, parentSequence: 4, name: "VMs"),
            extra: { $0.add(24, attributes: [NTFSTestVolume.fileName(parent: 20, name: "notes.txt")]) })
        for (label, volume) in [("healthy", NTFSCorruptionTests.healthy()), ("orphans", orphans)] {
            let volume = try NTFSVolume(source: MemoryBytes(volume.image()), name: label)
            try Self.expectSameAnswers(volume, keeping: ".vhdx", label)
            try Self.expectSameAnswers(volume, keeping: ".nothing", label)
        }
    }

    /// The feature image ntfs-3g writes: a file the keep test does not want has no name in the tree, yet its path
    /// resolves through its folder's index to the same record and the same bytes.
    @Test(.requires(.ntfsMount))
    func droppedNamesResolveThroughTheIndex() throws {
        let folder = try TemporaryDirectory()
        let image = try NTFSCrossCheckTests.featureImage(in: folder)
        let volume = try NTFSVolume(source: FileBytes(reader: try FileReader(path: image)), name: "features")
        let all = NTFSFileSystem(volume: volume, root: "/v")
        let some = NTFSFileSystem(volume: volume, root: "/v", keep: Self.keeping(".vhdx"))
        let record = try #require(all.record(atHostPath: "/v/Streams/ads.txt"))
        #expect(some.tree.isDropped(record))
        #expect(!some.tree.names.contains { $0.record == record })
        #expect(some.tree.names.count < all.tree.names.count / 2, "\(some.tree.names.count) of \(all.tree.names.count)")
        #expect(some.record(atHostPath: "/v/Streams/ads.txt") == record)
        let bytes = { (fs: NTFSFileSystem) in
            let file = try fs.openFile("/v/Streams/ads.txt", readBudget: 1 << 20)
            return try file.read(at: 0, count: 1 << 16)
        }
        #expect(try bytes(some) == bytes(all))
        // An index that does not name a folder's dropped files (here another folder's): its entries are checked
        // against their records and refused, and the names come from the MFT read again — the same children.
        let streams = try #require(all.record(atHostPath: "/v/Streams"))
        let compressed = try #require(all.record(atHostPath: "/v/Compressed"))
        #expect(some.tree.droppedCount(of: streams) > 0)
        let key = { (child: (name: String, record: UInt64)) in "\(child.record)/\(child.name)" }
        let wrong = try NTFSIndex(volume: volume, record: compressed)
        #expect(
            some.placedChildren(of: streams, index: wrong).map(key).sorted()
                == all.placedChildren(of: streams).map(key).sorted())
        try Self.expectSameAnswers(volume, keeping: ".vhdx", "features")
        try Self.expectSameAnswers(volume, keeping: ".nothing", "features")
    }

    /// The damaged images of scripts/make-ntfs-damaged (orphans by stale sequence and by cycle; `Other\h.iso` in the
    /// MFT but not in `Other`'s index): the same answers whichever names are kept, and the index check still names
    /// `h.iso` where the MFT places it. (`h.iso` precedes its folder in the MFT, so the tree keeps it whatever the
    /// test: a dropped name missing from its index is the synthetic volumes' case, which have no index at all.)
    @Test(.requires(.ntfsMount))
    func damagedImages() throws {
        let folder = try TemporaryDirectory()
        let made = try runProcess(NTFSCrossCheckTests.script + "/make-ntfs-damaged", [folder.path])
        try #require(made.status == 0, "make-ntfs-damaged failed: \(made.stderr)")
        for image in ["healthy.img", "orphans.img"] {
            let volume = try NTFSVolume(
                source: FileBytes(reader: try FileReader(path: folder.path + "/" + image)), name: image)
            for suffix in [".iso", ".txt", ".nothing"] {
                try Self.expectSameAnswers(volume, keeping: suffix, "\(image) keeping \(suffix)")
            }
            guard image == "orphans.img" else { continue }
            let some = NTFSFileSystem(volume: volume, root: "/v", keep: Self.keeping(".txt"))
            #expect(some.record(atHostPath: "/v/Other/h.iso") != nil)
            let walked = try some.walk(
                roots: ["/v"], options: WalkOptions(), progress: WalkProgress(), match: Self.keeping(".txt"))
            #expect(
                walked.issues.contains { $0.diagnostic == .ntfsIndexLacksName && $0.path == "/v/Other" },
                "\(walked.issues)")
        }
    }
}
