import Foundation
import Testing

@testable import HVXSession

/// The policy-v2 sample hosts `scripts/make-policy-cases` builds (one per finding of issue 13), scanned with the
/// built binary: each report validates against the schema, keeps the plan properties (``PlanCheck``), and shows
/// the behaviour its case is about.
@Suite(.serialized) struct PolicyCaseTests {
    /// The cases, built once into a temporary folder.
    static let cases: Result<String, Error> = Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hvx-policy-cases-\(getpid())").path
        try? FileManager.default.removeItem(atPath: folder)
        // Built once per process and shared by the tests: removed when the test process exits, so a run leaves
        // nothing in /tmp.
        ExitCleanup.remove(folder)
        let made = try CLI.runTool(
            "python3", [CLI.projectRoot.appendingPathComponent("scripts/make-policy-cases").path, folder])
        guard made.status == 0 else { throw CaseError(message: made.stderr) }
        return folder
    }

    struct CaseError: Error { var message: String }

    /// Scans one case: its report text, parsed JSON, and the roots it mapped.
    static func scan(
        _ name: String, _ extra: [String] = []
    ) throws -> (stdout: String, json: JSONValue, roots: [String: String]) {
        let (arguments, roots) = try arguments(name)
        let result = try InProcess.outcome(["scan"] + arguments + ["--quiet"] + extra)
        #expect(result.verdict == .success || result.verdict == .finishedWithErrors, "\(result.shownWarnings)")
        return (result.stdout, try JSONValue.parse(result.stdout), roots)
    }

    /// One case's scan arguments (ROOT first, every path absolute) and the roots they map.
    static func arguments(_ name: String) throws -> (arguments: [String], roots: [String: String]) {
        let folder = try cases.get() + "/" + name
        let spec = try JSONValue.parse(String(contentsOfFile: folder + "/args.json", encoding: .utf8))
        let (arguments, roots) = LifecycleTests.resolve(spec["args"]!.arrayValue.compactMap(\.stringValue), in: folder)
        return (arguments, roots)
    }

    static func paths(_ json: JSONValue) -> [String: JSONValue] {
        Dictionary(
            uniqueKeysWithValues: (json["exclusions"]?["paths"]?.arrayValue ?? []).map {
                ($0["path"]!.stringValue!, $0)
            })
    }

    static func refused(_ json: JSONValue, _ path: String) -> String? {
        json["exclusions"]?["refused"]?.arrayValue.first { $0["path"]?.stringValue == path }?["reason"]?.stringValue
    }

    static let names = [
        "vm-in-documents", "share-data-root", "temp-disk", "win11-client", "replica-primary", "replica-server",
        "csv-cluster",
        "smb-vms", "vhd-set", "no-system32", "foreign-in-disk-folder", "legacy-defaults", "literal-percent",
        "witness-folder",
        "win11-programdata", "security-names",
    ]

    @Test(.requires(Requirement.makeHives), arguments: names)
    func everyCaseKeepsThePlanPropertiesAndTheSchema(name: String) throws {
        let (stdout, json, roots) = try Self.scan(name)
        #expect(PlanCheck.violations(stdout, roots: roots) == [], "\(name)")
        let schema = try SchemaValidator(
            schemaFile: CLI.projectRoot.appendingPathComponent("docs/json-schema.json").path)
        #expect(schema.validate(json).map(\.description) == [], "\(name)")
        #expect(json["exclusions"]!["extensions"]!.arrayValue.isEmpty, "no extension exclusions by default")
    }

    @Test(.requires(Requirement.makeHives))
    func aVMInDocumentsNeverExcludesDocuments() throws {
        let (_, json, _) = try Self.scan("vm-in-documents")
        let paths = Self.paths(json)
        #expect(paths[#"C:\Users\alice\Documents"#] == nil)
        #expect(paths[#"C:\Users\alice\Documents\Virtual Machines"#]?["basis"]?.stringValue == "hyperVFolder")
        #expect(paths[#"C:\Users\alice\Documents\Virtual Hard Disks"#] != nil)
        #expect(Self.refused(json, #"C:\Users\alice\Documents"#)?.contains("known folder Documents") == true)
    }

    @Test(.requires(Requirement.makeHives))
    func thePropertyCheckCatchesATamperedPlan() throws {
        let (stdout, _, roots) = try Self.scan("vm-in-documents")
        let tampered = stdout.replacingOccurrences(
            of: #""C:\\Users\\alice\\Documents\\Virtual Machines""#, with: #""C:\\Users\\alice\\Documents""#)
        #expect(tampered != stdout)
        let violations = PlanCheck.violations(tampered, roots: roots)
        #expect(violations.contains { $0.hasPrefix(#"noHidingPlace: C:\Users\alice\Documents: a protected place"#) })
        #expect(violations.contains { $0.contains(#"taxes.xlsx, which is not a Hyper-V file"#) })
    }

    @Test(.requires(Requirement.makeHives))
    func aShareAsDataRootIsRefused() throws {
        let (_, json, _) = try Self.scan("share-data-root")
        #expect(json["host"]?["shares"]?.arrayValue.first?["path"]?.stringValue == #"D:\Shares"#)
        let paths = Self.paths(json)
        #expect(paths[#"D:\Shares"#] == nil)
        #expect(paths[#"D:\Shares\Virtual Machines"#] != nil && paths[#"D:\Shares\Virtual Hard Disks"#] != nil)
        #expect(Self.refused(json, #"D:\Shares"#)?.contains("SMB share 'Shares'") == true)
    }

    @Test(.requires(Requirement.makeHives))
    func aDiskAloneInTempIsAFile() throws {
        let (_, json, _) = try Self.scan("temp-disk")
        let paths = Self.paths(json)
        #expect(paths[#"C:\Temp\scratch.vhdx"#]?["kind"]?.stringValue == "file")
        #expect(paths[#"C:\Temp"#] == nil)
        #expect(Self.refused(json, #"C:\Temp"#)?.contains("temporary folder") == true)
        #expect(paths[#"D:\VMs\Scratch"#]?["basis"]?.stringValue == "hyperVFolder")
    }

    @Test(.requires(Requirement.makeHives))
    func aWindows11ClientIsNamedAsSuch() throws {
        let (_, json, _) = try Self.scan("win11-client")
        #expect(json["host"]?["windows"]?["release"]?.stringValue == "Windows 11")
        #expect(json["exclusions"]?["extensionPolicy"]?.stringValue?.contains("Windows 11") == true)
        let extensions = try Self.scan("win11-client", ["--extensions"]).json["exclusions"]!["extensions"]!.arrayValue
        #expect(extensions.count == 12)
        #expect(extensions.allSatisfy { $0["reason"]?.stringValue?.contains("Windows 11") == true })
        #expect(
            json["audit"]?["automaticExclusionsApply"]?.boolValue == false, "Windows 10/11 get no automatic exclusions")
        #expect(
            Self.paths(json)[#"C:\Users\Public\Documents\Hyper-V\Virtual hard disks"#]?["basis"]?.stringValue
                == "hyperVFolder")
    }

    @Test(.requires(Requirement.makeHives))
    func replicaLogsBesideAPrimaryVMsDisks() throws {
        let (_, json, _) = try Self.scan("replica-primary")
        let paths = Self.paths(json)
        #expect(paths[#"D:\Data\web-data_3B2C4D5E-6F70-4B8C-9DAE-1F203B4C5D6E.hrl"#]?["kind"]?.stringValue == "file")
        #expect(paths[#"D:\Data\web-data.vhdx"#] != nil)
        #expect(
            paths[#"D:\VMs\Web"#] != nil,
            "the .hrl beside the other disk is inside the VM's folder, which holds only Hyper-V files")
        let artifacts = json["artifacts"]!.arrayValue.filter { $0["kind"]?.stringValue == "replicaLog" }
        #expect(artifacts.count == 2)
    }

    @Test(.requires(Requirement.makeHives))
    func aReplicaServersStorageIsPlannedAndArrivingDisksAreNotUnreferenced() throws {
        let (_, json, _) = try Self.scan("replica-server")
        let storage = try #require(Self.paths(json)[#"D:\Replica"#])
        #expect(storage["basis"]?.stringValue == "microsoftFolder")
        #expect(storage["verified"]?.boolValue == false, "inferred from the 'Hyper-V Replica' folder")
        let unreferenced = json["unreferenced"]!.arrayValue.compactMap { $0["path"]?.stringValue }
        #expect(
            !unreferenced.contains { $0.hasSuffix("app.vhdx") }, "a replica disk still arriving is not 'unreferenced'")
        let confirmed = try Self.scan("replica-server", ["--replica-storage", #"D:\Replica"#]).json
        #expect(Self.paths(confirmed)[#"D:\Replica"#]?["verified"]?.boolValue == true)
    }

    @Test(.requires(Requirement.makeHives))
    func aCSVClusterNodeWithADiskWitness() throws {
        let (_, json, _) = try Self.scan("csv-cluster")
        let paths = Self.paths(json)
        #expect(paths[#"C:\ClusterStorage"#]?["basis"]?.stringValue == "microsoftFolder")
        #expect(paths[#"C:\Windows\Cluster"#]?["basis"]?.stringValue == "microsoftFolder")
        let witness = try #require(paths[#"Q:\Cluster"#])
        #expect(witness["verified"]?.boolValue == false)
        #expect(
            witness["evidence"]?.arrayValue.contains { $0["detail"]?.stringValue?.contains("DosDevices\\Q:") == true }
                == true)
        let processes = json["exclusions"]!["processes"]!.arrayValue.compactMap { $0["path"]?.stringValue }
        #expect(
            processes.contains(#"C:\Windows\Cluster\clussvc.exe"#) && processes.contains(#"C:\Windows\Cluster\rhs.exe"#)
        )
    }

    @Test(.requires(Requirement.makeHives))
    func vmsOnAShareGoToTheFileServer() throws {
        let (_, json, _) = try Self.scan("smb-vms")
        #expect(!Self.paths(json).keys.contains { $0.hasPrefix(#"\\"#) })
        let server = try #require(json["fileServers"]?.arrayValue.first)
        #expect(server["server"]?.stringValue == "fs01")
        let share = try #require(server["shares"]?.arrayValue.first)
        #expect(share["name"]?.stringValue == "vms")
        #expect(share["paths"]?.arrayValue.first?["relativePath"]?.stringValue == "Web")
        let text = try InProcess.outcome(
            ["scan"] + [try Self.cases.get() + "/smb-vms/C", "--format", "text", "--quiet"]
        )
        .stdout
        #expect(text.contains("On the file server fs01"))
        let script = try InProcess.outcome([
            "scan", try Self.cases.get() + "/smb-vms/C", "--format", "powershell", "--quiet",
        ]).stdout
        #expect(script.contains("function Add-HvxFileServerExclusions1 {"))
        #expect(script.contains("(Get-SmbShare -Name 'vms').Path"))
        #expect(!script.contains(#"-ExclusionPath '\\fs01"#), "no UNC exclusion on the host")
        let list = try InProcess.outcome(
            ["scan"] + [try Self.cases.get() + "/smb-vms/C", "--format", "list", "--quiet"]
        )
        .stdout
        let listed = list.split(separator: "\n").map(String.init)
        #expect(listed.contains { $0.hasPrefix(#"fileserver-path:\\fs01\vms\Web"#) })
        #expect(!listed.contains { $0.hasPrefix(#"path:\\"#) }, "no UNC entry for the host")
        let regBytes = Data(
            try InProcess.outcome(["scan"] + [try Self.cases.get() + "/smb-vms/C", "--format", "reg", "--quiet"]).bytes)
        let reg = try #require(
            String(data: regBytes.dropFirst(2), encoding: .utf16LittleEndian), "a .reg file is UTF-16LE after its BOM")
        #expect(reg.contains("; Not in this file: the SMB file server fs01 holds VM files"))
        #expect(reg.contains(#"; on fs01: \\fs01\vms\Web"#))
        #expect(!reg.contains(#""\\\\fs01"#), "no UNC value for the host")
    }

    @Test(.requires(Requirement.makeHives))
    func aVHDSetsDataFileBelongsToItsVM() throws {
        let (_, json, _) = try Self.scan("vhd-set")
        let member = #"D:\Shared\quorum_5D4E6F70-8192-4DAE-BFC0-31425D6E7F80.avhdx"#
        let entry = try #require(Self.paths(json)[member])
        #expect(entry["verified"]?.boolValue == false)
        #expect(
            entry["evidence"]?.arrayValue.contains { $0["detail"]?.stringValue?.hasPrefix("inferred") == true } == true)
        #expect(!json["unreferenced"]!.arrayValue.contains { $0["path"]?.stringValue == member })
        let artifact = json["artifacts"]!.arrayValue.first { $0["path"]?.stringValue == member }
        #expect(artifact?["vms"]?.arrayValue.compactMap(\.stringValue) == ["C000000A-1111-4222-8333-444455556666"])
        // The .vhds file's layout is not published: it is not read, so it is no "unreadable disk" error.
        #expect(!json["scan"]!["warnings"]!.arrayValue.contains { $0["severity"]?.stringValue == "error" })
    }

    @Test(.requires(Requirement.makeHives))
    func aCopyWithoutSystem32StillNamesTheProcesses() throws {
        let (_, json, _) = try Self.scan("no-system32")
        let processes = json["exclusions"]!["processes"]!.arrayValue
        #expect(
            processes.compactMap { $0["path"]?.stringValue } == [
                #"C:\Windows\system32\vmms.exe"#, #"C:\Windows\system32\vmwp.exe"#, #"C:\Windows\system32\vmsp.exe"#,
                #"C:\Windows\system32\vmcompute.exe"#,
            ])
        #expect(processes.allSatisfy { $0["verified"]?.boolValue == false })
        let warnings = json["scan"]!["warnings"]!.arrayValue.compactMap { $0["message"]?.stringValue }
        #expect(warnings.filter { $0.contains("is not in the scanned copy") }.count == 4)
    }

    // MARK: Policy v3

    @Test(.requires(Requirement.makeHives))
    func aForeignFileInADiskFolderGivesTypedPatternsAndChangeTrackingIsPlanned() throws {
        let (_, json, _) = try Self.scan("foreign-in-disk-folder")
        let paths = Self.paths(json)
        let disks = #"D:\VMs\App\Virtual Hard Disks"#
        #expect(paths[disks] == nil)
        #expect(Self.refused(json, disks)?.contains("desktop.ini is not a Hyper-V file") == true)
        let checkpoint = try #require(paths[disks + #"\app_*.avhdx"#])
        #expect(checkpoint["form"]?.stringValue == "pattern" && checkpoint["lifecycle"]?.stringValue == "checkpoint")
        #expect(checkpoint["kind"]?.stringValue == "file")
        // .rct/.mrt found beside D:\Data\data.vhdx are planned now, and what the next backup writes too.
        #expect(paths[#"D:\Data\data.vhdx.rct"#]?["lifecycle"]?.stringValue == "changeTracking")
        #expect(paths[#"D:\Data\data_*.avhdx.mrt"#]?["form"]?.stringValue == "pattern")
        #expect(paths[#"D:\Data"#] == nil, "report.docx stays scanned")
        // A paging folder holding a .slp is a Hyper-V folder.
        #expect(paths[#"D:\Paging\App"#]?["basis"]?.stringValue == "hyperVFolder")
        let snapshots = try #require(paths[#"D:\VMs\App\Snapshots"#])
        #expect(snapshots["verified"]?.boolValue == false && snapshots["lifecycle"]?.stringValue == "snapshotFolder")
        // Every entry says its form; patterns only where a folder is refused.
        #expect(paths.values.allSatisfy { $0["form"]?.stringValue != nil })
    }

    @Test(.requires(Requirement.makeHives))
    func aLegacyHostsDataRootWithItsDiskFolderBelowIsExcludedWhole() throws {
        let (_, json, _) = try Self.scan("legacy-defaults")
        let paths = Self.paths(json)
        #expect(paths[#"D:\VMs"#]?["basis"]?.stringValue == "hyperVFolder")
        #expect(paths.keys.sorted() == [#"C:\ProgramData\Microsoft\Windows\Hyper-V"#, #"D:\VMs"#])
        #expect(json["exclusions"]?["refused"]?.arrayValue.isEmpty == true)
    }

    @Test(.requires(Requirement.makeHives))
    func aVMFolderCalledPercentPathIsRegisteredAndPlanned() throws {
        let (_, json, _) = try Self.scan("literal-percent")
        let vm = try #require(json["virtualMachines"]?.arrayValue.first { $0["name"]?.stringValue == "Pct" })
        #expect(vm["registered"]?.boolValue == true && vm["exists"]?.boolValue == true)
        #expect(
            vm["configurationFile"]?.stringValue
                == #"D:\VMs\%PATH%\Virtual Machines\C000000E-1111-4222-8333-444455556666.vmcx"#)
        #expect(Self.paths(json)[#"D:\VMs\%PATH%"#]?["basis"]?.stringValue == "hyperVFolder")
        let warnings = json["scan"]!["warnings"]!.arrayValue
        #expect(
            warnings.contains {
                $0["path"]?.stringValue == #"D:\VMs\%PATH%"#
                    && $0["message"]?.stringValue?.contains("Defender expands") == true
            })
        #expect(!warnings.contains { $0["message"]?.stringValue?.contains("not an absolute Windows path") == true })
    }

    @Test(.requires(Requirement.makeHives))
    func aWitnessDisksClusterFolderIsFoundByTheDatabaseCopyItHolds() throws {
        let (_, json, _) = try Self.scan("witness-folder")
        let witness = try #require(Self.paths(json)[#"Q:\Cluster"#])
        #expect(witness["basis"]?.stringValue == "microsoftFolder" && witness["verified"]?.boolValue == false)
        let evidence = witness["evidence"]?.arrayValue ?? []
        #expect(
            evidence.contains {
                $0["source"]?.stringValue == #"Q:\Cluster\0.hive"#
                    && $0["detail"]?.stringValue?.contains("ClusSvc") == true
            })
        #expect(Self.paths(json)[#"C:\Windows\Cluster"#] != nil)
    }

    @Test(.requires(Requirement.makeHives))
    func aWindows11DefaultDiskFolderInProgramDataIsAHyperVFolder() throws {
        let (_, json, _) = try Self.scan("win11-programdata")
        let folder = #"C:\ProgramData\Microsoft\Windows\Virtual Hard Disks"#
        #expect(Self.paths(json)[folder]?["basis"]?.stringValue == "hyperVFolder")
        #expect(Self.refused(json, folder) == nil)
    }
}
