import Foundation
import Testing

@testable import HVXBinary
@testable import HVXFormats
@testable import HVXInventory
@testable import HVXVolume

/// A full listing of one hive from our reader: every key path with every value's name, type and data bytes.
func fullListing(_ hive: RegistryHive) throws -> [String] {
    var lines: [String] = []
    try hive.walk { path, key in
        lines.append("K " + path.joined(separator: "\\"))
        for value in try hive.values(of: key) {
            lines.append("V \(value.name) \(value.type.name) " + value.raw.map { String(format: "%02X", $0) }.joined())
        }
    }
    return lines
}

/// Builds transaction logs for generated hives: new-format `HvLE` entries and old-format dirty vectors.
enum TestLogBuilder {
    /// The first 512 bytes of `hive` as a log's base block copy: file type `type`, both sequences `sequence`.
    static func baseCopy(of hive: [UInt8], type: UInt32, sequence: UInt32) -> [UInt8] {
        var block = Array(hive[0..<512])
        block.replaceSubrange(4..<8, with: le32(sequence))
        block.replaceSubrange(8..<12, with: le32(sequence))
        block.replaceSubrange(28..<32, with: le32(type))
        block.replaceSubrange(508..<512, with: le32(RegistryBaseBlock.checksum(Array(block[0..<508]))))
        return block
    }

    /// One `HvLE` entry carrying `pages` (offset in the hive bins data, bytes), hashes computed.
    static func entry(sequence: UInt32, hbinsSize: Int, pages: [(offset: Int, bytes: [UInt8])]) -> [UInt8] {
        var body: [UInt8] = []
        for page in pages { body += le32(UInt32(page.offset)) + le32(UInt32(page.bytes.count)) }
        for page in pages { body += page.bytes }
        var size = 40 + body.count
        size = (size + 511) / 512 * 512
        body += [UInt8](repeating: 0, count: size - 40 - body.count)
        var header = Array("HvLE".utf8) + le32(UInt32(size)) + le32(0) + le32(sequence) + le32(UInt32(hbinsSize))
        header += le32(UInt32(pages.count))
        let hash1 = body.withUnsafeBytes { Marvin32.hash($0) }
        header += le64(hash1)
        let hash2 = header.withUnsafeBytes { Marvin32.hash($0) }
        header += le64(hash2)
        return header + body
    }

    /// A new-format log: base block copy starting at `start`, then `entries`.
    static func newLog(hive: [UInt8], start: UInt32, entries: [[UInt8]]) -> [UInt8] {
        baseCopy(of: hive, type: 6, sequence: start) + entries.joined()
    }

    /// An old-format log: base block copy, `DIRT` bitmap for the hive bins size, then the marked 512-byte pages.
    static func oldLog(hive: [UInt8], sequence: UInt32, target: [UInt8], dirty: [Int]) -> [UInt8] {
        let hbinsSize = target.count - 4096
        var vector = Array("DIRT".utf8) + [UInt8](repeating: 0, count: hbinsSize / 4096)
        for page in dirty { vector[4 + page / 8] |= 1 << UInt8(page % 8) }
        vector += [UInt8](repeating: 0, count: (vector.count + 511) / 512 * 512 - vector.count)
        var out = baseCopy(of: hive, type: 1, sequence: sequence) + vector
        for page in dirty.sorted() { out += target[4096 + page * 512..<4096 + (page + 1) * 512] }
        return out
    }
}

func le64(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }

/// Three generations of one small hive: the root holds a value `Stage` (inline DWORD) = 1, 2, 3.
struct StagedHive {
    let stages: [[UInt8]]

    init() {
        stages = (1...3).map { stage in
            var builder = RegistryHiveTestBuilder()
            builder.primarySequence = 3
            builder.secondarySequence = 2
            let value = builder.cell(
                RegistryHiveTestBuilder.vk("Stage", type: 4, length: 0x8000_0004, dataOffset: UInt32(stage)))
            let list = builder.cell(le32(value))
            builder.rootOffset = builder.nextOffset
            builder.cell(RegistryHiveTestBuilder.nk("Root", flags: 0x24, values: 1, valueList: list))
            return builder.bytes()
        }
    }

    /// The hive bins of stage `n` (1-based) as one page.
    func hbins(_ stage: Int) -> [UInt8] { Array(stages[stage - 1][4096...]) }

    /// An entry bringing the hive to stage `n`.
    func entry(_ sequence: UInt32, stage: Int) -> [UInt8] {
        TestLogBuilder.entry(sequence: sequence, hbinsSize: hbins(stage).count, pages: [(0, hbins(stage))])
    }

