import Foundation
import Testing

@testable import HVXBinary
@testable import HVXFormats

@Suite("VHDX reader")
struct VHDXFileTests {
    @Test(.requires(.sharedFixtures))
    func differencingFixture() throws {
        let file = try VHDXFile(reading: FileReader(path: Fixtures.path("vhdx/differencing-head3MiB.avhdx")))
        #expect(file.creator == "Microsoft Windows 10.0.17763.0")
        #expect(file.headers.compactMap { $0?.sequenceNumber }.sorted() == [6, 7])
        #expect(file.currentHeader.sequenceNumber == 7)
        #expect(file.dataWriteGuid == GUID("b298d413-f67e-412a-9a72-c7c7fc9b6cb5"))
        #expect(file.currentHeader.logGuid.isZero)
        #expect(file.regionTable.entries.count == 2)
        #expect(file.metadataTable.entries.count == 6)
        #expect(file.hasParent)
        let locator = try #require(file.parentLocator)
        #expect(locator.locatorType == VHDXParentLocator.vhdxParentType)
        #expect(locator.entries.count == 5)
        #expect(locator.value("parent_linkage") == "{ff34003b-11ed-4cf8-a166-b2be05e20b80}")
        #expect(
            locator.value("absolute_win32_path")
                == #"C:\Users\Public\Documents\Hyper-V\Virtual hard disks\Generation 1_49C4BAF3-4B25-4406-8C4B-D39E65C32385.avhdx"#
        )
        #expect(locator.value("relative_path") == #".\Generation 1_49C4BAF3-4B25-4406-8C4B-D39E65C32385.avhdx"#)
        #expect(
            locator.value("volume_path")?.hasPrefix(#"\\?\Volume{0eba351e-5634-46d6-a8cf-4ddc2d6ac0b9}\Users\Public\"#)
                == true)
        #expect(GUID(try #require(locator.value("parent_linkage2")))?.isZero == true)
        // The fixture is cut at 3 MiB, right where the BAT starts.
        #expect(file.warnings.map(\.code) == [.vhdxBATPastEnd])
        #expect(file.warnings.first?.location == .offset(0x300000))

