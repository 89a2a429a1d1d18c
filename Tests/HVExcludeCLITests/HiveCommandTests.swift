import Foundation
import Testing

@testable import HVXSession
@testable import hvexclude

/// `hvexclude hive`: log replay, `--no-replay`, HKLM paths, escaping and `--json`, through ``HiveInspection``
/// in-process; one run of the binary checks `--strict`'s exit code.
@Suite struct HiveCommandTests {
    /// `hvexclude hive arguments…` in-process: the options parsed as the binary parses them, the hive read and listed
    /// by ``HiveInspection``; the listing is what the binary prints on stdout.
    static func hive(_ arguments: [String]) throws -> (outcome: HiveInspection.Outcome, stdout: String) {
        let options = try CommandLineOptions.parse(["hive"] + arguments)
        let outcome = try HiveInspection.run(
            file: options.arguments[0], keyPath: options.arguments.count > 1 ? options.arguments[1] : "",
            replay: !options.noReplay, json: options.json, recursive: options.recursive)
        return (outcome, try outcome.listing.get())
    }

    static let newDirty = Requirements.sharedFixtures + "/regf-dirty/NewDirtyHive1/NewDirtyHive"

    @Test(.requires(.sharedFixtures))
    func replaysADirtyHiveUnlessAskedNotTo() throws {
        let replayed = try Self.hive([Self.newDirty])
        #expect(replayed.stdout.contains(#"NewDirtyHive\Key3"#))
        #expect(!replayed.stdout.contains("Key1"))
        #expect(
            replayed.outcome.recovery?.contains(
                "replayed 1 log entry from NewDirtyHive.LOG1 and 3 from NewDirtyHive.LOG2") == true)