    /// Writes the dirty stage-1 hive and `logs` into a fresh folder; returns the hive's path.
    func write(_ folder: TemporaryDirectory, logs: [String: [UInt8]]) throws -> String {
        for (name, bytes) in logs { try folder.write("HIVE." + name, bytes) }
        return try folder.write("HIVE", stages[0])
    }

    static func stage(of hive: RegistryHive) throws -> UInt64? {
        try hive.value("Stage", of: hive.rootKey())?.integerValue
    }
}

@Suite("RegistryLogReplay")
struct RegistryLogReplayTests {
    // MARK: Windows's own recoveries

    @Test(
        "a dirty hive replays to exactly the hive Windows recovered from it",
        .requires(.sharedFixtures),
        arguments: [
            ("regf-dirty/NewDirtyHive1/NewDirtyHive", "regf-dirty/NewDirtyHive1/RecoveredHive_Windows10"),
            ("regf-dirty/OldDirtyHive/OldDirtyHive", "regf-dirty/OldDirtyHive/RecoveredHive_Windows7"),
        ])
    func matchesWindows(dirty: String, recovered: String) throws {
        let replayed = try RegistryHive(path: Fixtures.path(dirty))
        let windows = try RegistryHive(path: Fixtures.path(recovered))
        let ours = try fullListing(replayed)
        let theirs = try fullListing(windows)
        #expect(ours.count == theirs.count)
        #expect(ours == theirs)
        #expect(replayed.recovery != nil)
        #expect(replayed.warnings.isEmpty, "\(replayed.warnings)")
        // The file as it is differs: the test would catch a replay that did nothing.
        let asIs = try RegistryHive(path: Fixtures.path(dirty), logs: .ignore)
        #expect(try fullListing(asIs) != theirs)
        #expect(asIs.recovery == nil)
        #expect(asIs.warnings.has(.regfSequencesDiffer))
    }

