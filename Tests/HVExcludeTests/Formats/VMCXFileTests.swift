import Foundation
import Testing

@testable import HVXBinary
@testable import HVXFormats

@Suite struct VMCXFileTests {
    static let vmEC04 = "vmcx/EC04F346-DB96-4700-AF5B-77B3C56C38BD.vmcx"

    @Test(.requires(.sharedFixtures))
    func dataVMCXHeadersAndTables() throws {
        let file = try VMCXFile.read(path: Fixtures.path("vmcx/data.vmcx"))
        #expect(file.header.sequence == 105)
        #expect(file.header.offset == 0)
        #expect(file.header.replayLogOffset == 0x9000)
        #expect(file.header.replayLogSize == 0x5000)
        #expect(file.objectTable.entries.count == 227)
        #expect(file.keyTables.map(\.offset) == [0x3000, 0x7000, 0x8000])
        #expect(file.keyTables.map(\.sequence) == [33, 33, 16])
        #expect(file.tree.integer(at: "Configurations/FormatVersion") == 2)
        // The only tolerated warning: the file is cut short inside its replay-log area.
        #expect(file.warnings == [file.warnings[0]] && file.warnings[0].code == .vmcxReplayLogPastEnd)
        #expect(file.warnings.first?.location == .offset(0x9000))
    }

    @Test(.requires(.sharedFixtures))
    func dataVMCXHoldsNoStaleRegistrations() throws {
        let tree = try VMCXFile.read(path: Fixtures.path("vmcx/data.vmcx")).tree
        var strings: [String] = []
        // swift-format-ignore: ReplaceForEachWithForLoop
        // (ConfigNode.forEach walks the tree with each node's path; it is no Sequence.)
        tree.root.forEach { path, node in
            strings.append(path)
            if let text = node.value.stringValue { strings.append(text) }
        }
        for stale in ["282874FC", "59BA3B9E", "FA2CC0D6"] {
            #expect(!strings.contains { $0.uppercased().contains(stale) }, "stale registration \(stale) resurrected")
        }
    }

