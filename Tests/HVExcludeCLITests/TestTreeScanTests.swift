import Foundation
import Testing

@testable import HVXSession

/// Scans the bundled sample hosts in-process (``InProcess``; the golden files run the binary) and checks what `TestTrees/README.md`
/// says the scanner must report, and that the JSON validates against `docs/json-schema.json`.
@Suite struct TestTreeScanTests {
    static func scan(_ tree: String, _ extra: [String] = []) throws -> (result: ScanOutcome, json: JSONValue) {
        var arguments = ["scan", CLI.testTree(tree) + "/C", "--quiet"]
        if FileManager.default.fileExists(atPath: CLI.testTree(tree) + "/D") {
            arguments += ["--drive", "D=" + CLI.testTree(tree) + "/D"]
        }
        let result = try InProcess.outcome(arguments + extra)
        return (result, try JSONValue.parse(result.stdout))
    }

    /// The drive roots a scan of `tree` maps.
    static func roots(_ tree: String) -> [String: String] {
        var roots = ["C:": CLI.testTree(tree) + "/C"]
        if FileManager.default.fileExists(atPath: CLI.testTree(tree) + "/D") { roots["D:"] = CLI.testTree(tree) + "/D" }
        return roots
    }

    static func validate(_ json: JSONValue) throws -> [SchemaValidator.Violation] {
        try SchemaValidator(schemaFile: CLI.projectRoot.appendingPathComponent("docs/json-schema.json").path).validate(
            json)
    }

    static func vm(_ json: JSONValue, named name: String) -> JSONValue? {
        json["virtualMachines"]?.arrayValue.first { $0["name"]?.stringValue == name }
    }

    static func exclusionPaths(_ json: JSONValue) -> [String: JSONValue] {
        Dictionary(
            uniqueKeysWithValues: (json["exclusions"]?["paths"]?.arrayValue ?? []).map {
                ($0["path"]!.stringValue!, $0)
            })
    }

