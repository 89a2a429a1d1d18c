import Foundation
import Testing

@testable import HVXExclusions
@testable import HVXInventory
@testable import HVXVolume

@Suite("DefenderAuditor")
struct DefenderAuditorTests {
    // MARK: Builders

    static func source(_ key: String, _ value: String? = nil) -> HostFacts.Source {
        HostFacts.Source(hive: "SOFTWARE", key: key, value: value)
    }

    static func exclusions(
        key: String, paths: [String] = [], extensions: [String] = [], processes: [String] = [], disable: UInt32? = nil
    ) -> HostFacts.ExclusionSet {
        HostFacts.ExclusionSet(
            paths: paths.map { HostFacts.Fact($0, source: source(key + "\\Paths", $0)) },
            extensions: extensions.map { HostFacts.Fact($0, source: source(key + "\\Extensions", $0)) },
            processes: processes.map { HostFacts.Fact($0, source: source(key + "\\Processes", $0)) },
            disableAutoExclusions: disable.map { HostFacts.Fact($0, source: source(key, "DisableAutoExclusions")) })
    }

    static func preferences(
        paths: [String] = [], extensions: [String] = [], processes: [String] = [], disable: UInt32? = nil
    ) -> HostFacts.ExclusionSet {
        exclusions(
            key: HostFacts.defenderKey, paths: paths, extensions: extensions, processes: processes, disable: disable)
    }

    static func policies(
        paths: [String] = [], extensions: [String] = [], processes: [String] = [], disable: UInt32? = nil
    ) -> HostFacts.ExclusionSet {
        exclusions(
            key: HostFacts.defenderPolicyKey, paths: paths, extensions: extensions, processes: processes,
            disable: disable)
    }

    /// Host facts for a release given by its build; `isServer` nil leaves it unknown.
    static func facts(
        build: Int = 17763, product: String = "Windows Server 2019 Datacenter", isServer: Bool? = true,
        preferences: HostFacts.ExclusionSet? = nil, policies: HostFacts.ExclusionSet? = nil, vmms: Bool? = true
    ) -> HostFacts {
        let windows = HostFacts.Windows(
            productName: HostFacts.Fact(product, source: source(HostFacts.currentVersionKey, "ProductName")),
            currentBuild: HostFacts.Fact(String(build), source: source(HostFacts.currentVersionKey, "CurrentBuild")),
            installationType: nil, editionID: nil, build: build, isServer: isServer,
            generation: HostFacts.WindowsGeneration.forBuild(build)?.generation, exactBuild: true)
        let services =
            vmms.map {
                [
                    HostFacts.Service(
                        name: "vmms", present: $0, start: $0 ? 2 : nil, startType: nil, imagePath: nil,
                        source: HostFacts.Source(hive: "SYSTEM", key: "ControlSet001\\Services\\vmms"))
                ]
            } ?? []
        return HostFacts(
            windows: windows, folders: HostFacts.Folders(), hyperVDefaults: HostFacts.HyperVDefaults(),
            defender: HostFacts.Defender(preferences: preferences, policies: policies), controlSet: nil,
            services: services,
            mountedDevices: [], cluster: nil, warnings: [])
    }

    static let dataRoot = "C:\\ProgramData\\Microsoft\\Windows\\Hyper-V"

    /// A plan as the planner would make it for one VM on C:.
    static let plan = ExclusionPlan(
        paths: [
            PathExclusion(
                path: dataRoot, environmentPath: nil, kind: .directory, form: .folder, reasons: ["data root"],
                evidence: [], verified: true),
            PathExclusion(
                path: "C:\\VMs\\VM1", environmentPath: nil, kind: .directory, form: .folder, reasons: ["VM folder"],
                evidence: [], verified: true),
            PathExclusion(
                path: "C:\\Shared\\base.vhdx", environmentPath: nil, kind: .file, form: .file, reasons: ["disk"],
                evidence: [], verified: true),
        ],
        extensions: ["vhd", "vhdx", "avhdx", "vhds", "vmcx"].map {
            ExtensionExclusion(extension: $0, reason: "Hyper-V")
        },
        processes: [
            ProcessExclusion(path: "C:\\Windows\\System32\\vmms.exe", reason: "VMMS"),
            ProcessExclusion(path: "C:\\Windows\\System32\\vmwp.exe", reason: "worker"),
        ])

