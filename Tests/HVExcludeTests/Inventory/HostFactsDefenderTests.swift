import Foundation
import Testing

@testable import HVXExclusions
@testable import HVXFormats
@testable import HVXInventory
@testable import HVXVolume

/// The Defender sources, Defender's state and the antivirus minifilters, on hives written by
/// `scripts/make-hives --defender-cases` (hivexsh) and on a real Windows 10 SYSTEM hive.
@Suite("HostFacts Defender and antivirus")
struct HostFactsDefenderTests {

    /// The cases folder, made once per test.
    static func cases() throws -> TemporaryDirectory {
        let folder = try TemporaryDirectory("defender")
        let script = Fixtures.projectRoot.appendingPathComponent("scripts/make-hives").path
        let result = try runProcess(script, ["--defender-cases", folder.path])
        guard result.status == 0 else { throw HiveTestError.script(result.stderr) }
        return folder
    }

    static func facts(_ folder: TemporaryDirectory, _ name: String) throws -> HostFacts {
        HostFacts.read(
            software: try RegistryHive(path: folder.path + "/\(name)/SOFTWARE"),
            system: try RegistryHive(path: folder.path + "/\(name)/SYSTEM"))
    }

    /// A host with the Hyper-V data root on C: and one VM folder D:\VMs, and the plan that excludes them.
    static func audit(_ facts: HostFacts) throws -> (DefenderAudit, TemporaryDirectory) {
        let tree = try TemporaryDirectory()
        try tree.write("C/ProgramData/Microsoft/Windows/Hyper-V/data.vmcx")
        try tree.write("C/Windows/System32/vmms.exe")
        try tree.write("C/Windows/System32/vmwp.exe")
        try tree.write("D/VMs/VM1/Virtual Machines/x.vmcx")
        let map = VolumeMap.drives(["C": tree.path + "/C", "D": tree.path + "/D"])
        let plan = ExclusionPlan(
            paths: [
                PathExclusion(
                    path: "C:\\ProgramData\\Microsoft\\Windows\\Hyper-V", environmentPath: nil, kind: .directory,
                    form: .folder,
                    reasons: ["data root"], evidence: [], verified: true),
                PathExclusion(
                    path: "D:\\VMs", environmentPath: nil, kind: .directory, form: .folder, reasons: ["VM folder"],
                    evidence: [], verified: true),
            ],
            extensions: [],
            processes: [ProcessExclusion(path: "C:\\Windows\\System32\\vmms.exe", reason: "VMMS")])
        let audit = DefenderAuditor.audit(plan: plan, facts: facts, map: map, environment: .defaults)
        return (audit, tree)
    }

    static func planned(_ audit: DefenderAudit, _ value: String) -> DefenderAudit.PlannedEntry? {
        audit.planned.first { $0.value == value }
    }

