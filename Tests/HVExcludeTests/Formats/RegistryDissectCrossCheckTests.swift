import Foundation
import Testing

@testable import HVXBinary
@testable import HVXFormats
@testable import HVXInventory

/// One key as a line: its path from the root, then its values (name, type number, data in upper-case hex), in
/// stored order; the same form `scripts/lib/regf_dissect_dump.py` prints for dissect.regf.
private func keyLine(_ path: String, _ values: [(String, UInt32, String)]) -> String {
    path + " | " + values.map { "\($0.0)=\($0.1):\($0.2)" }.joined(separator: " ; ")
}

/// Every key our reader reaches from the root (the library walk `hive --recursive` uses), as key lines.
func ourKeyLines(_ hive: RegistryHive) throws -> [String] {
    var lines: [String] = []
    try hive.walk { path, key in
        let values = hive.readableValues(of: key).map { value in
            (value.name, value.type.rawValue, value.raw.map { String(format: "%02X", $0) }.joined())
        }
        lines.append(keyLine(path.joined(separator: "\\"), values))
    }
    return lines
}

/// Every key dissect.regf reaches from the root, as key lines, with its own count of failures.
func dissectKeyLines(_ file: String) throws -> (lines: [String], errors: Int) {
    let script = Fixtures.projectRoot.appendingPathComponent("scripts/lib/regf_dissect_dump.py").path
    let result = try runProcess("python3", [script, file])
    guard result.status == 0 else { throw HiveTestError.script("dissect.regf on \(file): \(result.stderr)") }
    var lines: [String] = []
    var errors = 0
    for text in result.stdout.split(separator: "\n") {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
        if let summary = object["summary"] as? [String: Int] {
            errors = summary["errors"] ?? 0
            continue
        }
        let values = (object["values"] as? [[Any]] ?? []).map { item in
            (item[0] as? String ?? "?", UInt32(item[1] as? Int ?? -1), item[2] as? String ?? "?")
        }
        lines.append(keyLine(object["path"] as? String ?? "?", values))
    }
    return (lines, errors)
}

/// What a hive compares as: the lines both readers print, and which of dissect's lines ours lacks.
struct HiveComparison: CustomStringConvertible {
    var name: String
    var ours: [String]
    var dissect: [String]
    var dissectErrors: Int

    /// Dissect's lines that ours does not have (as a multiset).
    var missing: [String] {
        var counts: [String: Int] = [:]
        for line in ours { counts[line, default: 0] += 1 }
        return dissect.filter { line in
            guard let count = counts[line], count > 0 else { return true }
            counts[line] = count - 1
            return false
        }
    }

    var description: String {
        "\(name): ours \(ours.count) keys, dissect.regf \(dissect.count) keys (\(dissectErrors) failures), "
            + "\(missing.count) of dissect's missing from ours"
    }
}

/// Compares a hive read by our walk (logs ignored: dissect.regf does not replay) with dissect.regf's walk.
func compareWithDissect(_ file: String, name: String) throws -> HiveComparison {
    let hive = try RegistryHive(path: file, logs: .ignore)
    let theirs = try dissectKeyLines(file)
    return HiveComparison(name: name, ours: try ourKeyLines(hive), dissect: theirs.lines, dissectErrors: theirs.errors)
}

/// Files to compare: the fixture hives (the gzip ones decompressed into `folder`).
private func fixtureHives(into folder: TemporaryDirectory) throws -> (intact: [String], damaged: [String]) {
    let root = Fixtures.root.path
    var intact = ["regf/Syscache.hve", "regf/minimal.hive", "regf/special.hive"].map { root + "/" + $0 }
    for dirty in [
        "NewDirtyHive1/NewDirtyHive", "NewDirtyHive1/RecoveredHive_Windows10", "OldDirtyHive/OldDirtyHive",
        "OldDirtyHive/RecoveredHive_Windows7",
    ] {
        intact.append(root + "/regf-dirty/" + dirty)
    }
    for gz in ["SYSTEM-win10-19041.gz", "SYSTEM-win10-18362-dirty-nolog.gz"] {
        let target = folder.path + "/" + gz.replacingOccurrences(of: ".gz", with: "")
        let unzip = try runProcess("sh", ["-c", "gzip -dc '\(root)/regf/real/\(gz)' > '\(target)'"])
        guard unzip.status == 0 else { throw HiveTestError.script(unzip.stderr) }
        intact.append(target)
    }
    let damaged = ["EffectiveSizeHive", "SAMBadHBinHeader", "TruncatedNameHive"].map { root + "/regf-damaged/" + $0 }
    return (intact, damaged)
}