    /// A C: volume holding the plan's paths, plus D:\Data\Data for the legitimate-repeat case.
    static func volume() throws -> (TemporaryDirectory, VolumeMap) {
        let tree = try TemporaryDirectory()
        try tree.write("C/ProgramData/Microsoft/Windows/Hyper-V/data.vmcx")
        try tree.write("C/VMs/VM1/Virtual Machines/x.vmcx")
        try tree.write("C/Shared/base.vhdx")
        try tree.write("C/Shared/notes.txt")
        try tree.write("C/Windows/System32/vmms.exe")
        try tree.write("C/Windows/System32/vmwp.exe")
        try tree.write("C/Users/bob/ntuser.dat")
        try tree.write("C/Program Files/Hyper-V/x.dll")
        try tree.write("E/Data/Data/x.vhdx")
        return (tree, VolumeMap.drives(["C": tree.path + "/C", "E": tree.path + "/E"]))
    }

    static func audit(_ facts: HostFacts, plan: ExclusionPlan = plan) throws -> DefenderAudit {
        let (tree, map) = try volume()
        defer { withExtendedLifetime(tree) {} }
        return DefenderAuditor.audit(plan: plan, facts: facts, map: map, environment: .defaults)
    }

    static func entry(_ audit: DefenderAudit, _ value: String) throws -> DefenderAudit.PlannedEntry {
        try #require(audit.planned.first { $0.value == value }, "no planned entry \(value)")
    }

    static func configured(_ audit: DefenderAudit, _ value: String) throws -> DefenderAudit.ConfiguredEntry {
        try #require(audit.configured.first { $0.value == value }, "no configured entry \(value)")
    }

    // MARK: Planned entries

