import Foundation
import Testing

@testable import HVXBinary
@testable import HVXFormats
@testable import HVXVolume

/// The caps that keep a hostile file from costing unbounded memory, reads or recursion: each is driven past
/// its limit with a crafted input, and the reader must refuse (or warn and skip) with a specific message.
@Suite struct ResourceLimitTests {
    // MARK: FileReader

    @Test func offsetPastInt64MaxReadsNothingInsteadOfTrapping() throws {
        let folder = try TemporaryDirectory("hvx-limits")
        let path = try folder.write("small.bin", Array(repeating: 7, count: 10))
        let file = try FileReader(path: path)
        #expect(try file.read(at: UInt64.max - 3, count: 16).isEmpty)
        #expect(try file.read(at: UInt64(Int64.max), count: 1).isEmpty)
        #expect(throws: BinaryFormatError.self) {
            try file.reader(at: 0xFFFF_FFFF_FFFF_FFFF, count: 512, structure: "x")
        }
    }

    @Test func aHugeCountAllocatesNoMoreThanTheFileHolds() throws {
        let folder = try TemporaryDirectory("hvx-limits")
        let path = try folder.write("small.bin", Array(0..<10))
        let file = try FileReader(path: path, readBudget: 1 << 40)
        // 1 TiB asked, 10 bytes there: the buffer is sized from the file, so this returns instead of dying.
        let bytes = try file.read(at: 0, count: 1 << 40)
        #expect(bytes == Array(0..<10))
        #expect(file.bytesRead == 10)
        #expect(try file.read(at: 4, count: 1 << 30) == Array(4..<10))
        #expect(try file.read(at: 10, count: 1 << 30).isEmpty)
    }

    @Test func theReadBudgetStopsAParserReadingAFileWhole() throws {
        let folder = try TemporaryDirectory("hvx-limits")
        let path = try folder.write("data.bin", Array(repeating: 1, count: 4096))
        let file = try FileReader(path: path, readBudget: 1000)
        _ = try file.read(at: 0, count: 600)
        let error = try #require(throws: BinaryFormatError.self) { try file.read(at: 600, count: 600) }
        #expect(error.message.contains("refusing to read more than 1000 bytes"))
    }

    // MARK: VHDX and VHD

    @Test func vhdxMetadataItemsOverOneMiBAreRefused() throws {
        var table = Array("metadata".utf8) + [0, 0] + le16(1) + [UInt8](repeating: 0, count: 20)
        table += [UInt8](repeating: 0xAB, count: 16) + le32(0x10000) + le32(2 << 20) + le32(0) + le32(0)
        table += [UInt8](repeating: 0, count: VHDXMetadataTable.size - table.count)
        var reader = ByteReader(table, baseOffset: 0x200000, structure: "VHDX metadata table")
        let error = try #require(throws: BinaryFormatError.self) {
            try VHDXMetadataTable(parsing: &reader, regionLength: 16 << 20)
        }
        #expect(error.message.contains("over the 1 MiB limit"))
        #expect(error.offset == 0x200020)
    }

    @Test func vhdxMetadataEntryCountOverTheCapIsRefused() throws {
        var table = Array("metadata".utf8) + [0, 0] + le16(2048)
        table += [UInt8](repeating: 0, count: VHDXMetadataTable.size - table.count)
        var reader = ByteReader(table, baseOffset: 0x200000, structure: "VHDX metadata table")
        let error = try #require(throws: BinaryFormatError.self) {
            try VHDXMetadataTable(parsing: &reader, regionLength: 1 << 20)
        }
        #expect(error.message.contains("entry count 2048 exceeds the limit of 2047"))
    }

    @Test func vhdxParentLocatorCountBeyondItsItemIsRefused() throws {
        // 65535 entries declared in a 32-byte item: refused before any entry is allocated.
        let item = [UInt8](repeating: 0, count: 16) + le16(0) + le16(0xFFFF) + [UInt8](repeating: 0, count: 12)
        var reader = ByteReader(item, baseOffset: 0x210000, structure: "VHDX parent locator")
        let error = try #require(throws: BinaryFormatError.self) { try VHDXParentLocator(parsing: &reader) }
        #expect(error.message.contains("65535 key/value entries need"))
    }

    @Test func vhdLocatorDataOverSixtyFourKiBIsSkippedWithAWarning() throws {
        let folder = try TemporaryDirectory("hvx-limits")
        let path = try folder.write("x.vhd", Array(repeating: 0, count: 4096))
        let file = try FileReader(path: path)
        var warnings: [Diagnostic] = []
        let locator = VHDDynamicHeader.Locator(
            platformCode: "W2ku", dataSpace: 0, dataLength: 0xFFFF_FFFF, dataOffset: 0, entryOffset: 0x440)
        #expect(VHDFile.readLocator(locator, from: file, warnings: &warnings) == nil)
        #expect(
            warnings == [
                Diagnostic(
                    .vhdLocatorTooLong, at: .offset(0x440),
                    "VHD parent locator W2ku at 0x440: data length 4294967295 exceeds 65536 bytes; skipped")
            ])
        #expect(file.bytesRead == 0)
    }

    // MARK: Registry hives

    @Test func aHiveDeclaringFourGiBOfBinsReadsOnlyWhatTheFileHolds() throws {
        var builder = RegistryHiveTestBuilder()
        builder.cell(RegistryHiveTestBuilder.nk("ROOT", flags: 0x2C))
        var bytes = builder.bytes()
        bytes.replaceSubrange(40..<44, with: le32(0xFFFF_F000))
        let hive = try RegistryHive(bytes: bytes, name: "SOFTWARE")
        #expect(try hive.rootKey().name == "ROOT")
        #expect(hive.warnings.has(.regfHbinsSizePastEnd, at: .offset(0x28)))
    }

    @Test func aHiveFileOverTheHbinsCapIsRefusedBeforeReading() throws {
        var builder = RegistryHiveTestBuilder()
        builder.cell(RegistryHiveTestBuilder.nk("ROOT", flags: 0x2C))
        var bytes = builder.bytes()
        bytes.replaceSubrange(40..<44, with: le32(0xFFFF_F000))
        let folder = try TemporaryDirectory("hvx-limits")
        let path = try folder.write("SOFTWARE", bytes)
        // A sparse 300 MiB file: over the 240 MiB cap, and costs no disk.
        try FileHandle(forUpdating: URL(fileURLWithPath: path)).truncate(atOffset: 300 << 20)
        let error = try #require(throws: BinaryFormatError.self) { try RegistryHive(path: path) }
        #expect(error.message.contains("exceeds the 240 MiB cap for one hive"))
    }

    @Test func aKeyChainDeeperThanTheWalkCapStopsWithAWarning() throws {
        // nk "K" cells are 88 bytes and one-entry lf lists 16: key i sits at 0x20 + 104·i, its list 88 later.
        var builder = RegistryHiveTestBuilder()
        let depth = 8
        for level in 0..<depth {
            let key = UInt32(0x20 + 104 * level)
            let last = level == depth - 1
            #expect(builder.nextOffset == key)
            builder.cell(
                RegistryHiveTestBuilder.nk(
                    "K", flags: level == 0 ? 0x2C : 0x20, subkeys: last ? 0 : 1,
                    subkeyList: last ? 0xFFFF_FFFF : key + 88))
            if !last { builder.cell(RegistryHiveTestBuilder.list("lf", [key + 104], hashes: true)) }
        }
        let hive = try RegistryHive(bytes: builder.bytes(), name: "SYSTEM")
        var deepest = 0
        try hive.walk(maximumDepth: 3) { path, _ in deepest = max(deepest, path.count) }
        #expect(deepest == 3)
        #expect(hive.warnings.has(.regfTooDeep))
        var all = 0
        try hive.walk { path, _ in all = max(all, path.count) }
        #expect(all == depth - 1)
    }

    @Test func aValueLongerThanTheWholeHiveIsRefused() throws {
        var builder = RegistryHiveTestBuilder()
        let valueList = builder.nextOffset + 0x58
        builder.cell(RegistryHiveTestBuilder.nk("ROOT", flags: 0x2C, values: 1, valueList: valueList))
        #expect(builder.nextOffset == valueList)
        let vk = builder.nextOffset + 8
        builder.cell(le32(vk))
        builder.cell(RegistryHiveTestBuilder.vk("Big", type: 3, length: 0x7FFF_FFF0, dataOffset: 0x20))
        let hive = try RegistryHive(bytes: builder.bytes(), name: "SOFTWARE")
        let error = try #require(throws: BinaryFormatError.self) { try hive.values(of: try hive.rootKey()) }
        #expect(error.message.contains("exceeds the whole hbins region"))
    }

    @Test(arguments: [1, 100])
    func valuesSharingOneDataCellCannotMultiplyMemory(entries: Int) throws {
        // The value list repeats one vk whose data is 3000 bytes: one entry is fine, 100 would gather 300 kB
        // from a 4 KiB hbins region (a 240 MiB hive could ask for terabytes the same way).
        var builder = RegistryHiveTestBuilder()
        let listOffset: UInt32 = 0x20 + 88
        let listCell = (4 * entries + 4 + 7) / 8 * 8
        let vk = listOffset + UInt32(listCell)
        let data = vk + 32
        builder.cell(RegistryHiveTestBuilder.nk("ROOT", flags: 0x2C, values: UInt32(entries), valueList: listOffset))
        #expect(builder.nextOffset == listOffset)
        builder.cell(Array(repeating: le32(vk), count: entries).flatMap { $0 })
        #expect(builder.nextOffset == vk)
        builder.cell(RegistryHiveTestBuilder.vk("V", type: 3, length: 3000, dataOffset: data))
        #expect(builder.nextOffset == data)
        builder.cell([UInt8](repeating: 0x5A, count: 3000))
        let hive = try RegistryHive(bytes: builder.bytes(), name: "SYSTEM")
        let root = try hive.rootKey()
        if entries == 1 {
            #expect(try hive.values(of: root).map(\.raw.count) == [3000])
        } else {
            let error = try #require(throws: BinaryFormatError.self) { try hive.values(of: root) }
            #expect(error.message.contains("hold more data than the whole hbins region"))
            #expect(error.offset == UInt64(listOffset) + 4096)
            // Looking one value up by name still works: only the bulk read is capped.
            #expect(try hive.value("V", of: root)?.raw.count == 3000)
        }
    }

    // MARK: XML configurations

    @Test(arguments: [
        (
            "deep", String(repeating: "<a>", count: 300) + String(repeating: "</a>", count: 300),
            XMLParseError.Kind.capExceeded(.depth)
        ),
        (
            "attributes", "<configuration " + (0..<300).map { "a\($0)=\"x\"" }.joined(separator: " ") + "/>",
            .capExceeded(.attributes)
        ),
        ("doctype", "<!DOCTYPE x [<!ENTITY a \"aaaa\">]><configuration>&a;</configuration>", .declarationRefused),
    ])
    func xmlCapsRefuseHostileDocuments(name: String, document: String, expected: XMLParseError.Kind) throws {
        let error = try #require(throws: XMLParseError.self) { try XMLDocumentParser.parse(Array(document.utf8)) }
        #expect(error.kind == expected, "\(name): \(error)")
    }

    @Test func xmlElementAndInputCapsHold() throws {
        var limits = XMLDocumentParser.Limits()
        limits.maximumElements = 1000
        let many = "<configuration>" + String(repeating: "<x/>", count: 1001) + "</configuration>"
        let tooMany = try #require(throws: XMLParseError.self) {
            try XMLDocumentParser.parse(Array(many.utf8), limits: limits)
        }
        #expect(tooMany.kind == .capExceeded(.elements))
        limits.maximumInputBytes = 100
        let error = try #require(throws: XMLParseError.self) {
            try XMLDocumentParser.parse(Array(String(repeating: " ", count: 101).utf8), limits: limits)
        }
        #expect(error.kind == .capExceeded(.inputBytes))
        // The message states the cap, for the report's warning.
        #expect(error.message == "document of 101 bytes exceeds the cap of 100")
    }

    // MARK: Reparse data and paths

    @Test func reparseDataLengthBeyondTheBufferIsRefused() throws {
        let bytes = le32(ReparsePoint.symlinkTag) + le16(0xFFFF) + le16(0) + [UInt8](repeating: 0, count: 12)
        let error = try #require(throws: BinaryFormatError.self) { try ReparsePoint(parsing: bytes) }
        #expect(error.message.contains("data length 65535 exceeds"))
        // Name offsets pointing past the path buffer.
        let names = le16(0xFFF0) + le16(8) + le16(0) + le16(0) + le32(0) + [UInt8](repeating: 0x41, count: 8)
        let outside = le32(ReparsePoint.symlinkTag) + le16(UInt16(names.count)) + le16(0) + names
        #expect(throws: BinaryFormatError.self) { try ReparsePoint(parsing: outside) }
    }

    @Test(arguments: [
        "\\\\\\\\?\\C:\\x", "\\\\?\\\\server\\share", "\\\\.\\\\x\\y", "\\\\server\\\\share", "\\\\..\\share\\x",
        "\\\\server\\..\\x", "\\\\?\\UNC\\?\\C:\\x",
    ])
    func uncPathsWithoutAServerAndShareDoNotParse(text: String) {
        #expect(WindowsPath(text) == nil, "\(text.debugDescription) parsed as \(WindowsPath(text)?.description ?? "")")
    }

    @Test(arguments: [
        "C:\\VMs\\a.vhdx", "\\\\server\\share\\VMs", "\\\\?\\UNC\\srv\\sh\\x",
        "\\\\?\\Volume{0eba351e-5634-46d6-a8cf-4ddc2d6ac0b9}\\x",
        "c:/a/./b/../c", "\\\\?\\D:\\trailing. \\x", "\\\\srv\\sh",
    ])
    func canonicalSpellingsParseBackToTheSamePath(text: String) throws {
        let path = try #require(WindowsPath(text))
        #expect(WindowsPath(path.description) == path)
        #expect(WindowsPath(path.description)?.description == path.description)
    }
}