        let disk = VirtualDiskReader.disk(from: file)
        #expect(disk.format == .vhdx && disk.type == .differencing)
        #expect(disk.virtualSize == 8_589_934_592)
        #expect(disk.identity == GUID("b298d413-f67e-412a-9a72-c7c7fc9b6cb5"))
        let parent = try #require(disk.parent)
        #expect(parent.expectedIdentities == [GUID("ff34003b-11ed-4cf8-a166-b2be05e20b80")!])
        #expect(parent.candidates.map(\.kind) == [.relative, .volume, .absolute])
    }

    @Test(.requires(.sharedFixtures))
    func dynamicAndFixedFixtures() throws {
        let dynamic = try VirtualDiskReader.read(path: Fixtures.path("vhdx/dynamic-head3MiB.vhdx"))
        #expect(dynamic.type == .dynamic)
        #expect(dynamic.creator == "Microsoft Windows 10.0.18363.0")
        #expect(dynamic.blockSize == 32 << 20)
        #expect(dynamic.virtualSize == 10_485_760)
        #expect(dynamic.parent == nil)
        let fixedFile = try VHDXFile(reading: FileReader(path: Fixtures.path("vhdx/fixed-head3MiB.vhdx")))
        #expect(fixedFile.leaveBlocksAllocated && !fixedFile.hasParent)
        let fixed = VirtualDiskReader.disk(from: fixedFile)
        #expect(fixed.type == .fixed && fixed.parent == nil)
        #expect(fixed.identity == GUID("bfc189a1-751c-44ff-b60f-98d07b2950c0"))  // vhdiinfo's "Identifier"
    }

    /// Generated corrupt variants: each a specific error or warning, never a crash.
    @Test(
        .requires(Requirement.makeDisks),
        arguments: [
            ("vhdx-truncated-in-header2.vhdx", "truncated"),
            ("vhdx-both-headers-bad.vhdx", "neither header is valid"),
            ("vhdx-bad-signature.vhdx", "neither a VHDX file identifier"),
            ("vhdx-region-count-over-cap.vhdx", "entry count 2048 exceeds the limit of 2047"),
            ("vhdx-unknown-required-region.vhdx", "is marked required"),
            ("vhdx-metadata-past-eof.vhdx", "truncated"),
            ("vhdx-locator-outside-item.vhdx", "lies outside the"),
        ])
    func corruptErrors(name: String, message: String) throws {
        let tree = try GeneratedDisks.require()
        let path = tree.path("corrupt/" + name)
        do {
            let disk = try VirtualDiskReader.read(path: path)
            Issue.record("\(name) read without error: \(disk)")
        } catch let error as BinaryFormatError {
            #expect(error.description.contains(message), "\(error)")
        }
    }

    @Test(.requires(Requirement.makeDisks)) func badSignatureDirectly() throws {
        let tree = try GeneratedDisks.require()
        let file = try FileReader(path: tree.path("corrupt/vhdx-bad-signature.vhdx"))
        #expect { try VHDXFile(reading: file) } throws: {
            "\($0)" == #"VHDX file identifier at 0x0: signature is not "vhdxfile""#
        }
    }

    @Test(
        .requires(Requirement.makeDisks),
        arguments: [
            ("vhdx-header1-bad-crc.vhdx", Diagnostic(.vhdxHeaderDamaged, at: .offset(0x10004), "")),
            ("vhdx-bat-past-eof.vhdx", Diagnostic(.vhdxBATPastEnd, "")),
            ("vhdx-log-not-replayed.vhdx", Diagnostic(.vhdxLogNotReplayed, "")),
            ("vhdx-region-table1-bad-crc.vhdx", Diagnostic(.vhdxRegionTableDamaged, at: .offset(0x30004), "")),
        ])
    func corruptWarnings(name: String, expected: Diagnostic) throws {
        let tree = try GeneratedDisks.require()
        let disk = try VirtualDiskReader.read(path: tree.path("corrupt/" + name))
        #expect(disk.type == .differencing)
        let found = disk.warnings.first { $0.code == expected.code }
        #expect(found != nil, "\(disk.warnings)")
        if expected.location != .unknown { #expect(found?.location == expected.location) }
    }

    /// Structure-level matrix over in-memory bytes of a generated disk.
    @Test(.requires(Requirement.makeDisks)) func structureMatrix() throws {
        let tree = try GeneratedDisks.require()
        let good = try Array(Data(contentsOf: URL(fileURLWithPath: tree.path("D/VMs/Base/base.vhdx"))))
        // Header: empty, one byte short, bad signature, bad checksum.
        let header = Array(good[0x10000..<0x11000])
        var reader = ByteReader(header, baseOffset: 0x10000, structure: "VHDX header 1")
        #expect(try VHDXHeader(parsing: &reader).version == 1)
        for (bytes, text) in [
            ([UInt8](), "truncated"), (Array(header.dropLast()), "truncated"),
            (mutate(header, 0, 0x48), "signature"), (mutate(header, 100, 1), "checksum mismatch"),
        ] {
            var reader = ByteReader(bytes, baseOffset: 0x10000, structure: "VHDX header 1")
            #expect { try VHDXHeader(parsing: &reader) } throws: {
                ($0 as? BinaryFormatError)?.message.contains(text) == true
            }
        }
        // Region table: the same, plus a count over the cap with a valid checksum.
        let table = Array(good[0x30000..<0x40000])
        var overCap = table
        overCap[8] = 0x00
        overCap[9] = 0x08  // 2048 entries
        let crc = CRC32.castagnoli.checksum(overCap, zeroingFieldAt: 4)
        for index in 0..<4 { overCap[4 + index] = UInt8(truncatingIfNeeded: crc >> (8 * index)) }
        for (bytes, text) in [
            ([UInt8](), "truncated"), (Array(table.dropLast()), "truncated"),
            (mutate(table, 0, 0x48), "signature"), (mutate(table, 200, 1), "checksum mismatch"),
            (overCap, "exceeds the limit of 2047"),
        ] {
            var reader = ByteReader(bytes, baseOffset: 0x30000, structure: "VHDX region table 1")
            #expect(
                performing: { _ = try VHDXRegionTable(parsing: &reader) },
                throws: { ($0 as? BinaryFormatError)?.message.contains(text) == true })
        }
        // Whole file: empty, and cut one byte short of the second region table.
        let temporary = try TemporaryDirectory()
        for (bytes, text) in [([UInt8](), "file size 0"), (Array(good[..<0x4FFFF]), "")] {
            let path = try temporary.write("cut.vhdx", bytes)
            if text.isEmpty {
                // Table 2 is cut, table 1 is fine; the metadata region of a qemu disk lies past the cut.
                #expect(throws: BinaryFormatError.self) { try VirtualDiskReader.read(path: path) }
            } else {
                #expect { try VirtualDiskReader.read(path: path) } throws: { "\($0)".contains(text) }
            }
        }
    }

    func mutate(_ bytes: [UInt8], _ offset: Int, _ value: UInt8) -> [UInt8] {
        var copy = bytes
        copy[offset] ^= value == 0 ? 0xFF : value
        return copy
    }
}
