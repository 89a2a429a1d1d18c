import Foundation
import Testing

@testable import HVXBinary
@testable import HVXDiskImage
@testable import HVXFormats

/// The MFT layout is coded twice: ``NTFSTree/scan(_:nameBytes:names:)`` reads a record in place (the fast path),
/// ``NTFSFileRecord`` parses it into attributes (the slow path, which names what is wrong). Every test image is
/// read both ways — the tree as the scan builds it, and the tree with every record through the parser — and the
/// two must be the same: nodes, names, streams, Interix targets and warnings.
struct NTFSFastPathAgreementTests {
    /// What a tree holds, with names as text (the two paths store name bytes in different places).
    struct Contents: Equatable {
        var nodes: [NTFSTree.Node]
        var records: [UInt32]
        var names: [String]
        var slots: [Int32]
        var droppedNames: [Int32]
        var streams: [UInt64: [String]]
        var interixTargets: [UInt64: String]
        var warnings: [Diagnostic]

        init(_ tree: NTFSTree) {
            nodes = tree.keptNodes
            records = tree.keptRecords
            slots = tree.slots
            droppedNames = tree.droppedNames
            names = tree.names.map { name in
                let text = String(decoding: tree.nameBytes[name.start..<(name.start + name.length)], as: UTF8.self)
                return "\(name.record) in \(name.parent.record)/\(name.parent.sequence): \(text)"
            }
            streams = tree.streams
            interixTargets = tree.interixTargets
            warnings = tree.warnings
        }
    }

    static func expectAgreement(_ volume: NTFSVolume, _ label: String) {
        expectAgreement(volume, label, keep: nil)
        // The two paths also decide alike which files the tree drops (here all it may).
        expectAgreement(volume, label + " keeping no file name", keep: { _, _ in false })
    }

    static func expectAgreement(_ volume: NTFSVolume, _ label: String, keep: NTFSTree.KeepTest?) {
        let fast = Contents(NTFSTree(volume: volume, keep: keep))
        let slow = Contents(NTFSTree(volume: volume, fastPath: false, keep: keep))
        #expect(fast.nodes.count == slow.nodes.count, "\(label)")
        for index in fast.nodes.indices where index < slow.nodes.count && fast.nodes[index] != slow.nodes[index] {
            Issue.record(
                "\(label): record \(index): fast path \(fast.nodes[index]), record parser \(slow.nodes[index])")
        }
        #expect(fast.records == slow.records, "\(label)")
        #expect(fast.slots == slow.slots, "\(label)")
        #expect(fast.droppedNames == slow.droppedNames, "\(label)")
        #expect(fast.names == slow.names, "\(label)")
        #expect(fast.streams == slow.streams, "\(label)")
        #expect(fast.interixTargets == slow.interixTargets, "\(label)")
        #expect(fast.warnings == slow.warnings, "\(label)")
    }

    /// The synthetic volumes of the corruption tests: healthy, and each damage the fast path must hand over.
    @Test func syntheticVolumes() throws {
        var torn = NTFSCorruptionTests.healthy()
        torn.tornRecords = [18]
        var extended = NTFSCorruptionTests.healthy()
        extended.add(
            20,
            attributes: [
                NTFSTestVolume.fileName(parent: 5, name: "streams.vhdx"),
                NTFSTestVolume.resident(
                    type: 0x10, value: [UInt8](repeating: 0, count: 32) + [0x04, 0, 0, 0, 0, 0, 0, 0]),
                NTFSTestVolume.resident(type: 0x80, value: Array("data".utf8)),
                NTFSTestVolume.resident(type: 0x80, value: Array("ads".utf8), name: "Zone.Identifier"),
                NTFSTestVolume.resident(type: 0xC0, value: [0x0C, 0, 0, 0xA0, 0, 0, 0, 0]),
            ])
        extended.add(21, base: 20, attributes: [NTFSTestVolume.fileName(parent: 17, name: "second-name.vhdx")])
        extended.add(
            22,
            attributes: [
                NTFSTestVolume.fileName(parent: 5, name: "interix"),
                NTFSTestVolume.resident(type: 0x80, value: NTFSTree.interixMagic + UTF16Text.encode("target", .little)),
            ])
        for (label, volume) in [("healthy", NTFSCorruptionTests.healthy()), ("torn", torn), ("extended", extended)] {
            Self.expectAgreement(try NTFSVolume(source: MemoryBytes(volume.image()), name: label), label)
        }
    }

    /// The property behind the fast path's raw reads (the one measured exception to "every read through
    /// ByteReader", bounds-proved in `NTFSTree+FastPath.swift`): whatever the bytes of a user record, the fast
    /// path either hands the record over or reads what the parser reads — and never reads outside it (a debug
    /// build checks every raw-buffer subscript). Records 16–19 of the healthy volume, damaged at random.
    @Test(arguments: 0..<64)
    func damagedRecordsStillAgree(seed: Int) throws {
        var random = SplitMix(seed: UInt64(seed))  // RegistryLogReplayTests' generator
        var image = NTFSCorruptionTests.healthy().image()
        let first = NTFSTestVolume.mftCluster * NTFSTestVolume.clusterSize + 16 * NTFSTestVolume.recordSize
        for _ in 0..<(1 + Int(random.next() % 12)) {
            let at = first + Int(random.next() % UInt64(4 * NTFSTestVolume.recordSize))
            // Mostly small values: lengths and offsets near their real ones reach deeper than noise.
            image[at] =
                random.next() % 3 == 0
                ? UInt8(truncatingIfNeeded: random.next()) : image[at] &+ UInt8(random.next() % 9) &- 4
        }
        let volume = try NTFSVolume(source: MemoryBytes(image), name: "damaged")
        // Seed 53 damages record 18's runlist offset: the fast path now hands such a record to the parser, which
        // skips the attribute with a warning (found by this test; before, the fast path kept the file's size silently).
        Self.expectAgreement(volume, "seed \(seed)")
    }

    /// A real volume Windows wrote (a GPT VHDX from ../shared).
    @Test(.requires(Requirement.gzipFixture + [.tool("sh")]))
    func realWindowsVolume() throws {
        let opened = try DiskImageBytes.open(path: NTFSRealVolumeTests.image)
        let table = try PartitionTable.read(
            FileReader(path: NTFSRealVolumeTests.image, source: opened.source), size: opened.source.size)
        let partition = try #require(table.ntfsPartitions.first)
        let source = ByteRange(opened.source, offset: partition.offset, size: partition.size)
        Self.expectAgreement(try NTFSVolume(source: source, name: "fixture"), "ws2022-gpt-ntfs")
    }

    /// The feature image ntfs-3g writes (scripts/make-ntfs-features): links, junctions, streams, sparse and
    /// compressed files, deep folders, a folder large enough for an index allocation.
    @Test(.requires(.ntfsMount))
    func ntfs3gFeatureImage() throws {
        let folder = try TemporaryDirectory()
        let image = try NTFSCrossCheckTests.featureImage(in: folder)
        let file = try FileReader(path: image)
        Self.expectAgreement(try NTFSVolume(source: FileBytes(reader: file), name: "features"), "features")
    }
}