    @Test("the new-format fixture takes its entries from both logs, LOG1 first", .requires(.sharedFixtures))
    func newFormatSummary() throws {
        let hive = try RegistryHive(path: Fixtures.path("regf-dirty/NewDirtyHive1/NewDirtyHive"))
        let recovery = try #require(hive.recovery)
        #expect(recovery.logs == ["NewDirtyHive.LOG1", "NewDirtyHive.LOG2"])
        #expect(
            recovery.summary
                == "replayed 1 log entry from NewDirtyHive.LOG1 and 3 from NewDirtyHive.LOG2 (to sequence 5)")
        #expect(recovery.count == 4)
        #expect(try hive.subkeys(of: hive.rootKey()).map(\.name) == ["Key3"])
        #expect(!hive.baseBlock.sequencesDiffer && hive.baseBlock.checksumValid)
    }

    @Test("the old-format fixture applies LOG1's dirty pages; the empty LOG2 is no warning", .requires(.sharedFixtures))
    func oldFormatSummary() throws {
        let hive = try RegistryHive(path: Fixtures.path("regf-dirty/OldDirtyHive/OldDirtyHive"))
        let recovery = try #require(hive.recovery)
        #expect(recovery.logs == ["OldDirtyHive.LOG1"])
        #expect(recovery.summary.contains("dirty pages from OldDirtyHive.LOG1"))
        #expect(try hive.key("key_with_many_subkeys\\5000\\find_me_in_log") != nil)
        #expect(hive.warnings.isEmpty)
    }

    @Test(
        "the recovered fixtures read the same through hivexml", .requires(.sharedFixtures),
        .requires(.tool("hivexml")))
    func recoveredCrossCheck() throws {
        for file in [
            "regf-dirty/NewDirtyHive1/RecoveredHive_Windows10", "regf-dirty/OldDirtyHive/RecoveredHive_Windows7",
        ] {
            let path = Fixtures.path(file)
            // hivexml shows a MULTI_SZ's extra empty terminator as one more empty item; our reader drops it.
            func trimmed(_ keys: [ListedKey]) -> [ListedKey] {
                keys.map { key in
                    var key = key
                    key.values = key.values.map { value in
                        var value = value
                        while value.type == "string-list" && value.data.hasSuffix("|") { value.data.removeLast() }
                        return value
                    }
                    return key
                }
            }
            let ours = try trimmed(ourListing(RegistryHive(path: path)))
            let theirs = try trimmed(HivexmlListing.list(path))
            #expect(ours.count == theirs.count)
            for (mine, other) in zip(ours, theirs) where mine != other {
                Issue.record("\(file) differs: ours \(mine) vs hivexml \(other)")
                break
            }
        }
    }

    @Test("Marvin32 matches the hashes Windows wrote into the fixture's log entries", .requires(.sharedFixtures))
    func marvinAgainstWindows() throws {
        let log = try [UInt8](
            Data(contentsOf: URL(fileURLWithPath: Fixtures.path("regf-dirty/NewDirtyHive1/NewDirtyHive.LOG1"))))
        let stored = log[512 + 32..<512 + 40].enumerated().reduce(UInt64(0)) {
            $0 | UInt64($1.element) << (8 * UInt64($1.offset))
        }
        #expect(Marvin32.hash(log, 512..<512 + 32) == stored)
        #expect(Marvin32.hash(log, 512..<512 + 31) != stored)
    }

    // MARK: Generated logs

    @Test("two consecutive entries bring the hive to the last stage")
    func consecutive() throws {
        let staged = StagedHive()
        let folder = try TemporaryDirectory()
        let path = try staged.write(
            folder,
            logs: [
                "LOG1": TestLogBuilder.newLog(
                    hive: staged.stages[0], start: 2, entries: [staged.entry(2, stage: 2), staged.entry(3, stage: 3)])
            ])
        let hive = try RegistryHive(path: path)
        #expect(try StagedHive.stage(of: hive) == 3)
        #expect(hive.recovery?.summary == "replayed 2 log entries from HIVE.LOG1 (to sequence 3)")
        #expect(hive.warnings.isEmpty, "\(hive.warnings)")
        #expect(try StagedHive.stage(of: RegistryHive(path: path, logs: .ignore)) == 1)
    }

    @Test("entries split over LOG2 then LOG1 are applied in sequence order")
    func dualLogs() throws {
        let staged = StagedHive()
        let folder = try TemporaryDirectory()
        let path = try staged.write(
            folder,
            logs: [
                "LOG1": TestLogBuilder.newLog(hive: staged.stages[0], start: 3, entries: [staged.entry(3, stage: 3)]),
                "LOG2": TestLogBuilder.newLog(hive: staged.stages[0], start: 2, entries: [staged.entry(2, stage: 2)]),
            ])
        let hive = try RegistryHive(path: path)
        #expect(try StagedHive.stage(of: hive) == 3)
        #expect(hive.recovery?.logs == ["HIVE.LOG2", "HIVE.LOG1"])
        #expect(hive.warnings.isEmpty, "\(hive.warnings)")
    }

    @Test("a log already reconciled (starting below the hive's secondary sequence) is skipped quietly")
    func reconciledLog() throws {
        let staged = StagedHive()
        let folder = try TemporaryDirectory()
        let path = try staged.write(
            folder,
            logs: [
                "LOG1": TestLogBuilder.newLog(hive: staged.stages[0], start: 1, entries: [staged.entry(1, stage: 3)]),
                "LOG2": TestLogBuilder.newLog(hive: staged.stages[0], start: 2, entries: [staged.entry(2, stage: 2)]),
            ])
        let hive = try RegistryHive(path: path)
        #expect(try StagedHive.stage(of: hive) == 2)
        #expect(hive.recovery?.logs == ["HIVE.LOG2"])
    }

    @Test("a wrong checksum stops the replay before that entry, with a warning")
    func wrongChecksum() throws {
        let staged = StagedHive()
        var bad = staged.entry(3, stage: 3)
        bad[600] ^= 0xFF
        let folder = try TemporaryDirectory()
        let path = try staged.write(
            folder,
            logs: [
                "LOG1": TestLogBuilder.newLog(
                    hive: staged.stages[0], start: 2, entries: [staged.entry(2, stage: 2), bad])
            ])
        let hive = try RegistryHive(path: path)
        #expect(try StagedHive.stage(of: hive) == 2)
        #expect(hive.recovery?.count == 1)
        #expect(hive.warnings.codes == [.regfLogEntryChecksum, .regfLogPartialReplay])
        #expect(hive.warnings.last?.message.hasPrefix("HIVE: replayed 1 log entry from HIVE.LOG1") == true)
    }

    @Test("a torn entry header (Hash-2) stops the replay too")
    func wrongHeaderChecksum() throws {
        let staged = StagedHive()
        var bad = staged.entry(3, stage: 3)
        bad[8] = 1  // flags are covered by Hash-2
        let folder = try TemporaryDirectory()
        let path = try staged.write(
            folder,
            logs: [
                "LOG1": TestLogBuilder.newLog(
                    hive: staged.stages[0], start: 2, entries: [staged.entry(2, stage: 2), bad])
            ])
        let hive = try RegistryHive(path: path)
        #expect(try StagedHive.stage(of: hive) == 2)
        #expect(hive.warnings.has(.regfLogEntryChecksum))
    }

    @Test("a sequence gap stops the replay at the last consecutive entry")
    func sequenceGap() throws {
        let staged = StagedHive()
        let folder = try TemporaryDirectory()
        let path = try staged.write(
            folder,
            logs: [
                "LOG1": TestLogBuilder.newLog(
                    hive: staged.stages[0], start: 2, entries: [staged.entry(2, stage: 2), staged.entry(4, stage: 3)])
            ])
        let hive = try RegistryHive(path: path)
        #expect(try StagedHive.stage(of: hive) == 2)
        #expect(hive.warnings.has(.regfLogEntrySequence))
    }

    @Test("a gap between the two logs stops the replay after the first")
    func gapBetweenLogs() throws {
        let staged = StagedHive()
        let folder = try TemporaryDirectory()
        let path = try staged.write(
            folder,
            logs: [
                "LOG1": TestLogBuilder.newLog(hive: staged.stages[0], start: 2, entries: [staged.entry(2, stage: 2)]),
                "LOG2": TestLogBuilder.newLog(hive: staged.stages[0], start: 4, entries: [staged.entry(4, stage: 3)]),
            ])
        let hive = try RegistryHive(path: path)
        #expect(try StagedHive.stage(of: hive) == 2)
        #expect(hive.warnings.has(.regfLogSequenceGap, at: .file("HIVE.LOG2", offset: nil)))
    }

    @Test("a truncated log applies the whole entries before the cut, with a warning")
    func truncatedLog() throws {
        let staged = StagedHive()
        let log = TestLogBuilder.newLog(
            hive: staged.stages[0], start: 2, entries: [staged.entry(2, stage: 2), staged.entry(3, stage: 3)])
        let folder = try TemporaryDirectory()
        let path = try staged.write(folder, logs: ["LOG1": Array(log.dropLast(1000))])
        let hive = try RegistryHive(path: path)
        #expect(try StagedHive.stage(of: hive) == 2)
        #expect(hive.warnings.has(.regfLogEntryCutOff))
    }

    @Test("a log whose base block copy is torn is not used, and the hive is read as it is with a warning")
    func tornLogBase() throws {
        let staged = StagedHive()
        var log = TestLogBuilder.newLog(hive: staged.stages[0], start: 2, entries: [staged.entry(2, stage: 2)])
        log[100] ^= 1
        let folder = try TemporaryDirectory()
        let path = try staged.write(folder, logs: ["LOG1": log])
        let hive = try RegistryHive(path: path)
        #expect(try StagedHive.stage(of: hive) == 1)
        #expect(hive.recovery == nil)
        #expect(hive.warnings.has(.regfLogUnusable, at: .file("HIVE.LOG1", offset: nil)))
        #expect(hive.warnings.has(.regfSequencesDiffer))
    }

    @Test("without logs a dirty hive is read as it is, and the warning says no log was found")
    func noLogs() throws {
        let staged = StagedHive()
        let folder = try TemporaryDirectory()
        let path = try staged.write(folder, logs: [:])
        let hive = try RegistryHive(path: path)
        #expect(try StagedHive.stage(of: hive) == 1)
        // One warning, not two near-identical ones: the base block's says that no log is beside the hive.
        #expect(
            hive.warnings == [
                Diagnostic(
                    .regfSequencesDiffer, at: .offset(0),
                    "regf base block at 0x0: sequence numbers differ (primary 3, secondary 2): hive may be missing "
                        + "recent changes (no transaction log HIVE.LOG1/.LOG2 beside it); read on")
            ])
    }

    @Test("log names are matched case-insensitively, as on NTFS")
    func caseInsensitiveLogName() throws {
        let staged = StagedHive()
        let folder = try TemporaryDirectory()
        try folder.write(
            "hive.log1", TestLogBuilder.newLog(hive: staged.stages[0], start: 2, entries: [staged.entry(2, stage: 3)]))
        let path = try folder.write("HIVE", staged.stages[0])
        #expect(try StagedHive.stage(of: RegistryHive(path: path)) == 3)
    }

    @Test("an old-format log rewrites the dirty pages; a torn bin header stops it")
    func oldFormat() throws {
        let staged = StagedHive()
        let good = TestLogBuilder.oldLog(
            hive: staged.stages[0], sequence: 3, target: staged.stages[2], dirty: Array(0..<8))
        let folder = try TemporaryDirectory()
        let path = try staged.write(folder, logs: ["LOG1": good])
        let hive = try RegistryHive(path: path)
        #expect(try StagedHive.stage(of: hive) == 3)
        #expect(hive.recovery?.summary == "replayed 8 dirty pages from HIVE.LOG1")

        var bad = good
        bad[1024 + 4] = 0x10  // the bin's stored offset
        let other = try TemporaryDirectory()
        let badPath = try staged.write(other, logs: ["LOG1": bad])
        let badHive = try RegistryHive(path: badPath)
        #expect(try StagedHive.stage(of: badHive) == 1)
        #expect(badHive.warnings.has(.regfLogBinInvalid, at: .file("HIVE.LOG1", offset: 1024)))
    }
}