        let asIs = try Self.hive(["--no-replay", Self.newDirty])
        #expect(asIs.stdout.contains(#"NewDirtyHive\Key1"#) && asIs.stdout.contains(#"NewDirtyHive\Key2"#))
        #expect(asIs.outcome.warnings.contains { $0.contains("sequence numbers differ") })
        // The binary: those warnings make --strict exit 1.
        let strict = try CLI.run(["hive", "--no-replay", "--strict", Self.newDirty])
        #expect(strict.status == 1)
    }

    @Test(.requires(.sharedFixtures))
    func recursivePrintsEveryKeyOfADamagedHiveAsJSONLines() throws {
        let file = Requirements.sharedFixtures + "/regf-damaged/SAMBadHBinHeader"
        let result = try Self.hive([file, "--recursive"])
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 68)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        #expect(first?["path"] as? String == "" && first?["values"] is [Any])
        #expect(lines.contains { $0.hasPrefix(#"{"path":"SAM\\Domains\\Account""#) })
        let warnings = result.outcome.warnings + result.outcome.listingWarnings
        #expect(warnings.filter { $0.contains("hbin at 0x2000") }.count == 1)
        let below = try Self.hive([file, #"SAM\Domains"#, "--recursive", "--quiet"])
        #expect(below.stdout.split(separator: "\n").allSatisfy { $0.hasPrefix(#"{"path":"SAM\\Domains"#) })
    }

    static let system = CLI.testTree("ws2019-custom") + "/C/Windows/System32/config/SYSTEM"
    static let software = CLI.testTree("ws2019-custom") + "/C/Windows/System32/config/SOFTWARE"

    @Test func acceptsHKLMPathsAndCurrentControlSet() throws {
        let result = try Self.hive([Self.system, #"HKLM\SYSTEM\CurrentControlSet\Services\vmms"#])
        #expect(result.stdout.hasPrefix(#"SYSTEM\ControlSet001\Services\vmms"# + "\n"))
        #expect(result.stdout.contains(#"ImagePath    REG_EXPAND_SZ    %SystemRoot%\system32\vmms.exe"#))
        #expect(result.outcome.notes.contains { $0.contains("CurrentControlSet is ControlSet001") })
        let long = try Self.hive([
            Self.software, #"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion"#,
        ])
        #expect(long.stdout.contains("ProductName    REG_SZ    Windows Server 2019 Datacenter"))
    }

    @Test func jsonFormIsTypedAndExact() throws {
        let result = try Self.hive(["--json", Self.system, #"HKLM\SYSTEM\CurrentControlSet\Services\vmms"#])
        let json = try JSONValue.parse(result.stdout)
        #expect(json["path"]?.stringValue == (#"ControlSet001\Services\vmms"#))
        guard case .array(let values)? = json["values"] else { Issue.record("no values"); return }
        #expect(
            values.contains {
                $0["name"]?.stringValue == ("Start") && $0["data"]?.intValue == 2
                    && $0["type"]?.stringValue == ("REG_DWORD")
            })
        #expect(
            values.contains {
                $0["name"]?.stringValue == ("ImagePath")
                    && $0["data"]?.stringValue == (#"%SystemRoot%\system32\vmms.exe"#)
            })
    }

    @Test(.requires(Requirement.makeHives))
    func escapesNewlinesTrailingSpacesAndAmbiguousBackslashes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hvx-hive-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func sz(_ text: String) -> [String: Any] {
            [
                "type": 1,
                "hex": (Array(text.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] } + [0, 0]).map {
                    String(format: "%02x", $0)
                }.joined(),
            ]
        }
        let spec: [String: [String: [String: Any]]] = [
            "Odd": [
                "newline": sz("a\nb"), "trailing ": sz("x  "), "path": sz(#"C:\new\Windows"#), "tab": sz("a\tb"),
            ]
        ]
        let specFile = folder.appendingPathComponent("spec.json")
        try JSONSerialization.data(withJSONObject: spec).write(to: specFile)
        let hive = folder.appendingPathComponent("ODD").path
        let made = try CLI.runTool(
            CLI.projectRoot.appendingPathComponent("scripts/make-hives").path,
            [
                "--spec", specFile.path, hive,
            ])
        try #require(made.status == 0, "\(made.stderr)")
        let result = try Self.hive([hive, "Odd"])
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.contains(#"    newline    REG_SZ    a\nb"#))
        #expect(lines.contains(#"    trailing\x20    REG_SZ    x\x20\x20"#))
        #expect(lines.contains(#"    path    REG_SZ    C:\\new\Windows"#))
        #expect(lines.contains(#"    tab    REG_SZ    a\tb"#))
        // JSON keeps the exact text.
        let json = try JSONValue.parse(try Self.hive(["--json", hive, "Odd"]).stdout)
        guard case .array(let values)? = json["values"] else { Issue.record("no values"); return }
        #expect(values.contains { $0["name"]?.stringValue == ("newline") && $0["data"]?.stringValue == ("a\nb") })
        #expect(values.contains { $0["name"]?.stringValue == ("trailing ") && $0["data"]?.stringValue == ("x  ") })
    }
}

/// The audit, in-process, on the generated Defender cases (`scripts/make-hives --defender-cases`).
@Suite struct DefenderCaseAuditTests {
    @Test(.requires(Requirement.makeHives))
    func passiveDefenderTextNamesTheEngineRightAfterTheDiagnosis() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hvx-cases-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let made = try CLI.runTool(
            CLI.projectRoot.appendingPathComponent("scripts/make-hives").path,
            [
                "--defender-cases", folder.path,
            ])
        try #require(made.status == 0, "\(made.stderr)")
        let tree = CLI.testTree("ws2019-custom")
        let result = try InProcess.outcome([
            "audit", tree + "/C", "--drive", "D=" + tree + "/D", "--hive-dir", folder.path + "/passive", "--format",
            "text", "--verbose", "-q",
        ])
        #expect(result.verdict == .actionNeeded, "\(result.shownWarnings)")
        // wrapped lines joined
        let lines = result.stdout.replacingOccurrences(of: "\n      ", with: "").split(separator: "\n").map(String.init)
        // The diagnosis line comes first (docs/diagnosis.md), the engine that really scans right after it.
        #expect(lines.first?.hasPrefix("Diagnosis: ") == true)
        #expect(lines.dropFirst().first == "Antivirus: Symantec Endpoint Protection scans this host")
        #expect(
            lines.contains {
                $0.contains("Microsoft Defender Antivirus: does not scan")
                    && $0.contains("ForceDefenderPassiveMode = 1")
            })
        #expect(
            lines.contains {
                $0.contains("Defender is not the active engine") && $0.contains("not what protects this host")
            })
        // Every case's JSON report follows the schema.
        for name in ["mdm", "merge", "passive", "thirdparty", "hidden"] {
            let report = try JSONValue.parse(
                try InProcess.outcome([
                    "audit", tree + "/C", "--drive", "D=" + tree + "/D", "--hive-dir", folder.path + "/" + name, "-q",
                ]).stdout)
            #expect(
                try SchemaValidator(schemaFile: CLI.projectRoot.appendingPathComponent("docs/json-schema.json").path)
                    .validate(report).map(\.description) == [], "\(name)")
        }
        let json = try JSONValue.parse(
            try InProcess.outcome([
                "audit", tree + "/C", "--drive", "D=" + tree + "/D", "--hive-dir", folder.path + "/passive", "-q",
            ]).stdout)
        #expect(json["audit"]?["defenderStatus"]?.stringValue == "passive")
        let filters = json["host"]?["antivirus"]?["minifilters"]?.arrayValue ?? []
        #expect(filters.contains { $0["service"]?.stringValue == "SRTSP" && $0["altitude"]?.stringValue == "329000" })
    }
}