    @Test func ws2019CustomInventoryAndPlan() throws {
        let (result, json) = try Self.scan("ws2019-custom")
        // Action needed: a Defender detection holds the planned entry D:\Db01.vhdx (DiagnosisScanTests).
        #expect(result.verdict == .actionNeeded, "\(result.shownWarnings)")
        #expect(try Self.validate(json).map(\.description) == [])

        // Registered VMs, the missing one, the unregistered one; the decoy XML is no VM.
        let app = try #require(Self.vm(json, named: "App01"))
        #expect(app["registered"]?.boolValue == true)
        #expect(app["generation"]?.intValue == 2)
        let chain = try #require(app["disks"]?.arrayValue.first?["chain"]?.arrayValue)
        #expect(chain.map { $0["status"]?.stringValue } == ["start", "verified", "verified"])
        #expect(chain.last?["path"]?.stringValue == #"D:\Golden\ws2019-base.vhdx"#)
        let gone = try #require(
            json["virtualMachines"]?.arrayValue.first {
                $0["id"]?.stringValue == "60E01000-1111-4222-8333-444455556666"
            })
        #expect(gone["registered"]?.boolValue == true && gone["exists"]?.boolValue == false)
        let old = try #require(Self.vm(json, named: "Old01"))
        #expect(old["registered"]?.boolValue == false)
        let names = json["virtualMachines"]!.arrayValue.compactMap { $0["configurationFile"]?.stringValue }
        #expect(
            !names.contains { $0.lowercased().hasSuffix("notes.xml") || $0.lowercased().hasSuffix("app.config.xml") })
        #expect(!names.contains { $0.contains("DE1E7ED0") }, "a deleted registration came back from a stale key table")

        // The plan: the golden image sits beside other files → the file; Db01's disk in D:\ → the file, never D:\.
        let paths = Self.exclusionPaths(json)
        #expect(paths[#"D:\Golden\ws2019-base.vhdx"#]?["kind"]?.stringValue == "file")
        #expect(paths[#"D:\Golden"#] == nil)
        #expect(paths[#"D:\Db01.vhdx"#]?["kind"]?.stringValue == "file")
        #expect(paths[#"D:\"#] == nil && paths[#"C:\"#] == nil)
        // App01's folder holds the decoy notes.xml: not excluded whole; its Hyper-V folders and files instead.
        #expect(paths[#"D:\VMs\App01"#] == nil)
        #expect(paths[#"D:\VMs\App01\Snapshots"#]?["basis"]?.stringValue == "hyperVFolder")
        #expect(paths[#"D:\VMs\App01\Virtual Hard Disks"#]?["kind"]?.stringValue == "directory")
        #expect(
            paths[#"D:\VMs\App01\Virtual Machines\A0100000-1111-4222-8333-444455556666.vmcx"#]?["kind"]?.stringValue
                == "file")
        let refused = json["exclusions"]!["refused"]!.arrayValue
        #expect(
            refused.contains {
                $0["path"]?.stringValue == #"D:\VMs\App01"#
                    && $0["reason"]?.stringValue?.contains("notes.xml is not a Hyper-V file") == true
            })
        // Gone01's configuration is missing on a scanned drive: reported, never planned.
        #expect(!paths.keys.contains { $0.hasPrefix(#"D:\VMs\Gone01"#) })
        #expect(paths[#"D:\Hyper-V"#] != nil, "DefaultExternalDataRoot")
        #expect(!paths.keys.contains { $0.hasPrefix(#"D:\Old"#) }, "unregistered VMs are reported, not excluded")
        #expect(!paths.keys.contains { $0.contains("Downloads") })
        let unreferenced = json["unreferenced"]!.arrayValue.compactMap { $0["path"]?.stringValue }
        #expect(unreferenced.contains(#"D:\Old\Virtual Hard Disks\old.vhdx"#))
        #expect(unreferenced.contains { $0.hasSuffix("ubuntu-22.04-live-server-amd64.iso") })
        #expect(json["exclusions"]!["extensions"]!.arrayValue.isEmpty, "no extension exclusions by default")
        let extensions = try Self.scan("ws2019-custom", ["--extensions"]).json["exclusions"]!["extensions"]!.arrayValue
            .compactMap { $0["extension"]?.stringValue }
        #expect(extensions.contains("vhdpmem") && extensions.contains("vmcx") && !extensions.contains("xml"))
        #expect(PlanCheck.violations(result.stdout, roots: Self.roots("ws2019-custom")) == [])
        let processes = json["exclusions"]!["processes"]!.arrayValue.compactMap { $0["path"]?.stringValue }
        #expect(processes.contains(#"C:\Windows\System32\vmcompute.exe"#))

        // Defender as Server 2016+ installs it: WinDefend and the WdFilter minifilter, so its state is known.
        let state = try #require(json["host"]?["defender"]?["state"])
        #expect(state["status"]?.stringValue == "active")
        #expect(
            state["winDefend"]?["present"]?.boolValue == true
                && state["winDefend"]?["startType"]?.stringValue == "automatic")
        #expect(state["wdFilter"]?["startType"]?.stringValue == "boot")
        let filters = json["host"]?["antivirus"]?["minifilters"]?.arrayValue ?? []
        #expect(filters.map { $0["service"]?.stringValue } == ["WdFilter"])
        #expect(
            filters.first?["altitude"]?.stringValue == "328010" && filters.first?["antivirusGroup"]?.boolValue == true)
        #expect(json["host"]?["antivirus"]?["summary"]?.stringValue == "Microsoft Defender Antivirus scans this host")
    }

    @Test func ws2012r2DefaultInventoryAndPlan() throws {
        let (result, json) = try Self.scan("ws2012r2-default")
        #expect(result.verdict == .success, "\(result.shownWarnings)")
        #expect(try Self.validate(json).map(\.description) == [])
        #expect(json["host"]?["windows"]?["generation"]?.stringValue == "2012 R2")
        let web = try #require(Self.vm(json, named: "Web01"))
        #expect(web["registered"]?.boolValue == true)
        let sql = try #require(Self.vm(json, named: "Sql01"))
        #expect(
            sql["disks"]?.arrayValue.first?["chain"]?.arrayValue.map { $0["status"]?.stringValue } == [
                "start", "verified",
            ])
        let checkpoint = try #require(
            json["virtualMachines"]?.arrayValue.first { $0["checkpointOf"]?.stringValue != nil })
        #expect(checkpoint["checkpointOf"]?.stringValue == web["id"]?.stringValue)
        #expect(json["exclusions"]!["extensions"]!.arrayValue.isEmpty)
        let extensions = try Self.scan("ws2012r2-default", ["--extensions"]).json["exclusions"]!["extensions"]!
            .arrayValue.compactMap { $0["extension"]?.stringValue }
        #expect(Set(extensions) == ["vhd", "vhdx", "avhd", "avhdx", "vsv"])
        #expect(PlanCheck.violations(result.stdout, roots: Self.roots("ws2012r2-default")) == [])
        let processes = json["exclusions"]!["processes"]!.arrayValue.compactMap { $0["path"]?.stringValue }
        #expect(
            processes.sorted() == [#"C:\Windows\System32\vmms.exe"#, #"C:\Windows\System32\vmwp.exe"#],
            "no vmsp/vmcompute binary on this host")
        let paths = Self.exclusionPaths(json)
        #expect(paths[#"C:\ProgramData\Microsoft\Windows\Hyper-V"#] != nil)
        #expect(paths[#"C:\Users\Public\Documents\Hyper-V\Virtual Hard Disks"#]?["kind"]?.stringValue == "directory")
        // As on a real 2012 R2 host: no WinDefend service, no Defender keys.
        #expect(json["host"]?["defender"]?["state"]?["status"]?.stringValue == "notInstalled")
        #expect(json["host"]?["antivirus"]?["minifilters"]?.arrayValue.isEmpty == true)
    }

    @Test func unmappedDriveGivesUnverifiedEntriesWithWarnings() throws {
        // The same host without its D: drive: every VM on D: is still planned, unverified, with a warning.
        let result = try InProcess.outcome(["scan", CLI.testTree("ws2019-custom") + "/C", "--quiet"])
        let json = try JSONValue.parse(result.stdout)
        let paths = Self.exclusionPaths(json)
        let app = try #require(
            paths[#"D:\VMs\App01\Virtual Machines"#] ?? paths[#"D:\VMs"#]
                ?? paths.first { $0.key.hasPrefix(#"D:\VMs\App01"#) }?.value)
        #expect(app["verified"]?.boolValue == false)
        let warnings = json["scan"]!["warnings"]!.arrayValue.compactMap { $0["message"]?.stringValue }
        #expect(warnings.contains { $0.contains("which was not given") })
    }

    @Test func jobsDoNotChangeTheResult() throws {
        func normalised(_ jobs: String) throws -> String {
            var text = try Self.scan("ws2019-custom", ["--jobs", jobs]).result.stdout
            for key in ["durationSeconds", "startedAt"] {
                text = text.split(separator: "\n").filter { !$0.contains("\"\(key)\"") }.joined(separator: "\n")
            }
            return text
        }
        #expect(try normalised("1") == normalised("8"))
    }
}

@Suite struct SchemaValidatorTests {
    @Test func rejectsWhatTheSchemaForbids() throws {
        let validator = try SchemaValidator(
            schemaFile: CLI.projectRoot.appendingPathComponent("docs/json-schema.json").path)
        let broken = try JSONValue.parse(#"{"schemaVersion": 1, "tool": {"name": "hvexclude"}, "surprise": true}"#)
        let messages = validator.validate(broken).map(\.description)
        #expect(messages.contains { $0.contains("missing required \"scan\"") })
        #expect(messages.contains { $0.contains("unexpected key \"surprise\"") })
        #expect(messages.contains { $0.contains("is not 2") })
        #expect(messages.contains { $0.contains("$.tool: missing required \"version\"") })
    }

    @Test func guidValuesMustBeUpperCase() throws {
        let validator = try SchemaValidator(
            schemaFile: CLI.projectRoot.appendingPathComponent("docs/json-schema.json").path)
        let report = try JSONValue.parse(
            try InProcess.outcome(["scan", CLI.testTree("ws2012r2-default/C"), "--quiet"]).stdout)
        #expect(validator.validate(report).isEmpty)
        // The same report with one disk id in lower case is refused.
        let text = try InProcess.outcome(["scan", CLI.testTree("ws2012r2-default/C"), "--quiet"]).stdout
            .replacingOccurrences(
                of: "\"id\" : \"1D5A7C3E-9B2F-4D60-8E14-A3C5E7092B41\"",
                with: "\"id\" : \"1d5a7c3e-9b2f-4d60-8e14-a3c5e7092b41\"")
        let messages = validator.validate(try JSONValue.parse(text)).map(\.description)
        #expect(
            messages.contains { $0.contains("\"1d5a7c3e-9b2f-4d60-8e14-a3c5e7092b41\" does not match") }, "\(messages)")
    }
}