/// A measurement, not a gate (timings are not asserted in tests): with `HVX_BENCH=1` (`scripts/bench-hive-replay.sh`)
/// it replays 12 MiB of dirty pages over a ~100 MiB SOFTWARE hive; otherwise a small one, so the measuring code
/// itself runs on every test run.
@Suite("RegistryLogReplay benchmark")
struct RegistryLogReplayBenchmark {
    static let full = ProcessInfo.processInfo.environment["HVX_BENCH"] == "1"

    @Test("replaying dirty pages over a generated SOFTWARE hive, timed", .requires(Requirement.makeHives))
    func replayLargeHive() throws {
        let folder = try TemporaryDirectory("bigreplay")
        let clean = folder.url.appendingPathComponent("clean").path
        let script = Fixtures.projectRoot.appendingPathComponent("scripts/make-hives").path
        let made = try runProcess(script, ["--big", clean, Self.full ? "100" : "4"])
        try #require(made.status == 0, "\(made.stderr)")
        var hive = try [UInt8](Data(contentsOf: URL(fileURLWithPath: clean)))
        let hbinsSize = hive.count - 4096
        // Dirty: primary sequence one ahead of the secondary; the logs hold entries from the secondary on.
        let secondary: UInt32 = 40
        hive.replaceSubrange(4..<8, with: le32(secondary + 1))
        hive.replaceSubrange(8..<12, with: le32(secondary))
        hive.replaceSubrange(508..<512, with: le32(RegistryBaseBlock.checksum(Array(hive[0..<508]))))
        // 24 entries of 128 pages × 4 KiB = 12 MiB, spread over the whole hive; each page carries the hive's own
        // bytes, so the replayed hive must read exactly like the clean one.
        let pagesPerEntry = Self.full ? 128 : 16
        let entries = Self.full ? 24 : 4
        let stride = max(1, (hbinsSize / 4096) / (pagesPerEntry * entries))
        var log: [UInt8] = TestLogBuilder.baseCopy(of: hive, type: 6, sequence: secondary)
        var page = 0
        for index in 0..<entries {
            var pages: [(offset: Int, bytes: [UInt8])] = []
            for _ in 0..<pagesPerEntry {
                let offset = (page * stride % (hbinsSize / 4096)) * 4096
                pages.append((offset, Array(hive[4096 + offset..<4096 + offset + 4096])))
                page += 1
            }
            log += TestLogBuilder.entry(sequence: secondary + UInt32(index), hbinsSize: hbinsSize, pages: pages)
        }
        let path = try folder.write("SOFTWARE", hive)
        try folder.write("SOFTWARE.LOG1", log)
        try folder.write("SOFTWARE.LOG2", [])
        // scripts/bench-hive-replay.sh times a peer (regipy) on the same files when asked to keep them.
        if let keep = ProcessInfo.processInfo.environment["HVX_BENCH_KEEP"] {
            try FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
            for name in ["SOFTWARE", "SOFTWARE.LOG1"] {
                try? FileManager.default.removeItem(atPath: keep + "/" + name)
                try FileManager.default.copyItem(atPath: folder.path + "/" + name, toPath: keep + "/" + name)
            }
        }
        var withReplay = Double.infinity
        var asIs = Double.infinity
        for _ in 0..<5 {
            var start = DispatchTime.now().uptimeNanoseconds
            _ = try RegistryHive(path: path)
            withReplay = min(withReplay, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            start = DispatchTime.now().uptimeNanoseconds
            _ = try RegistryHive(path: path, logs: .ignore)
            asIs = min(asIs, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        let dirtyMiB = Double(pagesPerEntry * entries * 4096) / Double(1 << 20)
        print(
            String(
                format:
                    "hive log replay: %d MiB hive, %.0f MiB of dirty pages in %d entries (log %d MiB): open with replay %.1f ms, as is %.1f ms, replay adds %.1f ms (best of 5)",
                hive.count >> 20, dirtyMiB, entries, log.count >> 20, withReplay, asIs, withReplay - asIs))
        let replayed = try RegistryHive(path: path)
        #expect(replayed.recovery?.count == entries)
        let facts = HostFacts.read(software: replayed, system: nil)
        #expect(facts.windows?.generation == .v2019)
    }
}

@Suite("RegistryQuery")
struct RegistryQueryTests {
    @Test(
        "text is printed unambiguously",
        arguments: [
            ("two\nlines", #"two\nlines"#), ("x  ", #"x\x20\x20"#), (#"C:\new\Windows"#, #"C:\\new\Windows"#),
            ("a\tb\r", #"a\tb\r"#), ("bell\u{7}", #"bell\x07"#), ("zero\0key", #"zero\0key"#), (#"end\"#, #"end\"#),
            (#"lit\\n"#, #"lit\\\\n"#), ("in ner", "in ner"),
        ])
    func visible(raw: String, shown: String) {
        #expect(RegistryQuery.visible(raw) == shown)
    }

    @Test("HKLM\\<hive>\\ is stripped and CurrentControlSet follows Select\\Current")
    func resolve() throws {
        var builder = RegistryHiveTestBuilder()
        let current = builder.cell(RegistryHiveTestBuilder.vk("Current", type: 4, length: 0x8000_0004, dataOffset: 2))
        let list = builder.cell(le32(current))
        let select = builder.cell(RegistryHiveTestBuilder.nk("Select", values: 1, valueList: list))
        let subkeys = builder.cell(RegistryHiveTestBuilder.list("li", [select]))
        builder.rootOffset = builder.nextOffset
        builder.cell(RegistryHiveTestBuilder.nk("ROOT", flags: 0x24, subkeys: 1, subkeyList: subkeys))
        let hive = try RegistryHive(bytes: builder.bytes(), name: "SYSTEM")
        let resolved = try RegistryQuery.resolve(#"HKLM\SYSTEM\CurrentControlSet\Services\vmms"#, in: hive)
        #expect(resolved.components == ["ControlSet002", "Services", "vmms"])
        #expect(resolved.notes == [#"CurrentControlSet is ControlSet002 (Select\Current = 2)"#])
        #expect(
            try RegistryQuery.resolve(#"hkey_local_machine\software\X"#, in: hive).notes.first?.contains(
                "names the software hive") == true)
        #expect(try RegistryQuery.resolve(#"Select"#, in: hive).components == ["Select"])
    }
}

@Suite("RegistryLogReplay edge cases")
struct RegistryLogReplayEdgeTests {
    @Test(
        "a torn primary base block: only the log with the latest entries is used, and the base block is rebuilt from it"
    )
    func tornPrimary() throws {
        let staged = StagedHive()
        var primary = staged.stages[0]
        primary[12] ^= 0x55  // a byte of the last-written time: the checksum no longer matches
        let folder = try TemporaryDirectory()
        try folder.write(
            "HIVE.LOG1", TestLogBuilder.newLog(hive: staged.stages[0], start: 2, entries: [staged.entry(2, stage: 2)]))
        try folder.write(
            "HIVE.LOG2", TestLogBuilder.newLog(hive: staged.stages[0], start: 3, entries: [staged.entry(3, stage: 3)]))
        let path = try folder.write("HIVE", primary)
        let hive = try RegistryHive(path: path)
        #expect(try StagedHive.stage(of: hive) == 3)
        #expect(hive.recovery?.logs == ["HIVE.LOG2"])
        #expect(hive.baseBlock.checksumValid)
        #expect(hive.warnings.has(.regfLogBaseRebuilt, at: .file("HIVE.LOG2", offset: 0)))
    }

    @Test(
        "the real dirty hive without logs is read as it is, with a warning naming the missing logs",
        .requires(Requirement.gzipFixture))
    func realDirtyWithoutLogs() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path + "/SYSTEM"
        let unzip = try runProcess(
            "sh", ["-c", "gzip -dc '\(Fixtures.path("regf/real/SYSTEM-win10-18362-dirty-nolog.gz"))' > '\(path)'"])
        try #require(unzip.status == 0)
        let hive = try RegistryHive(path: path)
        #expect(hive.recovery == nil)
        #expect(hive.warnings.count(.regfSequencesDiffer) == 1, "\(hive.warnings)")
        #expect(
            hive.warnings.first { $0.code == .regfSequencesDiffer }?.message.hasPrefix(
                "regf base block at 0x0: sequence numbers differ (primary 4317, secondary 4316)") == true)
        #expect(try hive.key("ControlSet001\\Services\\vmcompute") != nil)
    }

    @Test("garbage logs never crash the replay and never change the hive", arguments: 0..<40)
    func garbage(seed: Int) throws {
        var generator = SplitMix(seed: UInt64(seed))
        let staged = StagedHive()
        var log = TestLogBuilder.newLog(
            hive: staged.stages[0], start: 2, entries: [staged.entry(2, stage: 2), staged.entry(3, stage: 3)])
        // Flip a few bytes anywhere past the base block copy, or cut the log short.
        for _ in 0..<(1 + Int(generator.next() % 4)) {
            let at = 512 + Int(generator.next() % UInt64(log.count - 512))
            log[at] ^= UInt8(truncatingIfNeeded: generator.next() | 1)
        }
        if generator.next() % 3 == 0 { log.removeLast(Int(generator.next() % UInt64(log.count - 512))) }
        let folder = try TemporaryDirectory()
        let path = try staged.write(folder, logs: ["LOG1": log])
        let hive = try RegistryHive(path: path)
        // Whatever was damaged, the hive is one Windows could produce: stage 1, 2 or 3, whole.
        let stage = try StagedHive.stage(of: hive)
        #expect(stage == 1 || stage == 2 || stage == 3)
    }
}

/// A small deterministic generator for the garbage test.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("RegistryLogReplay in the scan")
struct RegistryLogReplayScanTests {
    @Test("a dirty SYSTEM with its LOG1: the host facts come from the replayed hive, and the evidence names the log")
    func hiveLocatorEvidence() throws {
        let clean = Fixtures.projectRoot.appendingPathComponent("TestTrees/ws2019-custom/C/Windows/System32/config")
        var system = [UInt8](try Data(contentsOf: clean.appendingPathComponent("SYSTEM")))
        let software = [UInt8](try Data(contentsOf: clean.appendingPathComponent("SOFTWARE")))
        // Dirty it: the primary sequence one ahead; the log's one entry rewrites the first bin with itself.
        let secondary = UInt32(system[8]) | UInt32(system[9]) << 8 | UInt32(system[10]) << 16 | UInt32(system[11]) << 24
        system.replaceSubrange(4..<8, with: le32(secondary + 1))
        system.replaceSubrange(508..<512, with: le32(RegistryBaseBlock.checksum(Array(system[0..<508]))))
        let hbinsSize = system.count - 4096
        let log = TestLogBuilder.newLog(
            hive: system, start: secondary,
            entries: [
                TestLogBuilder.entry(
                    sequence: secondary, hbinsSize: hbinsSize, pages: [(0, Array(system[4096..<8192]))])
            ])
        let folder = try TemporaryDirectory()
        try folder.write("hives/SOFTWARE", software)
        try folder.write("hives/SYSTEM", system)
        try folder.write("hives/SYSTEM.LOG1", log)
        try folder.write("C/Windows/placeholder")
        let map = VolumeMap.drives(["C": folder.path + "/C"])
        let result = HiveLocator(map: map, hiveDirectory: folder.path + "/hives").read()
        let replays = try #require(result.facts?.logReplays)
        #expect(replays.map(\.summary) == ["replayed 1 log entry from SYSTEM.LOG1 (to sequence \(secondary))"])
        #expect(replays.first?.hive == "SYSTEM")
        #expect(
            result.findings.contains {
                $0.severity == .info && $0.message.contains("replayed 1 log entry from SYSTEM.LOG1")
            })
        #expect(!result.findings.contains { $0.message.contains("sequence numbers differ") })
        #expect(result.facts?.services.first { $0.name == "vmms" }?.present == true)
    }
}

/// A copy of a whole hive (or log base block) with a base block field changed and the checksum recomputed.
func rebased(_ bytes: [UInt8], _ changes: [(offset: Int, bytes: [UInt8])]) -> [UInt8] {
    var out = bytes
    for change in changes {
        out.replaceSubrange(change.offset..<change.offset + change.bytes.count, with: change.bytes)
    }
    out.replaceSubrange(508..<512, with: le32(RegistryBaseBlock.checksum(Array(out[0..<508]))))
    return out
}

/// The identity a base block carries: the file name at 48 and the RmId, LogId and TmId GUIDs at 112, 128, 148.
func identity(name: String, id: UInt8) -> [(offset: Int, bytes: [UInt8])] {
    let utf16 = Array(name.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
    let guid = [UInt8](repeating: id, count: 16)
    return [(48, utf16 + [UInt8](repeating: 0, count: 64 - utf16.count)), (112, guid), (128, guid), (148, guid)]
}

/// Log checks before replay: a rejected log leaves the primary as it is with a warning, and a replay never
/// makes a readable hive unreadable.
@Suite("RegistryLogReplay log checks")
struct RegistryLogCheckTests {
    @Test("a log of another hive (other file name and ids) is not used; the hive's own log is")
    func foreignLog() throws {
        let staged = StagedHive()
        let primary = rebased(staged.stages[0], identity(name: "\\Windows\\HIVE", id: 0xA1))
        let foreign = TestLogBuilder.newLog(
            hive: rebased(staged.stages[0], identity(name: "\\Users\\x\\OTHER", id: 0xB2)), start: 2,
            entries: [staged.entry(2, stage: 3)])
        let folder = try TemporaryDirectory()
        try folder.write("HIVE.LOG1", foreign)
        let hive = try RegistryHive(path: try folder.write("HIVE", primary))
        #expect(try StagedHive.stage(of: hive) == 1)
        #expect(hive.recovery == nil)
        #expect(hive.warnings.count(.regfLogForeign, at: .file("HIVE.LOG1", offset: nil)) == 1, "\(hive.warnings)")
        #expect(
            hive.warnings.filter {
                $0.message.hasPrefix(
                    "HIVE.LOG1: belongs to another hive (its base block names \"\\Users\\x\\OTHER\", HIVE's names \"\\Windows\\HIVE\"; its RmId, LogId, TmId differ from HIVE's); not used"
                )
            }.count == 1, "\(hive.warnings)")
        #expect(
            hive.warnings.first { $0.code == .regfSequencesDiffer }?.message.hasSuffix(
                "(read without its logs: HIVE.LOG1 could not be applied); read on") == true,
            "\(hive.warnings)")

        let own = TestLogBuilder.newLog(hive: primary, start: 2, entries: [staged.entry(2, stage: 3)])
        let other = try TemporaryDirectory()
        try other.write("HIVE.LOG1", own)
        let replayed = try RegistryHive(path: try other.write("HIVE", primary))
        #expect(try StagedHive.stage(of: replayed) == 3)
        #expect(replayed.warnings.isEmpty, "\(replayed.warnings)")
    }

    @Test("an old-format dirty bin whose size runs past the hive is not applied; the hive reads as it is")
    func oldFormatBinPastTheEnd() throws {
        let staged = StagedHive()
        var log = TestLogBuilder.oldLog(
            hive: staged.stages[0], sequence: 3, target: staged.stages[2], dirty: Array(0..<8))
        // the dirty bin's size: past the 0x1000 hive bins
        log.replaceSubrange(1024 + 8..<1024 + 12, with: le32(0x3000))
        let folder = try TemporaryDirectory()
        let hive = try RegistryHive(path: try staged.write(folder, logs: ["LOG1": log]))
        #expect(try StagedHive.stage(of: hive) == 1)
        #expect(hive.recovery == nil)
        #expect(hive.warnings.count(.regfLogBinPastEnd, at: .file("HIVE.LOG1", offset: 1024)) == 1, "\(hive.warnings)")
        let noReplay = try RegistryHive(path: folder.path + "/HIVE", logs: .ignore)
        #expect(try fullListing(hive) == fullListing(noReplay))
    }

    /// The stage-1 hive grown to two bins, its root in the second (a copy of the first bin's cells, whose value
    /// list still points into the first bin).
    static func twoBinHive(_ staged: StagedHive) -> [UInt8] {
        var second = staged.hbins(1)
        second.replaceSubrange(4..<8, with: le32(0x1000))
        let base = staged.stages[0]
        let root = UInt32(0x1000) + (0..<4).reduce(UInt32(0)) { $0 | UInt32(base[36 + $1]) << (8 * UInt32($1)) }
        return rebased(staged.stages[0] + second, [(36, le32(root)), (40, le32(0x2000))])
    }

    @Test("a log entry that shrinks the hive is applied with a warning naming the bytes dropped")
    func shrinkingEntry() throws {
        let staged = StagedHive()
        let primary = rebased(staged.stages[0] + Self.twoBinHive(staged)[8192...], [(40, le32(0x2000))])
        let log = TestLogBuilder.newLog(hive: primary, start: 2, entries: [staged.entry(2, stage: 3)])
        let folder = try TemporaryDirectory()
        try folder.write("HIVE.LOG1", log)
        let hive = try RegistryHive(path: try folder.write("HIVE", primary))
        #expect(try StagedHive.stage(of: hive) == 3)
        #expect(
            hive.warnings == [
                Diagnostic(
                    .regfLogShrinksHive, at: .file("HIVE.LOG1", offset: 0x200),
                    "HIVE.LOG1 at 0x200: log entry sequence 2 shrinks the hive bins from 0x2000 to 0x1000 bytes; the "
                        + "0x1000 bytes past the new end are dropped, as Windows drops them")
            ])
    }

    @Test("a replay that would leave the root unreadable gives way to the file as it is, with a warning")
    func replayNeverMakesAHiveUnreadable() throws {
        let staged = StagedHive()
        let primary = Self.twoBinHive(staged)
        // Valid hashes, but it cuts the hive to its first bin: the root (in the second) is gone.
        let log = TestLogBuilder.newLog(hive: primary, start: 2, entries: [staged.entry(2, stage: 3)])
        let folder = try TemporaryDirectory()
        try folder.write("HIVE.LOG1", log)
        let hive = try RegistryHive(path: try folder.write("HIVE", primary))
        #expect(hive.recovery == nil)
        #expect(try StagedHive.stage(of: hive) == 1)
        #expect(hive.warnings.has(.regfLogReplayUndone), "\(hive.warnings)")
    }
}