/// Writes `scripts/make-damaged-hives` into a fresh folder; returns it and the manifest (damage → offset).
func makeDamagedHives() throws -> (TemporaryDirectory, [String: Int]) {
    let folder = try TemporaryDirectory("damaged-hives")
    let script = Fixtures.projectRoot.appendingPathComponent("scripts/make-damaged-hives").path
    let result = try runProcess("python3", [script, folder.path])
    guard result.status == 0 else { throw HiveTestError.script(result.stderr) }
    let data = try Data(contentsOf: folder.url.appendingPathComponent("manifest.json"))
    let manifest = try JSONSerialization.jsonObject(with: data) as? [String: [String: Any]] ?? [:]
    return (folder, manifest.compactMapValues { $0["offset"] as? Int })
}

extension Requirement {
    /// dissect.regf from PyPI, the independent hive reader.
    static let dissectRegf = Requirement.pip(module: "dissect.regf", package: "dissect.regf")
}

@Suite("Hive reader against dissect.regf")
struct RegistryDissectCrossCheckTests {
    @Test(
        "every test hive: same keys and values as dissect.regf on intact hives, at least as many on damaged ones",
        .requires([Requirement.dissectRegf, .sharedFixtures, .tool("gunzip")] + Requirement.makeHives))
    func everyHive() throws {
        let scratch = try TemporaryDirectory("dissect-compare")
        var (intact, damaged) = try fixtureHives(into: scratch)
        let (standard, manifest) = try makeStandardHives()
        intact += manifest.keys.sorted().map { standard.path + "/" + $0 }
        let (generated, damages) = try makeDamagedHives()
        intact.append(generated.path + "/intact")
        damaged += damages.keys.sorted().map { generated.path + "/" + $0 }
        var report: [String] = []
        for file in intact {
            let comparison = try compareWithDissect(file, name: file)
            report.append(comparison.description)
            #expect(comparison.dissectErrors == 0, "\(comparison)")
            #expect(comparison.ours.sorted() == comparison.dissect.sorted(), "\(comparison)")
        }
        for file in damaged {
            let comparison = try compareWithDissect(file, name: file)
            report.append(comparison.description)
            #expect(!comparison.dissect.isEmpty, "\(comparison)")
            #expect(comparison.missing.isEmpty, "\(comparison): \(comparison.missing.prefix(3))")
        }
        print("hive keys against dissect.regf:\n  " + report.joined(separator: "\n  "))
    }

    @Test(
        "the damaged fixtures read as far as dissect.regf reads them (5,003, 68 and 2 keys), each damage named once",
        .requires([Requirement.dissectRegf, .sharedFixtures]),
        arguments: [
            ("EffectiveSizeHive", 5003, Diagnostic(.regfHbinsSizeUntrusted, at: .offset(0x28), "")),
            ("SAMBadHBinHeader", 68, Diagnostic(.regfBinHeaderDamaged, at: .offset(0x2000), "")),
            ("TruncatedNameHive", 2, Diagnostic(.regfKeyNameCut, "")),
        ])
    func damagedFixture(name: String, keys: Int, warning: Diagnostic) throws {
        let file = Fixtures.path("regf-damaged/" + name)
        let hive = try RegistryHive(path: file)
        let comparison = try compareWithDissect(file, name: name)
        #expect(comparison.ours.count == keys && comparison.dissect.count == keys, "\(comparison)")
        #expect(comparison.missing.isEmpty, "\(comparison)")
        _ = try ourKeyLines(hive)
        let location = warning.location == .unknown ? nil : warning.location
        #expect(hive.warnings.count(warning.code, at: location) == 1, "\(hive.warnings)")
    }

    @Test(
        "generated damage: each is one named warning and every key dissect.regf reads is read",
        .requires([Requirement.dissectRegf] + Requirement.makeHives),
        arguments: ["torn-size", "bad-signature", "zeroed-header", "name-past-cell"])
    func generatedDamage(damage: String) throws {
        let (folder, manifest) = try makeDamagedHives()
        let offset = try #require(manifest[damage])
        let file = folder.path + "/" + damage
        let hive = try RegistryHive(path: file)
        let comparison = try compareWithDissect(file, name: damage)
        #expect(comparison.missing.isEmpty && comparison.ours.count == 281, "\(comparison)")
        _ = try ourKeyLines(hive)
        let named: (DiagnosticCode, DiagnosticLocation)
        switch damage {
        case "torn-size": named = (.regfHbinsSizeUntrusted, .offset(0x28))
        case "bad-signature", "zeroed-header": named = (.regfBinHeaderDamaged, .offset(UInt64(offset)))
        default: named = (.regfKeyNameCut, .offset(UInt64(offset)))
        }
        #expect(hive.warnings.count(named.0, at: named.1) == 1, "\(damage): \(hive.warnings)")
        // One warning for the damage (a torn base block also says the hive may lack recent changes).
        #expect(hive.warnings.count == (damage == "torn-size" ? 2 : 1), "\(damage): \(hive.warnings)")
    }