    @Test(
        "MDM exclusions are read from Policy Manager as |-separated lists and count in the audit",
        .requires(Requirement.makeHives))
    func mdm() throws {
        let folder = try Self.cases()
        let facts = try Self.facts(folder, "mdm")
        let mdm = try #require(facts.defender.mdm)
        #expect(mdm.paths.map(\.value) == ["C:\\ProgramData\\Microsoft\\Windows\\Hyper-V", "D:\\VMs"])
        #expect(mdm.extensions.map(\.value) == [".vhdx", ".avhdx"])
        #expect(mdm.processes.map(\.value) == ["C:\\Windows\\System32\\vmms.exe", "C:\\Windows\\System32\\vmwp.exe"])
        #expect(
            mdm.paths.first?.source
                == HostFacts.Source(
                    hive: "SOFTWARE", key: "Policies\\Microsoft\\Windows Defender\\Policy Manager",
                    value: "ExcludedPaths"))
        let (audit, _) = try Self.audit(facts)
        #expect(Self.planned(audit, "D:\\VMs")?.status == .present)
        #expect(Self.planned(audit, "D:\\VMs")?.matchedOrigin == .mdm)
        #expect(Self.planned(audit, "C:\\Windows\\System32\\vmms.exe")?.matchedOrigin == .mdm)
        #expect(audit.missingCount == 0)
        #expect(audit.defenderStatus == .active)
        #expect(audit.engineNote == nil)
    }

    @Test(
        "DisableLocalAdminMerge: local preference exclusions are listed as not applied and not counted",
        .requires(Requirement.makeHives))
    func localAdminMerge() throws {
        let folder = try Self.cases()
        let facts = try Self.facts(folder, "merge")
        #expect(facts.defender.disableLocalAdminMerge?.value == 1)
        #expect(facts.defender.preferences?.paths.map(\.value) == ["D:\\VMs"])
        let (audit, _) = try Self.audit(facts)
        // D:\VMs is configured only as a local preference: with the merge off it does not protect anything.
        #expect(Self.planned(audit, "D:\\VMs")?.status == .missing)
        #expect(Self.planned(audit, "C:\\Windows\\System32\\vmms.exe")?.status == .missing)
        #expect(Self.planned(audit, "C:\\ProgramData\\Microsoft\\Windows\\Hyper-V")?.matchedOrigin != .preference)
        let ignored = audit.configured.filter { $0.origin == .preference }
        #expect(ignored.count == 2)
        #expect(
            ignored.allSatisfy {
                $0.findings == ["notApplied"] && $0.messages[0].contains("DisableLocalAdminMerge = 1")
            })
        #expect(audit.ignoredSources?.count == 1)
        #expect(audit.missingCount == 2)
    }

    @Test(
        "passive Defender: the audit says its exclusions are not what protects the host, and names the engine",
        .requires(Requirement.makeHives))
    func passive() throws {
        let folder = try Self.cases()
        let facts = try Self.facts(folder, "passive")
        let state = try #require(facts.defender.state)
        #expect(state.status == .passive)
        #expect(state.reason.contains("ForceDefenderPassiveMode = 1"))
        #expect(state.passiveMode?.value == 1)
        let (audit, _) = try Self.audit(facts)
        #expect(audit.defenderStatus == .passive)
        let note = try #require(audit.engineNote)
        #expect(note.contains("not what protects this host"))
        #expect(note.contains("Symantec Endpoint Protection"))
        #expect(facts.antivirus?.summary == "Symantec Endpoint Protection scans this host")
    }

    @Test(
        "a third-party minifilter beside an active Defender: both scan; names, images, altitudes and both key layouts",
        .requires(Requirement.makeHives))
    func thirdParty() throws {
        let folder = try Self.cases()
        let facts = try Self.facts(folder, "thirdparty")
        let antivirus = try #require(facts.antivirus)
        #expect(antivirus.minifilters.map(\.service) == ["AcmeScan", "SRTSP", "WdFilter"])
        let symantec = try #require(antivirus.minifilters.first { $0.service == "SRTSP" })
        #expect(symantec.altitude == "329000")
        #expect(symantec.vendor == "Symantec")
        #expect(symantec.imagePath == "System32\\Drivers\\SEP\\0F010000\\SRTSP64.SYS")
        #expect(symantec.source.key == "ControlSet001\\Services\\SRTSP\\Parameters\\Instances\\SRTSP Instance")
        let acme = try #require(antivirus.minifilters.first { $0.service == "AcmeScan" })
        #expect(acme.altitude == "325123.5" && acme.antivirusGroup && acme.product == nil)
        #expect(!antivirus.minifilters.contains { $0.service == "NotAScanner" })
        #expect(
            antivirus.summary
                == "Microsoft Defender Antivirus, unknown product (filter AcmeScan) and Symantec Endpoint Protection scan this host"
        )
        #expect(facts.defender.state?.status == .active)
    }

    @Test(
        "hidden exclusions: what the registry does not show is unknown, never missing",
        .requires(Requirement.makeHives))
    func hidden() throws {
        let folder = try Self.cases()
        let facts = try Self.facts(folder, "hidden")
        #expect(facts.defender.hideExclusionsFromLocalAdmins?.value == 1)
        let (audit, _) = try Self.audit(facts)
        #expect(Self.planned(audit, "D:\\VMs")?.status == .present)
        let vmms = try #require(Self.planned(audit, "C:\\Windows\\System32\\vmms.exe"))
        #expect(vmms.status == .unknown)
        #expect(vmms.note?.hasPrefix("cannot be known offline") == true)
        #expect(audit.missingCount == 0)
        #expect(audit.blindSpots?.first?.contains("HideExclusionsFromLocalAdmins = 1") == true)
    }

    @Test(
        "the real Windows 10 SYSTEM hive: WdFilter at 328010, Defender installed and enabled",
        .requires(Requirement.gzipFixture))
    func realSystem() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path + "/SYSTEM"
        let data = try runProcess(
            "sh", ["-c", "gzip -dc '\(Fixtures.path("regf/real/SYSTEM-win10-19041.gz"))' > '\(path)'"])
        try #require(data.status == 0, "\(data.stderr)")
        let facts = HostFacts.read(software: nil, system: try RegistryHive(path: path))
        let antivirus = try #require(facts.antivirus)
        let wd = try #require(antivirus.minifilters.first { $0.service == "WdFilter" })
        #expect(wd.altitude == "328010")
        #expect(wd.instance == "WdFilter Instance")
        #expect(wd.product == "Microsoft Defender Antivirus")
        #expect(wd.antivirusGroup)
        #expect(facts.defender.state?.winDefend?.present == true)
        #expect(facts.defender.state?.status == .active)
        #expect(antivirus.summary.hasPrefix("Microsoft Defender Antivirus scans this host"))
    }
}
