// Reference: Microsoft Learn, "Microsoft Defender Antivirus exclusions on Windows Server" (automatic
// server-role exclusions, Hyper-V section); "Configure and validate exclusions based on file extension and
// folder location" (wildcards, environment variables); KB 3105657 (recommended Hyper-V exclusions).
import HVXBinary
import HVXFormats
import HVXInventory
import HVXVolume

/// Compares an ``ExclusionPlan`` with the Defender exclusions the host already has (SOFTWARE hive: local
/// preferences, Group Policy and MDM `Policy Manager` lists): each planned entry is missing, present, covered, or
/// unknown (hidden exclusions make it unknowable offline), and each configured entry is checked for staleness,
/// over-breadth and known typos. Local preferences under `DisableLocalAdminMerge` = 1 are listed as `notApplied`
/// and not counted; when Defender is passive, disabled or absent, ``DefenderAudit/engineNote`` says its exclusions
/// are not what protects the host (docs/antivirus-altitudes.md).
package enum DefenderAuditor {
    /// Defender's automatic Hyper-V file-type exclusions (Windows Server 2016 and later).
    package static let automaticExtensions = [
        "*.vhd", "*.vhdx", "*.avhd", "*.avhdx", "*.vsv", "*.iso", "*.rct", "*.vmcx", "*.vmrs",
    ]
    /// Defender's automatic Hyper-V folder exclusions.
    package static let automaticFolders = [
        "%ProgramData%\\Microsoft\\Windows\\Hyper-V", "%ProgramFiles%\\Hyper-V",
        "%SystemDrive%\\ProgramData\\Microsoft\\Windows\\Hyper-V\\Snapshots",
        "%Public%\\Documents\\Hyper-V\\Virtual Hard Disks",
    ]
    /// Defender's automatic Hyper-V process exclusions.
    package static let automaticProcesses = ["%SystemRoot%\\System32\\Vmms.exe", "%SystemRoot%\\System32\\Vmwp.exe"]
    /// Extensions too common to exclude host-wide (Hyper-V's files of these types are covered by path).
    package static let broadExtensions: Set<String> = ["xml", "bin", "iso"]
    /// Folder names whose doubling in a path is always a typing error.
    package static let wellKnownFolderNames: Set<String> = Set(
        [
            "ProgramData", "Microsoft", "Windows", "Hyper-V", "Virtual Machines", "Virtual Hard Disks", "Snapshots",
            "Users",
            "Public", "Documents", "Program Files", "System32", "ClusterStorage",
        ].map { NTFSName.fold($0) })
    /// The remark on every entry covered only by an automatic exclusion.
    package static let automaticNote =
        "covered by Defender's automatic Hyper-V exclusion, which applies to real-time protection only: quick, full and custom scans still read it; add it explicitly if scheduled scans must skip it"

    /// Audits `plan` against the configured exclusions in `facts` (call only when a SOFTWARE hive was read).
    /// - Parameters:
    ///   - plan: the exclusions the host needs.
    ///   - facts: the host's registry facts (Defender preferences and policies, Windows release, services).
    ///   - map: the scanned volumes, to tell whether a configured path still exists.
    ///   - environment: the host's `%VAR%` values, to expand configured entries.
    /// - Returns: the status of each planned entry and the findings on each configured entry.
    package static func audit(
        plan: ExclusionPlan, facts: HostFacts, map: some VolumeQueries, environment: WindowsEnvironment
    ) -> DefenderAudit {
        let automatic = automaticExclusions(facts)
        var rules: [AuditRule] = []
        var ignored: [AuditRule] = []
        let sources: [(HostFacts.ExclusionSet?, DefenderAudit.Origin)] = [
            (facts.defender.preferences, .preference), (facts.defender.policies, .policy), (facts.defender.mdm, .mdm),
        ]
        for (set, origin) in sources {
            guard let set else { continue }
            var these = set.paths.map {
                AuditRule(type: .path, value: $0.value, origin: origin, environment: environment)
            }
            these += set.extensions.map {
                AuditRule(type: .extension, value: $0.value, origin: origin, environment: environment)
            }
            these += set.processes.map {
                AuditRule(type: .process, value: $0.value, origin: origin, environment: environment)
            }
            // DisableLocalAdminMerge = 1: Defender applies only policy-defined items; local ones are not counted.
            if origin == .preference && facts.defender.localPreferencesIgnored {
                ignored += these
            } else {
                rules += these
            }
        }
        let blindSpots = DefenderAuditor.blindSpots(facts)
        let automaticRules = automatic.apply ? automaticRules(environment) : []

        var planned: [DefenderAudit.PlannedEntry] = []
        for entry in plan.paths {
            let path = WindowsPath(entry.path) ?? environment.path(entry.path)
            planned.append(
                judge(
                    type: .path, value: entry.path,
                    target: path.map { .path(DefenderPathPattern(path: $0), isFile: entry.kind == .file) },
                    rules: rules, automatic: automaticRules))
        }
        for entry in plan.extensions {
            let ext = DefenderPathPattern.normaliseExtension(entry.extension)
            planned.append(
                judge(type: .extension, value: ext, target: .extension(ext), rules: rules, automatic: automaticRules))
        }
        for entry in plan.processes {
            let path = WindowsPath(entry.path) ?? environment.path(entry.path)
            planned.append(
                judge(
                    type: .process, value: entry.path, target: path.map { .process($0) }, rules: rules,
                    automatic: automaticRules))
        }

        if !blindSpots.isEmpty {
            for index in planned.indices where planned[index].status == .missing {
                planned[index].status = .unknown
                planned[index].note = "cannot be known offline: " + blindSpots.joined(separator: "; ")
            }
        }
        var configured = rules.map { findings(for: $0, map: map, environment: environment) }
        var ignoredSources: [String]?
        if !ignored.isEmpty, let merge = facts.defender.disableLocalAdminMerge {
            let why =
                "DisableLocalAdminMerge = 1 (\(merge.source.hive) \(merge.source.key)): Defender applies only policy-defined exclusions, so this local preference does not apply; it is not counted"
            ignoredSources = ["local preferences (\(HostFacts.defenderKey)): \(why)"]
            configured += ignored.map { rule in
                DefenderAudit.ConfiguredEntry(
                    type: rule.type, value: rule.value, origin: rule.origin, findings: ["notApplied"], messages: [why])
            }
        }
        var audit = DefenderAudit(
            automaticExclusionsApply: automatic.apply, automaticExclusionsReason: automatic.reason, planned: planned,
            configured: configured, missingCount: planned.count { $0.status == .missing })
        audit.blindSpots = blindSpots.isEmpty ? nil : blindSpots
        audit.ignoredSources = ignoredSources
        if let state = facts.defender.state {
            audit.defenderStatus = state.status
            audit.engineNote = engineNote(state, facts.antivirus)
        }
        return audit
    }

    /// Why part of Defender's configuration cannot be seen in an offline copy, one sentence per cause.
    package static func blindSpots(_ facts: HostFacts) -> [String] {
        var spots: [String] = []
        if let hide = facts.defender.hideExclusionsFromLocalAdmins, hide.value == 1 {
            spots.append(
                "HideExclusionsFromLocalAdmins = 1 (\(hide.source.hive) \(hide.source.key)) hides exclusions from local "
                    + "administrators and the registry editor, so the exclusions read here may be incomplete")
        }
        return spots
    }

    /// The sentence that says Defender's exclusions do not protect the host, when Defender is not the active engine.
    package static func engineNote(_ state: HostFacts.DefenderState, _ antivirus: HostFacts.Antivirus?) -> String? {
        let others = (antivirus?.engines ?? []).filter { $0.name != "Microsoft Defender Antivirus" && $0.scans == true }
            .map(\.name)
        let elsewhere =
            others.isEmpty
            ? "no other antivirus filter was found in SYSTEM"
            : "the engine that scans is " + others.joined(separator: " and ")
                + ": configure these exclusions there (--format list)"
        switch state.status {
        case .active, .unknown:
            return nil
        case .passive:
            return
                "Defender is in passive mode (\(state.reason)): its exclusions are not what protects this host from real-time scanning; \(elsewhere)"
        case .disabled:
            return
                "Defender is disabled (\(state.reason)): its exclusions are not what protects this host; \(elsewhere)"
        case .notInstalled:
            return
                "Defender is not installed (\(state.reason)): its exclusions are not what protects this host; \(elsewhere)"
        }
    }

    /// Whether Defender's automatic Hyper-V exclusions apply on this host, and why (or why not).
    ///
    /// They exist on Windows Server 2016 and later with the Hyper-V role, unless `DisableAutoExclusions` is 1
    /// (the Group Policy value wins over the local preference when both are set).
    package static func automaticExclusions(_ facts: HostFacts) -> (apply: Bool, reason: String) {
        guard let windows = facts.windows else {
            return (
                false,
                "the Windows release is unknown (no CurrentVersion key in SOFTWARE), so Defender's automatic Hyper-V exclusions are not counted"
            )
        }
        let product = describe(windows)
        if windows.isServer == false {
            return (
                false,
                "\(product) is a client Windows: Defender's automatic server-role exclusions exist only on Windows Server 2016 and later"
            )
        }
        guard let generation = windows.generation, generation >= .v2016 else {
            return (
                false,
                "\(product) is older than Windows Server 2016: Defender adds no automatic Hyper-V exclusions there"
            )
        }
        if let vmms = facts.services.first(where: { RegistryName.equal($0.name, "vmms") }), vmms.present == false {
            return (
                false,
                "the Hyper-V service vmms is not installed (\(vmms.source.hive) \(vmms.source.key)): Defender adds its Hyper-V exclusions only with the role"
            )
        }
        if let disable = facts.defender.policies?.disableAutoExclusions
            ?? facts.defender.preferences?.disableAutoExclusions
        {
            if disable.value == 1 {
                return (
                    false,
                    "DisableAutoExclusions = 1 in \(disable.source.hive) \(disable.source.key): the automatic exclusions are switched off"
                )
            }
        }
        return (
            true,
            "\(product) is Windows Server 2016 or later with the Hyper-V role: Defender excludes the role's files automatically, for real-time protection only"
        )
    }

    /// "Windows Server 2019 Datacenter (build 17763)".
    package static func describe(_ windows: HostFacts.Windows) -> String {
        let name = windows.productName?.value ?? "Windows"
        return windows.build.map { "\(name) (build \($0))" } ?? name
    }

    /// The automatic list as rules.
    package static func automaticRules(_ environment: WindowsEnvironment) -> [AuditRule] {
        automaticFolders.map { AuditRule(type: .path, value: $0, origin: .automatic, environment: environment) }
            + automaticExtensions.map {
                AuditRule(type: .extension, value: $0, origin: .automatic, environment: environment)
            }
            + automaticProcesses.map {
                AuditRule(type: .process, value: $0, origin: .automatic, environment: environment)
            }
    }

    /// The best match for one planned entry: present over covered; a configured entry over an automatic one; of
    /// several covering folders, the deepest.
    package static func judge(
        type: DefenderAudit.EntryType, value: String, target: AuditTarget?, rules: [AuditRule], automatic: [AuditRule]
    ) -> DefenderAudit.PlannedEntry {
        var entry = DefenderAudit.PlannedEntry(
            type: type, value: value, status: .missing, matchedBy: nil, matchedOrigin: nil, note: nil)
        guard let target else {
            entry.note = "not an absolute Windows path: it cannot be compared with the configured exclusions"
            return entry
        }
        var best: (rank: Int, depth: Int, rule: AuditRule, note: String?)?
        for (rule, isAutomatic) in rules.map({ ($0, false) }) + automatic.map({ ($0, true) }) {
            guard let hit = rule.match(target) else { continue }
            let rank = isAutomatic ? 2 : (hit.status == .present ? 0 : 1)
            let depth = rule.pattern?.path.components.count ?? 0
            if let current = best, (current.rank, -current.depth) <= (rank, -depth) { continue }
            best = (rank, depth, rule, hit.note)
        }
        guard let best else { return entry }
        entry.status = best.rank == 0 ? .present : .covered
        entry.matchedBy = best.rule.value
        entry.matchedOrigin = best.rule.origin
        if best.rule.origin == .automatic {
            entry.note = [automaticNote, best.note].compactMap { $0 }.joined(separator: "; ")
        } else {
            entry.note = best.note
        }
        return entry
    }

    // MARK: Findings on configured entries

    /// The findings on one configured entry.
    package static func findings(
        for rule: AuditRule, map: some VolumeQueries, environment: WindowsEnvironment
    ) -> DefenderAudit.ConfiguredEntry {
        var entry = DefenderAudit.ConfiguredEntry(
            type: rule.type, value: rule.value, origin: rule.origin, findings: [], messages: [])
        switch rule.type {
        case .extension:
            extensionFindings(rule, &entry)
        case .path, .process:
            guard let pattern = rule.pattern else {
                if rule.type == .path {
                    if rule.hasWildcard {
                        entry.add(
                            "overBroad",
                            "\(rule.value) uses wildcards without an absolute folder: it may match files anywhere on the host; list the exact folders instead"
                        )
                    }
                    entry.messages.append(
                        "\(rule.value) is not an absolute Windows path, or uses a variable this scan cannot expand: it was not checked"
                    )
                }
                return entry
            }
            patternFindings(rule, pattern, map: map, environment: environment, &entry)
        }
        return entry
    }

    /// An excluded extension: every file name, or one Hyper-V's files need only on their folders.
    static func extensionFindings(_ rule: AuditRule, _ entry: inout DefenderAudit.ConfiguredEntry) {
        let ext = rule.name ?? ""
        if ext.isEmpty || ext.allSatisfy({ $0 == "*" }) {
            entry.add("overBroad", "\(rule.value) matches every file name: Defender would scan nothing; remove it")
        } else if broadExtensions.contains(ext) {
            entry.add(
                "overBroad",
                "the extension .\(ext) is excluded on every path: any .\(ext) file anywhere on the host goes unscanned, though Hyper-V's .\(ext) files need only their folders excluded; remove it and rely on the path exclusions"
            )
        }
    }

    /// A path or process exclusion with an absolute pattern: too many wildcards, over-broad, stale, or a typo.
    static func patternFindings(
        _ rule: AuditRule, _ pattern: DefenderPathPattern, map: some VolumeQueries, environment: WindowsEnvironment,
        _ entry: inout DefenderAudit.ConfiguredEntry
    ) {
        let noun = rule.type == .path ? "exclusion" : "process exclusion"
        let literal = pattern.literalPrefix
        if !pattern.isWithinWildcardLimit {
            entry.add(
                "invalid",
                "\(rule.value) holds \(pattern.wildcardCount) wildcards: Defender accepts at most \(DefenderPathPattern.maximumWildcards) in one entry, so it may not apply at all; list the exact \(rule.type == .path ? "folders and files" : "binaries") instead"
            )
        }
        if rule.type == .process && pattern.hasWildcard {
            entry.add(
                "overBroad",
                "\(rule.value) uses wildcards: every binary whose path matches is trusted, and what it opens goes unscanned; list the exact binaries instead"
            )
        } else if rule.type == .path, let why = wildcardBreadth(pattern) {
            entry.add(
                "overBroad",
                "\(rule.value) \(why); list the exact folders, or typed file-name patterns such as D:\\Disks\\Db01_*.avhdx, instead"
            )
        }
        if rule.type == .path && !pattern.hasWildcard,
            let why = overBroadReason(pattern.path, environment: environment)
        {
            entry.add(
                "overBroad",
                "\(pattern.path) is \(why): Defender would skip every file below it, where malware can then hide; exclude only the Hyper-V folders and files it holds (see the planned paths)"
            )
        }
        let resolution = map.resolve(literal)
        switch resolution {
        case .found:
            break
        case .missing(let reason):
            let what = pattern.hasWildcard ? "\(literal), the fixed part of \(rule.value)," : "\(pattern.path)"
            entry.add(
                "stale",
                "\(what) does not exist on the scanned volume (\(reason)): the \(noun) protects nothing; remove it, or correct it if the \(rule.type == .path ? "folder" : "binary") moved"
            )
        case .unmapped:
            entry.messages.append(
                "\(literal.rootDescription) was not scanned, so whether \(pattern.path) exists cannot be checked (map the drive with --drive to check it)"
            )
        }
        if rule.type == .path, let typo = typo(pattern.path, map: map, found: resolution.hostPath != nil) {
            entry.add("typo", typo)
        }
    }

    /// Why a configured wildcard path is broader than the plan's own pattern rule allows, or nil when it keeps
    /// it (docs/exclusion-policy.md, "Patterns"): a wildcard only in the last part, ending in a fixed Hyper-V type.
    package static func wildcardBreadth(_ pattern: DefenderPathPattern) -> String? {
        guard pattern.hasWildcard else { return nil }
        if pattern.hasFolderWildcard {
            return
                "has a wildcard in a folder part: Defender lets it stand for any folder there and then excludes every subfolder, so folders made later (by anyone) are excluded too"
        }
        let name = pattern.path.lastComponent ?? ""
        guard let ext = DefenderPathPattern.fileExtension(name), !DefenderPathPattern.isWildcard(ext),
            HyperVFileType.extensions.contains(ext)
        else {
            return
                "is a file-name pattern that does not end in a fixed Hyper-V file type: it matches files of any kind in \(pattern.folder)"
        }
        return nil
    }

    /// Why a folder is too broad to exclude whole, or nil.
    package static func overBroadReason(_ path: WindowsPath, environment: WindowsEnvironment) -> String? {
        if path.isRoot { return "a whole volume" }
        if path.components.count == 2, NTFSName.fold(path.components[0]) == "USERS" { return "a user profile" }
        if MinimalCover.isForbidden(path, forbidden: MinimalCover.forbiddenFolders(environment)) {
            return "a whole system folder"
        }
        // On a host whose SOFTWARE hive names other locations, the defaults are still worth catching.
        if MinimalCover.isForbidden(path, forbidden: MinimalCover.forbiddenFolders(.defaults)) {
            return "a whole system folder"
        }
        return nil
    }

    /// A sentence when `path` looks like a known mis-typing, else nil.
    /// - Parameter found: whether the path exists on a scanned volume (an existing folder is not a pattern typo).
    package static func typo(_ path: WindowsPath, map: some VolumeQueries, found: Bool) -> String? {
        let parts = path.components
        let folded = parts.map { NTFSName.fold($0) }
        // A folder name typed twice in a row: "C:\ProgramData\ProgramData\Microsoft\…".
        for index in folded.indices.dropLast() where folded[index] == folded[index + 1] {
            var fixed = parts
            fixed.remove(at: index + 1)
            let corrected = WindowsPath(root: path.root, components: fixed)
            let known = wellKnownFolderNames.contains(folded[index])
            // Another name may legitimately repeat (D:\VMs\VMs): only a missing path with an existing fix counts.
            if known || (!found && map.resolve(corrected).hostPath != nil) {
                return
                    "\(path) repeats \"\(parts[index])\": very likely a typing error for \(corrected); correct the entry"
            }
        }
        guard !found else { return nil }
        // "…\ProgramData\Microsoft\Windows\Snapshots": the Hyper-V folder is left out of the snapshot path.
        for index in folded.indices where index + 3 < folded.count {
            if folded[index] == "PROGRAMDATA", folded[index + 1] == "MICROSOFT", folded[index + 2] == "WINDOWS",
                folded[index + 3] == "SNAPSHOTS"
            {
                var fixed = parts
                fixed.insert("Hyper-V", at: index + 3)
                let corrected = WindowsPath(root: path.root, components: fixed)
                return
                    "\(path) is a common mis-typing of Hyper-V's snapshot folder \(corrected) (\"Hyper-V\" is missing): as written it excludes nothing Hyper-V uses; correct the entry"
            }
        }
        // "…\ProgramData\Microsoft\Hyper-V": "Windows" left out of the data root.
        for index in folded.indices where index + 2 < folded.count {
            if folded[index] == "PROGRAMDATA", folded[index + 1] == "MICROSOFT", folded[index + 2] == "HYPER-V" {
                var fixed = parts
                fixed.insert("Windows", at: index + 2)
                let corrected = WindowsPath(root: path.root, components: fixed)
                return
                    "\(path) is a mis-typing of Hyper-V's data root \(corrected) (\"Windows\" is missing); correct the entry"
            }
        }
        return nil
    }
}

extension DefenderAudit.ConfiguredEntry {
    /// Records `finding` (once) and its message.
    mutating func add(_ finding: String, _ message: String) {
        if !findings.contains(finding) { findings.append(finding) }
        messages.append(message)
    }
}
