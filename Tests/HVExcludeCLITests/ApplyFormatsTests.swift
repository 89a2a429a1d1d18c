import Foundation
import Testing

@testable import HVXSession

/// The formats that take a plan to a host, on both sample hosts and every policy case (the security names among
/// them), checked by independent readers: the PowerShell script by a real PowerShell grammar (tree-sitter, through
/// `scripts/powershell-tree`), the `Registry.pol` by Samba's parser (`scripts/read-registry-pol`), the Intune
/// profile by splitting its CSP values again.
@Suite(.serialized) struct ApplyFormatsTests {
    /// Scan arguments of the two sample hosts.
    static func sampleHost(_ tree: String) -> [String] {
        var arguments = [CLI.testTree(tree) + "/C"]
        if FileManager.default.fileExists(atPath: CLI.testTree(tree) + "/D") {
            arguments += ["--drive", "D=" + CLI.testTree(tree) + "/D"]
        }
        return arguments
    }

    /// Every host: the sample hosts, then each policy case.
    static func hosts() throws -> [(name: String, arguments: [String])] {
        var hosts = GoldenOutputTests.trees.map { ($0, sampleHost($0)) }
        hosts.append(("ws2019-custom --env-paths", sampleHost("ws2019-custom") + ["--env-paths"]))
        for name in PolicyCaseTests.names { hosts.append((name, try PolicyCaseTests.arguments(name).arguments)) }
        return hosts
    }

    /// The host's report, parsed.
    static func report(_ arguments: [String]) throws -> JSONValue {
        // --accept-detections: ws2019-custom holds a detection (exit 3 otherwise); the held entry stays marked.
        let result = try InProcess.outcome(["scan"] + arguments + ["--quiet", "--accept-detections"])
        #expect(result.verdict == .success || result.verdict == .finishedWithErrors, "\(result.shownWarnings)")
        return try JSONValue.parse(result.stdout)
    }

    /// Writes `format` for the host into `file` (the bytes the binary writes to `--output`, which the session
    /// checks before the scan).
    static func write(_ arguments: [String], format: String, to file: String) throws {
        let result = try InProcess.outcome(
            ["scan"] + arguments + ["--quiet", "--accept-detections", "--format", format, "--output", file])
        #expect(result.verdict == .success || result.verdict == .finishedWithErrors, "\(result.shownWarnings)")
        try Data(result.bytes).write(to: URL(fileURLWithPath: file))
    }

    /// The values a plan's entries are written with (`%VAR%` forms with --env-paths).
    static func plannedPaths(_ report: JSONValue) -> [String] {
        (report["exclusions"]?["paths"]?.arrayValue ?? []).compactMap {
            ($0["environmentPath"] ?? $0["path"])?.stringValue
        }
    }

    /// The same, without the entries held by a malware detection (which policy formats leave out).
    static func unheldPaths(_ report: JSONValue) -> [String] {
        (report["exclusions"]?["paths"]?.arrayValue ?? []).filter { $0["hold"] == nil }.compactMap {
            ($0["environmentPath"] ?? $0["path"])?.stringValue
        }
    }

    /// The threats of the held entries, in plan order (`$null` for the others), as the script's rows carry them.
    static func threats(_ report: JSONValue) -> [String] {
        (report["exclusions"]?["paths"]?.arrayValue ?? []).map { entry in
            entry["hold"]?["threat"]?.stringValue ?? "$null"
        }
    }

    static func plannedProcesses(_ report: JSONValue) -> [String] {
        (report["exclusions"]?["processes"]?.arrayValue ?? []).compactMap { $0["path"]?.stringValue }
    }

    /// Runs a checker script (bounded: it can never hold the test run) and parses its JSON.
    static func check(_ script: String, _ files: [String], interpreter: String = "python3") throws -> JSONValue {
        let result = try CLI.runTool(
            "timeout", ["300", interpreter, CLI.projectRoot.appendingPathComponent("scripts/" + script).path] + files)
        #expect(result.status == 0, "\(script): \(result.stderr)")
        return try JSONValue.parse(result.stdout)
    }