    @Test("hive --recursive prints one JSON line per key, the walk the comparison uses")
    func recursiveLines() throws {
        let file = Fixtures.path("regf/special.hive")
        let hive = try RegistryHive(path: file)
        var lines: [String] = []
        let count = try RegistryQuery.jsonLines(hive) { lines.append($0) }
        #expect(count == 4 && lines.count == 4)
        #expect(lines.allSatisfy { $0.hasSuffix("}\n") && !$0.dropLast().contains("\n") })
        let objects = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
        #expect(objects.first?["path"] as? String == "")
        let walked = try ourKeyLines(hive).map { String($0.prefix { $0 != "|" }.dropLast()) }
        #expect(objects.map { $0["path"] as? String ?? "?" }.sorted() == walked.sorted())
    }

    @Test("lone surrogates in key names are escaped, so two such keys stay distinct")
    func loneSurrogates() throws {
        var builder = RegistryHiveTestBuilder()
        var keys: [UInt32] = []
        for unit: UInt16 in [0xD800, 0xDC01] {
            let name =
                Array("key".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }) + [
                    UInt8(unit & 0xFF), UInt8(unit >> 8),
                ]
            var record = Array(RegistryHiveTestBuilder.nk("", flags: 0).prefix(76))
            record.replaceSubrange(72..<74, with: le16(UInt16(name.count)))
            keys.append(builder.cell(record + name))
        }
        let list = builder.cell(RegistryHiveTestBuilder.list("li", keys))
        builder.rootOffset = builder.nextOffset
        builder.cell(RegistryHiveTestBuilder.nk("ROOT", flags: 0x2C, subkeys: 2, subkeyList: list))
        let hive = try RegistryHive(bytes: builder.bytes(), name: "HIVE")
        let names = try hive.subkeys(of: hive.rootKey()).map(\.name)
        #expect(names == ["key\\uD800", "key\\uDC01"], "\(names) \(hive.warnings)")
    }

    @Test("a key listed under two parents is read under both (as dissect.regf lists it); a key below itself is a cycle")
    func sharedKeyAndCycle() throws {
        var builder = RegistryHiveTestBuilder()
        let c = builder.nextOffset
        let cList = c + 88
        let a = cList + 16
        let aList = a + 88
        let b = aList + 16
        let bList = b + 88
        let rootList = bList + 16
        let root = rootList + 16
        builder.cell(RegistryHiveTestBuilder.nk("C", subkeys: 1, subkeyList: cList))
        builder.cell(RegistryHiveTestBuilder.list("li", [root]))
        builder.cell(RegistryHiveTestBuilder.nk("A", subkeys: 1, subkeyList: aList))
        builder.cell(RegistryHiveTestBuilder.list("li", [c]))
        builder.cell(RegistryHiveTestBuilder.nk("B", subkeys: 1, subkeyList: bList))
        builder.cell(RegistryHiveTestBuilder.list("li", [c]))
        builder.cell(RegistryHiveTestBuilder.list("li", [a, b]))
        builder.rootOffset = builder.nextOffset
        #expect(builder.rootOffset == root)
        builder.cell(RegistryHiveTestBuilder.nk("ROOT", flags: 0x2C, subkeys: 2, subkeyList: rootList))
        let hive = try RegistryHive(bytes: builder.bytes(), name: "HIVE")
        var paths: [String] = []
        try hive.walk { path, _ in paths.append(path.joined(separator: "\\")) }
        #expect(paths == ["", "A", "A\\C", "B", "B\\C"])
        // "C" is shared by A and B; "ROOT" listed below "C" is a cycle.
        #expect(hive.warnings.count(.regfSharedKey) == 1 && hive.warnings.count(.regfKeyCycle) == 1)
        #expect(
            hive.warnings.first { $0.code == .regfSharedKey }?.message.hasSuffix(
                "under \"B\" (a key with two parents); read there too") == true)
    }
}