    @Test(.requires(.sharedFixtures))
    func vmConfigurationTree() throws {
        let file = try VMCXFile.read(path: Fixtures.path(Self.vmEC04))
        #expect(file.warnings.isEmpty, "\(file.warnings)")
        #expect(file.header.sequence == 25)
        #expect(file.keyTables.count == 8)
        let tree = file.tree
        #expect(tree.string(at: "configuration/properties/name") == "Default Generation 1")
        #expect(tree.string(at: "Configuration/Properties/Global_ID") == "EC04F346-DB96-4700-AF5B-77B3C56C38BD")
        #expect(tree.integer(at: "configuration/properties/version") == 2304)
        #expect(tree.bool(at: "configuration/global_settings/vhd_path_acled") == true)
        #expect(
            tree.string(at: "configuration/_83F8638B-8DCA-4152-9EDA-2CA8B33039B4_/controller0/drive0/pathname")
                == #"C:\Disks\Default Generation 1.vhdx"#)
        // Children come in insertion order, as Hyper-V wrote them.
        let drive0 = try #require(
            tree.node(at: "configuration/_83f8638b-8dca-4152-9eda-2ca8b33039b4_/controller0/drive0"))
        #expect(drive0.children.prefix(2).map(\.name) == ["type", "pathname"])
        if case .bytes(let bytes)? = tree.node(at: "configuration/properties/creation_time")?.value {
            #expect(bytes.count == 8)
        } else {
            Issue.record("creation_time is not an Array value")
        }
    }

    @Test(.requires(.sharedFixtures))
    func jsonDumpIsValidJSON() throws {
        let tree = try VMCXFile.read(path: Fixtures.path(Self.vmEC04)).tree
        let text = try ConfigTreeJSON.text(tree)
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        let configuration = object?["configuration"] as? [String: Any]
        let properties = configuration?["properties"] as? [String: Any]
        #expect(properties?["name"] as? String == "Default Generation 1")
        #expect(properties?["version"] as? Int == 2304)
    }

    // MARK: Negative matrix on a copy of a real file

    enum Damage: String, CaseIterable, CustomTestStringConvertible {
        case empty, oneHeaderBad, bothHeadersBad, objectTableSignature, objectTableCountPastFile, firstEntrySizeZero,
            entrySizePastTable, parentToMissingTable, parentCycle, stringLengthPastEntry, fileObjectMissing,
            unknownVersion
        var testDescription: String { rawValue }
    }

    /// What each damage must produce: an error containing `error`, or a warning of that code (at that location).
    static func expectation(_ damage: Damage) -> (error: String?, warning: (DiagnosticCode, DiagnosticLocation?)?) {
        switch damage {
        case .empty: return ("too small", nil)
        case .oneHeaderBad: return (nil, (.vmcxHeaderDamaged, .offset(0)))
        case .bothHeadersBad: return ("neither header is valid", nil)
        case .objectTableSignature: return ("VMCX object table at 0x2000: bad signature", nil)
        case .objectTableCountPastFile: return ("past the end of the file", nil)
        case .firstEntrySizeZero: return (nil, (.vmcxParentMissing, nil))
        case .entrySizePastTable: return (nil, (.vmcxKeyEntrySize, .offset(0x3039)))
        case .parentToMissingTable: return (nil, (.vmcxParentMissing, .offset(0x3081)))
        case .parentCycle: return (nil, (.vmcxParentCycle, nil))
        case .stringLengthPastEntry: return (nil, (.vmcxKeyEntryUnreadable, .offset(0x3496)))
        case .fileObjectMissing: return (nil, (.vmcxValueUnreadable, .offset(0x3496)))
        case .unknownVersion: return ("unsupported format version 0x500", nil)
        }
    }

    static func put32(_ bytes: inout [UInt8], _ offset: Int, _ value: UInt32) {
        for i in 0..<4 { bytes[offset + i] = UInt8(value >> (8 * UInt32(i)) & 0xFF) }
    }

    static func put16(_ bytes: inout [UInt8], _ offset: Int, _ value: UInt16) {
        bytes[offset] = UInt8(value & 0xFF); bytes[offset + 1] = UInt8(value >> 8)
    }

    static func fixHeader(_ bytes: inout [UInt8], at offset: Int) {
        put32(&bytes, offset + 4, 0)
        put32(&bytes, offset + 4, CRC32.ieee.checksum(bytes[offset..<offset + 0x2E]))
    }

    @Test(.requires(.sharedFixtures), arguments: Damage.allCases)
    func damagedFile(_ damage: Damage) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.path(Self.vmEC04))))
        // Entry offsets in table 1 (0x3000): 0x0A 'configuration' (node), 0x39 child node, 0x81 its Int,
        // 0x496 'address' (String) under 0x44E.
        switch damage {
        case .empty: bytes = []
        case .oneHeaderBad: bytes[0x10] ^= 0xFF
        case .bothHeadersBad: bytes[0x10] ^= 0xFF; bytes[0x1010] ^= 0xFF
        case .objectTableSignature: bytes[0x2000] = 0x99
        case .objectTableCountPastFile: Self.put32(&bytes, 0x2004, 0x0100_0000)
        case .firstEntrySizeZero: Self.put32(&bytes, 0x300A + 2, 0)
        case .entrySizePastTable: Self.put32(&bytes, 0x3039 + 2, 0x2000)
        case .parentToMissingTable: Self.put16(&bytes, 0x3081 + 6, 77)
        case .parentCycle:
            // Make node 0x39 the child of node 0xB6 and 0xB6 the child of 0x39.
            Self.put32(&bytes, 0x3039 + 8, 0xB6)
            Self.put32(&bytes, 0x30B6 + 8, 0x39)
        case .stringLengthPastEntry:
            let nameLength = Int(bytes[0x3496 + 20])
            Self.put32(&bytes, 0x3496 + 21 + nameLength, 0xFFFF)
        case .fileObjectMissing:
            bytes[0x3496 + 1] = 0x01  // flag: value in a file object that does not exist
        case .unknownVersion:
            for header in [0, 0x1000] {
                Self.put32(&bytes, header + 0x0A, 0x500)
                Self.fixHeader(&bytes, at: header)
            }
        }
        let dir = try TemporaryDirectory("vmcx")
        let path = try dir.write("damaged.vmcx", bytes)
        let (error, warning) = Self.expectation(damage)
        if let error {
            #expect {
                _ = try VMCXFile.read(path: path)
            } throws: { thrown in
                String(describing: thrown).contains(error)
            }
        } else if let (code, location) = warning {
            let file = try VMCXFile.read(path: path)
            #expect(file.warnings.has(code, at: location), "\(file.warnings)")
        }
    }

    @Test(.requires(.sharedFixtures))
    func parentCycleDropsOnlyTheCycle() throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.path(Self.vmEC04))))
        Self.put32(&bytes, 0x3039 + 8, 0xB6)
        Self.put32(&bytes, 0x30B6 + 8, 0x39)
        let dir = try TemporaryDirectory("vmcx")
        let tree = try VMCXFile.read(path: try dir.write("cycle.vmcx", bytes)).tree
        #expect(tree.node(at: "configuration/_197f74e3-b84b-46de-8ae6-82f1cd181cdc_") == nil)
        #expect(tree.string(at: "configuration/properties/name") == "Default Generation 1")
    }

    @Test(.requires(.sharedFixtures))
    func higherSequenceWinsOnlyAmongValidHeaders() throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.path(Self.vmEC04))))
        // Header 2 gets the higher sequence but a bad checksum: header 1 must still be used.
        Self.put16(&bytes, 0x1008, 999)
        let dir = try TemporaryDirectory("vmcx")
        let file = try VMCXFile.read(path: try dir.write("h.vmcx", bytes))
        #expect(file.header.offset == 0)
        #expect(file.header.sequence == 25)
        // Fix its checksum: now it wins.
        Self.fixHeader(&bytes, at: 0x1000)
        let fixed = try VMCXFile.read(path: try dir.write("h2.vmcx", bytes))
        #expect(fixed.header.offset == 0x1000)
        #expect(fixed.header.sequence == 999)
    }

    @Test(.requires(.sharedFixtures))
    func truncatedPrefixesNeverCrash() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("vmcx/data.vmcx"))))
        let dir = try TemporaryDirectory("vmcx")
        var refused = 0
        for length in stride(from: 0, to: bytes.count, by: 997) {
            let path = try dir.write("t\(length).vmcx", Array(bytes[0..<length]))
            // Each prefix either reads or is refused with a format error that says where: never a crash or another error.
            do {
                _ = try VMCXFile.read(path: path)
            } catch let error as BinaryFormatError {
                refused += 1
                #expect(!error.description.isEmpty, "\(length) bytes")
            }
        }
        // The empty file and the headers-only prefixes cannot be read; the whole file can.
        #expect(refused > 0)
        #expect(throws: Never.self) { _ = try VMCXFile.read(path: Fixtures.path("vmcx/data.vmcx")) }
    }
}

extension VMCXFileTests {
    @Test(.requires(.sharedFixtures))
    func readsOnlyTheStructuresItNeeds() throws {
        let file = try FileReader(path: Fixtures.path("vmcx/data.vmcx"))
        _ = try VMCXFile(file: file)
        // Two headers, the object table, three key tables, the replay-log header: about 16 KiB of 48 KiB.
        #expect(file.bytesRead < 0x5000, "read \(file.bytesRead) bytes")
    }
}