    static func strings(_ value: JSONValue?) -> [String] { (value?.arrayValue ?? []).compactMap(\.stringValue) }

    @Test(.requires([.powerShellGrammar] + Requirement.makeHives))
    func everyScriptParsesUnderAPowerShellGrammarWithEveryPathASingleQuotedLiteral() throws {
        let folder = try TemporaryFolder()
        var scripts: [(name: String, file: String, report: JSONValue)] = []
        for (index, host) in try Self.hosts().enumerated() {
            let file = folder.path + "/\(index).ps1"
            try Self.write(host.arguments, format: "powershell", to: file)
            scripts.append((host.name, file, try Self.report(host.arguments)))
        }
        let facts = try Self.check("powershell-tree", scripts.map(\.file))
        #expect(scripts.count == GoldenOutputTests.trees.count + 1 + PolicyCaseTests.names.count)
        for script in scripts {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: script.file)))
            #expect(
                bytes.starts(with: [0xEF, 0xBB, 0xBF]),
                "\(script.name): UTF-8 BOM, or Windows PowerShell 5.1 reads the script as ANSI")
            let lineFeeds = bytes.indices.filter { bytes[$0] == 0x0A }
            #expect(
                !lineFeeds.isEmpty && lineFeeds.allSatisfy { $0 > 0 && bytes[$0 - 1] == 0x0D },
                "\(script.name): CRLF line ends only")
            let tree = try #require(facts[script.file], "\(script.name)")
            #expect(tree["errors"]?.description == "0", "\(script.name): syntax errors in the PowerShell grammar")
            #expect(
                Self.strings(tree["expandable"]) == [], "\(script.name): a double-quoted string expands $ and backticks"
            )
            let literals = Set(Self.strings(tree["verbatim"]))
            for path in Self.plannedPaths(script.report) + Self.plannedProcesses(script.report) {
                #expect(literals.contains(path), "\(script.name): \(path) is not a single-quoted literal of the script")
            }
            // The plan's rows, read from the syntax tree: exactly the planned paths, in order, none held.
            let rows = (tree["hashtables"]?.arrayValue ?? []).filter { $0["Type"]?.stringValue == "Path" }
            #expect(rows.compactMap { $0["Value"]?.stringValue } == Self.plannedPaths(script.report), "\(script.name)")
            #expect(
                rows.map { $0["Threat"]?.stringValue ?? "?" } == Self.threats(script.report),
                "\(script.name): held entries carry their threat")
            Self.checkStructure(tree, report: script.report, name: script.name)
        }
    }

    /// -WhatIf, -Undo, -RemoveFindings, the validation and every precondition, found in the syntax tree.
    static func checkStructure(_ tree: JSONValue, report: JSONValue, name: String) {
        let binding = tree["cmdletBinding"]
        #expect(
            binding?["SupportsShouldProcess"]?.stringValue == "$true",
            "\(name): SupportsShouldProcess gives -WhatIf and -Confirm")
        #expect(binding?["ConfirmImpact"]?.stringValue == "'High'", "\(name)")
        let parameters = (tree["parameters"]?.arrayValue ?? []).map {
            ($0["name"]?.stringValue ?? "", $0["type"]?.stringValue ?? "")
        }
        for name in ["Undo", "RemoveFindings", "AcceptDetections"] {
            #expect(parameters.contains { $0 == (name, "switch") }, "\(name) is a switch of the script")
        }
        let clauses = tree["ifs"]?.arrayValue ?? []
        func condition(_ clause: JSONValue, _ kind: String) -> [String] { strings(clause["condition"]?[kind]) }
        func commands(_ clause: JSONValue) -> [(name: String, parameters: [String], literals: [String])] {
            (clause["bodyCommands"]?.arrayValue ?? []).map {
                ($0["name"]?.stringValue ?? "", strings($0["parameters"]), strings($0["literals"]))
            }
        }
        // -WhatIf/-Confirm: every change sits behind $PSCmdlet.ShouldProcess.
        let guarded = clauses.filter { condition($0, "members").contains("ShouldProcess") }
        #expect(
            guarded.contains { commands($0).contains { $0.name == "Invoke-HvxPreference" && $0.literals == ["Add"] } },
            "\(name): add behind ShouldProcess")
        #expect(
            guarded.contains {
                commands($0).contains { $0.name == "Invoke-HvxPreference" && $0.literals == ["Remove"] }
            }, "\(name): undo behind ShouldProcess")
        // -Undo: reads the record and removes only what it lists.
        let undo = clauses.first { condition($0, "variables") == ["$Undo"] }
        #expect(
            undo.map { strings($0["body"]?["commands"]).contains("Import-Csv") } == true,
            "\(name): -Undo reads the record")
        #expect(
            undo.map { strings($0["body"]?["variables"]).contains("$PlanId") } == true,
            "\(name): -Undo filters by the plan's identity")
        // -RemoveFindings: one Remove-MpPreference per local finding, each its own literal.
        let removal = clauses.first { condition($0, "variables") == ["$RemoveFindings"] }
        #expect(removal != nil, "\(name): -RemoveFindings block")
        let removed = (removal.map(commands) ?? []).filter { $0.name == "Remove-MpPreference" }.flatMap(\.literals)
        let removedBehindShouldProcess = guarded.flatMap(commands).filter { $0.name == "Remove-MpPreference" }.flatMap(
            \.literals)
        let findings = (report["audit"]?["configured"]?.arrayValue ?? []).filter {
            $0["origin"]?.stringValue == "preference"
                && !Set(strings($0["findings"])).isDisjoint(with: ["stale", "typo", "overBroad", "invalid"])
        }.compactMap { $0["value"]?.stringValue }
        #expect(removed == findings, "\(name): the audit's findings as Remove-MpPreference lines")
        #expect(removedBehindShouldProcess == findings, "\(name): each removal behind ShouldProcess")
        // Validation: MpCmdRun -CheckExclusion -path.
        let validation = (tree["commands"]?.arrayValue ?? []).filter {
            strings($0["parameters"]).contains("-CheckExclusion")
        }
        #expect(
            validation.count == 1 && validation.allSatisfy { strings($0["parameters"]).contains("-path") },
            "\(name): validation")
        // Preconditions: each an if whose branch stops the run.
        let stops = clauses.filter { commands($0).contains { $0.name == "Stop-HvxRun" } }
        #expect(stops.contains { condition($0, "members").contains("IsInRole") }, "\(name): elevation")
        #expect(
            stops.contains {
                condition($0, "commands").contains("Get-Command")
                    && condition($0, "literals").contains("Get-MpPreference")
            }, "\(name): Defender installed")
        #expect(
            stops.contains {
                condition($0, "members").contains("AMServiceEnabled") && condition($0, "variables").contains("$mode")
            }, "\(name): Defender active, not passive")
        #expect(
            stops.contains {
                condition($0, "variables").contains("$merge") && condition($0, "variables").contains("$mdmMerge")
            }, "\(name): local exclusions merged")
        #expect(stops.contains { condition($0, "variables") == ["$tamperExclusions"] }, "\(name): tamper protection")
        let reads = (tree["commands"]?.arrayValue ?? []).filter { $0["name"]?.stringValue == "Get-HvxPolicyValue" }
            .flatMap { strings($0["literals"]) }
        #expect(
            reads.contains("DisableLocalAdminMerge") && reads.contains("TPExclusions"),
            "\(name): the values the preconditions read")
    }

    @Test(.requires(.sambaPolicyParser))
    func registryPolReadsBackThroughSambaToExactlyThePlan() throws {
        let folder = try TemporaryFolder()
        var files: [(tree: String, file: String, report: JSONValue)] = []
        for tree in GoldenOutputTests.trees {
            let file = folder.path + "/\(tree).pol"
            try Self.write(Self.sampleHost(tree), format: "pol", to: file)
            files.append((tree, file, try Self.report(Self.sampleHost(tree))))
        }
        let read = try Self.check("read-registry-pol", files.map(\.file), interpreter: "/usr/bin/python3")
        let key = "Software\\Policies\\Microsoft\\Windows Defender\\Exclusions"
        for file in files {
            let pol = try #require(read[file.file])
            #expect(pol["signature"]?.stringValue == "PReg" && pol["version"]?.description == "1")
            let entries = (pol["entries"]?.arrayValue ?? []).map {
                (
                    key: $0["key"]?.stringValue ?? "", value: $0["value"]?.stringValue ?? "",
                    type: $0["type"]?.description ?? "", data: $0["data"]?.description ?? ""
                )
            }
            let paths = Self.plannedPaths(file.report)
            let processes = Self.plannedProcesses(file.report)
            #expect(!paths.isEmpty && !processes.isEmpty, "\(file.tree): the sample host plans paths and processes")
            // A held entry (ws2019-custom's D:\Db01.vhdx, a Defender detection) is left out of a policy.
            let unheld = Self.unheldPaths(file.report)
            #expect(entries.filter { $0.key == key + "\\Paths" }.map(\.value) == unheld, "\(file.tree)")
            #expect(entries.filter { $0.key == key + "\\Processes" }.map(\.value) == processes, "\(file.tree)")
            #expect(entries.filter { $0.key.hasPrefix(key + "\\") }.allSatisfy { $0.type == "1" && $0.data == "0" })
            let switches = entries.filter { $0.key == key }
            #expect(
                switches.map(\.value) == ["Exclusions_Paths", "Exclusions_Processes"]
                    && switches.allSatisfy { $0.type == "4" && $0.data == "1" })
            #expect(
                entries.count == switches.count + unheld.count + processes.count,
                "\(file.tree): nothing else in the file")
        }
    }

    @Test(arguments: GoldenOutputTests.trees)
    func intuneProfileSplitsBackIntoThePlan(tree: String) throws {
        let arguments = Self.sampleHost(tree) + ["--extensions"]
        let result = try InProcess.outcome(["scan"] + arguments + ["--quiet", "--format", "intune"])
        #expect(result.verdict == (tree == "ws2019-custom" ? .actionNeeded : .success), "\(result.shownWarnings)")
        let profile = try JSONValue.parse(result.stdout)
        let report = try Self.report(arguments)
        #expect(profile["@odata.type"]?.stringValue == "#microsoft.graph.windows10CustomConfiguration")
        var values: [String: [String]] = [:]
        for setting in profile["omaSettings"]?.arrayValue ?? [] {
            #expect(setting["@odata.type"]?.stringValue == "#microsoft.graph.omaSettingString")
            let uri = try #require(setting["omaUri"]?.stringValue)
            let value = try #require(setting["value"]?.stringValue)
            values[uri] = value.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        }
        let prefix = "./Device/Vendor/MSFT/Policy/Config/Defender/"
        #expect(values[prefix + "ExcludedPaths"] == Self.unheldPaths(report), "held entries are left out")
        #expect(values[prefix + "ExcludedProcesses"] == Self.plannedProcesses(report))
        let extensions = (report["exclusions"]?["extensions"]?.arrayValue ?? []).compactMap {
            $0["extension"]?.stringValue
        }
        #expect(!extensions.isEmpty)
        #expect(
            values[prefix + "ExcludedExtensions"] == extensions.map { $0.hasPrefix(".") ? String($0.dropFirst()) : $0 })
        #expect(values.count == 3)
    }

    @Test func vendorNeedsTheListFormatAndAKnownName() throws {
        let wrongFormat = try CLI.run([
            "scan", CLI.testTree("ws2012r2-default") + "/C", "--format", "csv", "--vendor", "eset",
        ])
        #expect(wrongFormat.status == 64 && wrongFormat.stderr.contains("--vendor writes the list format"))
        let typo = try CLI.run([
            "scan", CLI.testTree("ws2012r2-default") + "/C", "--format", "list", "--vendor", "sophoss",
        ])
        #expect(typo.status == 64 && typo.stderr.contains("did you mean 'sophos'"))
    }
}