    @Test("with nothing configured on 2012 R2 every planned entry is missing")
    func allMissing() throws {
        let audit = try Self.audit(Self.facts(build: 9600, product: "Windows Server 2012 R2 Datacenter"))
        #expect(audit.planned.count == 10)
        #expect(audit.planned.allSatisfy { $0.status == .missing && $0.matchedBy == nil })
        #expect(audit.missingCount == 10)
        #expect(audit.configured.isEmpty)
        #expect(!audit.automaticExclusionsApply)
        #expect(audit.automaticExclusionsReason.contains("older than Windows Server 2016"))
        // Plan order: paths, extensions, processes.
        #expect(
            audit.planned.map(\.type) == [.path, .path, .path] + Array(repeating: .extension, count: 5) + [
                .process, .process,
            ])
    }

    @Test("present after normalising case, trailing backslash, \\\\?\\ and %ProgramData%")
    func presentNormalised() throws {
        let facts = Self.facts(
            build: 9600, product: "Windows Server 2012 R2",
            preferences: Self.preferences(
                paths: [
                    "%ProgramData%\\Microsoft\\Windows\\Hyper-V", "c:\\vms\\VM1\\", "\\\\?\\C:\\SHARED\\Base.VHDX",
                ],
                extensions: [".VHDX", "*.vhd", "avhdx"], processes: ["%SystemRoot%\\System32\\VMMS.EXE"]),
            policies: Self.policies(extensions: ["vmcx"]))
        let audit = try Self.audit(facts)
        for value in [
            Self.dataRoot, "C:\\VMs\\VM1", "C:\\Shared\\base.vhdx", "vhdx", "vhd", "avhdx", "vmcx",
            "C:\\Windows\\System32\\vmms.exe",
        ] {
            let entry = try Self.entry(audit, value)
            #expect(entry.status == .present, "\(value): \(entry)")
        }
        #expect(try Self.entry(audit, "C:\\VMs\\VM1").matchedBy == "c:\\vms\\VM1\\")
        #expect(try Self.entry(audit, "C:\\VMs\\VM1").matchedOrigin == .preference)
        #expect(try Self.entry(audit, "vmcx").matchedOrigin == .policy)
        // Planned extensions are reported without their dot, however the plan spelled them.
        let dotted = try Self.audit(
            facts, plan: ExclusionPlan(extensions: [ExtensionExclusion(extension: ".VHDX", reason: "r")]))
        #expect(dotted.planned.map(\.value) == ["vhdx"] && dotted.planned[0].status == .present)
        #expect(try Self.entry(audit, "vhds").status == .missing)
        #expect(try Self.entry(audit, "C:\\Windows\\System32\\vmwp.exe").status == .missing)
        #expect(audit.missingCount == 2)
        // None of these is stale, broad or mistyped.
        #expect(audit.configured.allSatisfy { $0.findings.isEmpty }, "\(audit.configured)")
    }

    @Test("covered by an ancestor folder, by an extension, by a process name, by a wildcard")
    func coveredConfigured() throws {
        let facts = Self.facts(
            build: 9600, product: "Windows Server 2012 R2",
            preferences: Self.preferences(paths: ["C:\\VMs"], processes: ["vmwp.exe"]),
            policies: Self.policies(paths: ["C:\\ProgramData\\Microsoft\\*\\Hyper-V"], extensions: ["vhd*"]))
        let audit = try Self.audit(facts)
        let vm = try Self.entry(audit, "C:\\VMs\\VM1")
        #expect(vm.status == .covered && vm.matchedBy == "C:\\VMs" && vm.matchedOrigin == .preference)
        let root = try Self.entry(audit, Self.dataRoot)
        #expect(root.status == .covered && root.matchedOrigin == .policy)
        #expect(root.note?.contains("wildcard") == true)
        // A single disk file is covered by the extension exclusion vhd*.
        let disk = try Self.entry(audit, "C:\\Shared\\base.vhdx")
        #expect(disk.status == .covered && disk.matchedBy == "vhd*")
        #expect(try Self.entry(audit, "vhds").status == .covered)
        #expect(try Self.entry(audit, "avhdx").status == .missing)
        let worker = try Self.entry(audit, "C:\\Windows\\System32\\vmwp.exe")
        #expect(worker.status == .covered && worker.matchedBy == "vmwp.exe")
        #expect(worker.note?.contains("image name") == true)
        #expect(try Self.entry(audit, "C:\\Windows\\System32\\vmms.exe").status == .missing)
        // A folder is not covered by its own child, nor by a sibling with a common prefix.
        let narrow = try Self.audit(
            Self.facts(
                build: 9600, preferences: Self.preferences(paths: ["C:\\VMs\\VM1\\Virtual Machines", "C:\\VMs\\VM"])))
        #expect(try Self.entry(narrow, "C:\\VMs\\VM1").status == .missing)
    }

    @Test("covered by Defender's automatic exclusions on Server 2016+, with the real-time note")
    func coveredAutomatic() throws {
        for build in [14393, 17763, 20348, 26100] {
            let audit = try Self.audit(Self.facts(build: build, product: "Windows Server"))
            #expect(audit.automaticExclusionsApply, "\(build)")
            let root = try Self.entry(audit, Self.dataRoot)
            #expect(root.status == .covered && root.matchedOrigin == .automatic)
            #expect(root.matchedBy == "%ProgramData%\\Microsoft\\Windows\\Hyper-V")
            #expect(root.note?.contains("real-time protection only") == true)
            #expect(try Self.entry(audit, "vhdx").status == .covered)
            #expect(try Self.entry(audit, "vhdx").matchedBy == "*.vhdx")
            // Not in the automatic list.
            #expect(try Self.entry(audit, "vhds").status == .missing)
            #expect(try Self.entry(audit, "C:\\VMs\\VM1").status == .missing)
            #expect(
                try Self.entry(audit, "C:\\Windows\\System32\\vmms.exe").matchedBy == "%SystemRoot%\\System32\\Vmms.exe"
            )
            // A single .vhdx file anywhere is covered by the automatic *.vhdx.
            #expect(try Self.entry(audit, "C:\\Shared\\base.vhdx").matchedOrigin == .automatic)
            #expect(audit.missingCount == 2)
        }
        // Unknown server/client flag still counts as a server (the brief: isServer != false).
        #expect(try Self.audit(Self.facts(isServer: nil)).automaticExclusionsApply)
    }

    @Test("a configured entry is preferred over an automatic one")
    func configuredBeatsAutomatic() throws {
        let facts = Self.facts(
            preferences: Self.preferences(paths: [Self.dataRoot], extensions: ["vhdx"]),
            policies: Self.policies(processes: ["vmms.exe"]))
        let audit = try Self.audit(facts)
        let root = try Self.entry(audit, Self.dataRoot)
        #expect(root.status == .present && root.matchedOrigin == .preference && root.note == nil)
        #expect(try Self.entry(audit, "vhdx").matchedOrigin == .preference)
        // Covered by a configured name beats the automatic full path.
        let vmms = try Self.entry(audit, "C:\\Windows\\System32\\vmms.exe")
        #expect(vmms.status == .covered && vmms.matchedOrigin == .policy)
    }

    @Test("DisableAutoExclusions = 1 turns the automatic exclusions off", arguments: ["preference", "policy"])
    func automaticDisabled(_ place: String) throws {
        let facts =
            place == "policy"
            ? Self.facts(policies: Self.policies(disable: 1))
            : Self.facts(preferences: Self.preferences(disable: 1))
        let audit = try Self.audit(facts)
        #expect(!audit.automaticExclusionsApply)
        #expect(audit.automaticExclusionsReason.contains("DisableAutoExclusions"))
        #expect(audit.planned.allSatisfy { $0.status == .missing })
        #expect(audit.missingCount == audit.planned.count)
        // 0 leaves them on.
        #expect(try Self.audit(Self.facts(preferences: Self.preferences(disable: 0))).automaticExclusionsApply)
    }

    @Test("no automatic exclusions on 2012 R2, on a client, or without the Hyper-V service")
    func automaticNotApplicable() throws {
        let old = try Self.audit(Self.facts(build: 9600, product: "Windows Server 2012 R2 Standard"))
        #expect(!old.automaticExclusionsApply)
        #expect(try Self.entry(old, Self.dataRoot).status == .missing)
        #expect(try Self.entry(old, "vhdx").status == .missing)
        let client = try Self.audit(Self.facts(build: 19045, product: "Windows 10 Pro", isServer: false))
        #expect(!client.automaticExclusionsApply)
        #expect(client.automaticExclusionsReason.contains("client"))
        #expect(try Self.entry(client, "vhdx").status == .missing)
        let noRole = try Self.audit(Self.facts(vmms: false))
        #expect(!noRole.automaticExclusionsApply)
        #expect(noRole.automaticExclusionsReason.contains("vmms"))
    }

    // MARK: Configured entries

    @Test("stale: a configured path that resolves to nothing on a mapped drive")
    func stale() throws {
        let facts = Self.facts(
            preferences: Self.preferences(
                paths: ["C:\\OldVMs", "C:\\VMs\\*\\Old", "C:\\Gone\\*", "C:\\VMs"],
                processes: ["C:\\Tools\\gone.exe", "gone.exe"]))
        let audit = try Self.audit(facts)
        let old = try Self.configured(audit, "C:\\OldVMs")
        #expect(old.findings == ["stale"])
        #expect(old.messages.first?.contains("does not exist") == true)
        #expect(old.origin == .preference)
        // A wildcard is judged by its fixed prefix (C:\VMs exists, C:\Gone does not); wildcards are also broad.
        #expect(try Self.configured(audit, "C:\\VMs\\*\\Old").findings == ["overBroad"])
        #expect(try Self.configured(audit, "C:\\Gone\\*").findings.contains("stale"))
        #expect(try Self.configured(audit, "C:\\VMs").findings.isEmpty)
        #expect(try Self.configured(audit, "C:\\Tools\\gone.exe").findings == ["stale"])
        // A bare process name cannot be judged.
        #expect(try Self.configured(audit, "gone.exe").findings.isEmpty)
    }

    @Test("a path on an unmapped drive is not stale, only unchecked")
    func unmappedNotStale() throws {
        let audit = try Self.audit(Self.facts(policies: Self.policies(paths: ["D:\\Hyper-V\\Old", "\\\\nas\\vms\\x"])))
        for value in ["D:\\Hyper-V\\Old", "\\\\nas\\vms\\x"] {
            let entry = try Self.configured(audit, value)
            #expect(entry.findings.isEmpty, "\(value)")
            #expect(entry.messages.contains { $0.contains("cannot be checked") }, "\(value): \(entry.messages)")
            #expect(entry.origin == .policy)
        }
    }

    @Test(
        "over-broad: drive roots, system folders, profiles, global extensions, wildcards",
        arguments: [
            ("path", "C:\\"), ("path", "c:"), ("path", "C:\\Windows\\System32\\"), ("path", "%SystemRoot%"),
            ("path", "%ProgramData%"), ("path", "C:\\ProgramData\\Microsoft"), ("path", "C:\\Users"),
            ("path", "C:\\Users\\bob"),
            ("path", "C:\\Program Files"), ("path", "C:\\VMs\\*"), ("path", "C:\\VMs\\VM?"), ("extension", ".xml"),
            ("extension", "xml"), ("extension", "*.BIN"), ("extension", "iso"), ("process", "C:\\Windows\\System32\\*"),
        ])
    func overBroad(_ type: String, _ value: String) throws {
        let set: HostFacts.ExclusionSet
        switch type {
        case "path": set = Self.preferences(paths: [value])
        case "extension": set = Self.preferences(extensions: [value])
        default: set = Self.preferences(processes: [value])
        }
        let entry = try Self.configured(try Self.audit(Self.facts(preferences: set)), value)
        #expect(entry.findings.contains("overBroad"), "\(value): \(entry)")
        #expect(!entry.findings.contains("stale"), "\(value): \(entry)")
        #expect(entry.messages.count >= entry.findings.count)
    }

    @Test("not over-broad: a Hyper-V folder, a disk extension, a process path")
    func notOverBroad() throws {
        let audit = try Self.audit(
            Self.facts(
                preferences: Self.preferences(
                    paths: ["C:\\VMs", "C:\\ProgramData\\Microsoft\\Windows\\Hyper-V", "C:\\Users\\bob\\VMs"],
                    extensions: ["vhdx"],
                    processes: ["C:\\Windows\\System32\\vmms.exe"])))
        #expect(try Self.configured(audit, "C:\\VMs").findings.isEmpty)
        #expect(try Self.configured(audit, "C:\\ProgramData\\Microsoft\\Windows\\Hyper-V").findings.isEmpty)
        #expect(try Self.configured(audit, "C:\\Users\\bob\\VMs").findings == ["stale"])
        #expect(try Self.configured(audit, "vhdx").findings.isEmpty)
        #expect(try Self.configured(audit, "C:\\Windows\\System32\\vmms.exe").findings.isEmpty)
    }

    @Test("typos: a doubled ProgramData and the Snapshots folder without Hyper-V")
    func typos() throws {
        let doubled = "C:\\ProgramData\\ProgramData\\Microsoft\\Windows\\Hyper-V"
        let snapshots = "C:\\ProgramData\\Microsoft\\Windows\\Snapshots"
        let envSnapshots = "%ProgramData%\\Microsoft\\Windows\\Snapshots"
        let audit = try Self.audit(
            Self.facts(
                preferences: Self.preferences(
                    paths: [
                        doubled, snapshots, envSnapshots, "C:\\VMs\\VMs", "E:\\Data\\Data",
                        "C:\\ProgramData\\Microsoft\\Hyper-V",
                    ])))
        let first = try Self.configured(audit, doubled)
        #expect(first.findings.contains("typo"))
        #expect(
            first.messages.contains {
                $0.contains("C:\\ProgramData\\Microsoft\\Windows\\Hyper-V;")
                    || $0.contains("for C:\\ProgramData\\Microsoft\\Windows\\Hyper-V")
            })
        for value in [snapshots, envSnapshots] {
            let entry = try Self.configured(audit, value)
            #expect(entry.findings.contains("typo"), "\(value)")
            #expect(entry.findings.contains("stale"), "\(value)")
            #expect(entry.messages.contains { $0.contains("C:\\ProgramData\\Microsoft\\Windows\\Hyper-V\\Snapshots") })
        }
        // A repeated ordinary name is a typo only when it is missing and the undoubled path exists.
        #expect(try Self.configured(audit, "C:\\VMs\\VMs").findings.sorted() == ["stale", "typo"])
        #expect(try Self.configured(audit, "E:\\Data\\Data").findings.isEmpty)
        #expect(try Self.configured(audit, "C:\\ProgramData\\Microsoft\\Hyper-V").findings.contains("typo"))
    }

    @Test("every configured entry is listed, preferences first, with its origin and type")
    func configuredListing() throws {
        let audit = try Self.audit(
            Self.facts(
                preferences: Self.preferences(paths: ["C:\\VMs"], extensions: ["vhdx"], processes: ["vmms.exe"]),
                policies: Self.policies(paths: ["C:\\VMs"])))
        #expect(audit.configured.map(\.value) == ["C:\\VMs", "vhdx", "vmms.exe", "C:\\VMs"])
        #expect(audit.configured.map(\.origin) == [.preference, .preference, .preference, .policy])
        #expect(audit.configured.map(\.type) == [.path, .extension, .process, .path])
    }

    // MARK: Configured patterns (policy v3)

    /// The plan's typed patterns beside a disk at a volume root, and a VM's disk folder.
    static let patternPlan = ExclusionPlan(paths: [
        PathExclusion(
            path: #"C:\Shared\base_*.avhdx"#, environmentPath: nil, kind: .file, form: .pattern, lifecycle: .checkpoint,
            reasons: ["checkpoint disks"], evidence: [], verified: true),
        PathExclusion(
            path: #"C:\Shared\base.vhdx.rct"#, environmentPath: nil, kind: .file, form: .file,
            lifecycle: .changeTracking, reasons: ["change tracking"], evidence: [], verified: true),
        PathExclusion(
            path: #"C:\VMs\VM1\Virtual Hard Disks"#, environmentPath: nil, kind: .directory, form: .folder,
            reasons: ["disks"], evidence: [], verified: true),
        PathExclusion(
            path: #"C:\VMs\VM1\Virtual Machines"#, environmentPath: nil, kind: .directory, form: .folder,
            reasons: ["configuration"], evidence: [], verified: true),
    ])

    @Test(
        "a configured typed pattern is present for the same pattern and covers nothing else; a folder wildcard covers but is over-broad"
    )
    func configuredPatterns() throws {
        let facts = Self.facts(
            build: 9600, product: "Windows Server 2012 R2 Datacenter",
            preferences: Self.preferences(paths: [
                #"C:\Shared\BASE_*.avhdx"#, #"C:\VMs\*\Virtual Hard Disks"#, #"C:\Shared\*.txt"#,
                #"C:\Shared\???????.vhdx.rct"#,
            ]))
        let audit = try Self.audit(facts, plan: Self.patternPlan)
        #expect(try Self.entry(audit, #"C:\Shared\base_*.avhdx"#).status == .present)
        #expect(
            try Self.entry(audit, #"C:\Shared\base.vhdx.rct"#).status == .missing,
            "seven wildcards: Defender may not apply it")
        let disks = try Self.entry(audit, #"C:\VMs\VM1\Virtual Hard Disks"#)
        #expect(disks.status == .covered && disks.matchedBy == #"C:\VMs\*\Virtual Hard Disks"#)
        #expect(try Self.entry(audit, #"C:\VMs\VM1\Virtual Machines"#).status == .missing)
        // Findings: the typed pattern is fine; the folder wildcard and the untyped file pattern are over-broad.
        #expect(try Self.configured(audit, #"C:\Shared\BASE_*.avhdx"#).findings == [])
        #expect(try Self.configured(audit, #"C:\VMs\*\Virtual Hard Disks"#).findings == ["overBroad"])
        #expect(try Self.configured(audit, #"C:\Shared\*.txt"#).findings == ["overBroad"])
        #expect(try Self.configured(audit, #"C:\Shared\???????.vhdx.rct"#).findings.contains("invalid"))
    }

    @Test("a configured folder or extension covers the plan's patterns; a pattern of another disk does not")
    func patternsCoveredByBroaderEntries() throws {
        let facts = Self.facts(
            build: 9600, product: "Windows Server 2012 R2 Datacenter",
            preferences: Self.preferences(
                paths: [#"C:\Shared\other_*.avhdx"#], extensions: ["rct"]))
        var audit = try Self.audit(facts, plan: Self.patternPlan)
        #expect(try Self.entry(audit, #"C:\Shared\base_*.avhdx"#).status == .missing)
        #expect(try Self.entry(audit, #"C:\Shared\base.vhdx.rct"#).status == .covered)
        audit = try Self.audit(
            Self.facts(
                build: 9600, product: "Windows Server 2012 R2 Datacenter",
                preferences: Self.preferences(
                    paths: [#"C:\Shared"#], extensions: ["avhdx"])), plan: Self.patternPlan)
        #expect(try Self.entry(audit, #"C:\Shared\base_*.avhdx"#).status == .covered)
        #expect(try Self.entry(audit, #"C:\Shared\base_*.avhdx"#).matchedBy == #"C:\Shared"#)
    }

    // MARK: Matching primitives

    @Test(
        "wildcard matching per component, case-insensitive",
        arguments: [
            ("*.vhdx", "Disk.VHDX", true), ("vm?", "VM1", true), ("vm?", "VM10", false), ("*", "", true),
            ("a*b*c", "aXXbYYc", true), ("a*b*c", "aXXbYY", false), ("Hyper-V", "hyper-v", true), ("", "x", false),
        ])
    func glob(_ pattern: String, _ text: String, _ expected: Bool) {
        #expect(DefenderPathPattern.glob(pattern, text) == expected)
    }

    @Test("a folder pattern covers its subfolders once its components are matched")
    func patternCovers() throws {
        let pattern = try #require(DefenderPathPattern("C:\\Serv\\*\\*\\Backup", environment: .defaults))
        #expect(pattern.covers(try #require(WindowsPath("C:\\serv\\Primary\\Denied\\Backup\\x\\y.vhdx"))))
        #expect(!pattern.covers(try #require(WindowsPath("C:\\Serv\\Primary\\Backup"))))
        #expect(pattern.literalPrefix == WindowsPath("C:\\Serv"))
        #expect(DefenderPathPattern.normaliseExtension(" *.VHDX ") == "vhdx")
        #expect(DefenderPathPattern.normaliseExtension(".Vhd") == "vhd")
    }
}
