// Reference: Microsoft Learn (MicrosoftDocs/defender-docs) microsoft-defender-antivirus-compatibility.md —
// ForceDefenderPassiveMode under Policies\Microsoft\Windows Advanced Threat Protection (1 = passive); Windows
// Server 2012 R2/2016/2019 do not make Defender passive by themselves when another antivirus is installed,
// Windows 10/11 turn it off; DisableAntiSpyware is ignored by platform 4.18.2108.4 and later.
import HVXFormats

extension HostFacts {
    /// Whether Microsoft Defender Antivirus is the engine that scans this host, and the evidence.
    package struct DefenderState: Codable, Sendable, Equatable {
        /// Defender's state as far as the registry tells.
        package enum Status: String, Codable, Sendable {
            /// Installed, services not disabled, not passive: it scans files in real time.
            case active
            /// Passive mode: it scans on demand only; real-time protection is another product's.
            case passive
            /// Its service or file-system filter is disabled (`Start` = 4).
            case disabled
            /// No WinDefend service in SYSTEM.
            case notInstalled
            /// SYSTEM was not read, so its services are unknown.
            case unknown
        }

        /// The state.
        package var status: Status
        /// Why, in words, naming the values that decided it.
        package var reason: String
        /// The WinDefend service (SYSTEM), when SYSTEM was read.
        var winDefend: Service?
        /// The WdFilter minifilter service (SYSTEM), when SYSTEM was read.
        var wdFilter: Service?
        /// `Microsoft\Windows Defender` `PassiveMode`.
        var passiveMode: Fact<UInt32>?
        /// `Policies\Microsoft\Windows Advanced Threat Protection` `ForceDefenderPassiveMode`.
        var forcePassiveMode: Fact<UInt32>?
        /// `DisableAntiSpyware` (policy first, then local).
        var disableAntiSpyware: Fact<UInt32>?
        /// Whether SOFTWARE holds `Microsoft\Windows Defender` (nil when SOFTWARE was not read).
        var settingsPresent: Bool?

        /// Whether Defender's exclusions are what protects the host's files from real-time scanning.
        var isActiveEngine: Bool { status == .active }
    }

    static let defenderRootKey = "Microsoft\\Windows Defender"
    static let defenderPolicyRootKey = "Policies\\Microsoft\\Windows Defender"
    static let defenderMDMKey = "Policies\\Microsoft\\Windows Defender\\Policy Manager"
    static let advancedThreatProtectionPolicyKey = "Policies\\Microsoft\\Windows Advanced Threat Protection"

    /// Reads Defender's MDM exclusions, merge and visibility switches, and the SOFTWARE half of its state.
    mutating func readDefenderSoftware(_ hive: RegistryHive, name: String) {
        var collected: [String] = []
        defender.mdm = ExclusionSet.readMDM(hive, at: HostFacts.defenderMDMKey, into: &collected)
        warnings += collected
        // Group Policy first (it outranks MDM in Defender's precedence), then the MDM key.
        for key in [HostFacts.defenderPolicyRootKey, HostFacts.defenderMDMKey] {
            if defender.disableLocalAdminMerge == nil {
                defender.disableLocalAdminMerge = dword(hive, name, key, "DisableLocalAdminMerge")
            }
            if defender.hideExclusionsFromLocalAdmins == nil {
                defender.hideExclusionsFromLocalAdmins = dword(hive, name, key, "HideExclusionsFromLocalAdmins")
            }
        }
        var state = defender.state ?? DefenderState(status: .unknown, reason: "")
        do { state.settingsPresent = try hive.key(HostFacts.defenderRootKey) != nil } catch {
            warnings.append("\(name): could not read \(HostFacts.defenderRootKey): \(error)")
        }
        state.passiveMode = dword(hive, name, HostFacts.defenderRootKey, "PassiveMode")
        state.forcePassiveMode = dword(
            hive, name, HostFacts.advancedThreatProtectionPolicyKey, "ForceDefenderPassiveMode")
        state.disableAntiSpyware =
            dword(hive, name, HostFacts.defenderPolicyRootKey, "DisableAntiSpyware")
            ?? dword(hive, name, HostFacts.defenderRootKey, "DisableAntiSpyware")
        defender.state = state
    }

    /// Reads the WinDefend and WdFilter services (the SYSTEM half of Defender's state); `unreadable` says the
    /// Services key exists but could not be read (both are then unknown; that error is already reported).
    mutating func readDefenderServices(
        _ hive: RegistryHive, name: String, servicesPath: String, servicesKey: RegistryKey?, unreadable: Bool = false
    ) {
        var state = defender.state ?? DefenderState(status: .unknown, reason: "")
        state.winDefend = service(
            hive, name, servicesPath: servicesPath, servicesKey: servicesKey, unreadable: unreadable, "WinDefend")
        state.wdFilter = service(
            hive, name, servicesPath: servicesPath, servicesKey: servicesKey, unreadable: unreadable, "WdFilter")
        defender.state = state
    }

    /// Decides Defender's status once both hives are read.
    mutating func decideDefenderState(systemRead: Bool) {
        var state = defender.state ?? DefenderState(status: .unknown, reason: "")
        func at(_ fact: Fact<UInt32>) -> String {
            "\(fact.source.value ?? "") = \(fact.value) in \(fact.source.hive) \(fact.source.key)"
        }
        if let unread = [state.winDefend, state.wdFilter].compactMap({ $0 }).first(where: { $0.present == nil }) {
            state.status = .unknown
            state.reason =
                "\(unread.source.hive) \(unread.source.key) could not be read: whether Defender is installed and enabled is unknown"
        } else if let winDefend = state.winDefend, winDefend.present == false, state.settingsPresent == true {
            state.status = .unknown
            state.reason =
                "SOFTWARE holds Defender's settings (\(HostFacts.defenderRootKey)) but \(winDefend.source.hive) has no "
                + "\(winDefend.source.key): whether Defender is installed cannot be told from these hives"
        } else if let winDefend = state.winDefend, winDefend.present == false {
            state.status = .notInstalled
            let software = state.settingsPresent == false ? " and no Defender settings in SOFTWARE" : ""
            state.reason =
                "no WinDefend service in \(winDefend.source.hive) \(winDefend.source.key)\(software): Microsoft Defender Antivirus is not installed"
        } else if let service = [state.winDefend, state.wdFilter].compactMap({ $0 }).first(where: {
            $0.present == true && $0.start == 4
        }) {
            state.status = .disabled
            state.reason =
                "the \(service.name) service is disabled (Start = 4 in \(service.source.hive) \(service.source.key)): Defender does not scan"
        } else if let force = state.forcePassiveMode, force.value == 1 {
            state.status = .passive
            state.reason =
                "ForceDefenderPassiveMode = 1 (\(at(force))): Defender runs in passive mode and does not scan in real time"
        } else if let passive = state.passiveMode, passive.value == 1 {
            state.status = .passive
            state.reason =
                "PassiveMode = 1 (\(at(passive))): Defender runs in passive mode and does not scan in real time"
        } else if !systemRead || state.winDefend == nil {
            state.status = .unknown
            state.reason =
                "the SYSTEM hive was not read: whether Defender's services are installed and enabled is unknown"
        } else {
            state.status = .active
            state.reason =
                "WinDefend is installed and not disabled, and no passive-mode setting is present: Defender scans in real time"
        }
        if let off = state.disableAntiSpyware, off.value == 1, state.status == .active {
            state.reason +=
                "; DisableAntiSpyware = 1 (\(at(off))) turns Defender off only on platforms before 4.18.2108.4, which an offline copy cannot tell"
        }
        defender.state = state
    }

    /// A DWORD value as a fact, or nil when absent or not a number (a warning then says why).
    package mutating func dword(
        _ hive: RegistryHive, _ name: String, _ key: String, _ valueName: String
    ) -> Fact<UInt32>? {
        let value: RegistryValue?
        do { value = try hive.value(valueName, at: key) } catch {
            warnings.append("\(name): could not read \(key)\\\(valueName): \(error)")
            return nil
        }
        guard let value else { return nil }
        guard let number = value.integerValue else {
            warnings.append("\(name): \(key)\\\(valueName) has type \(value.type.name), not a number; ignored")
            return nil
        }
        return Fact(UInt32(truncatingIfNeeded: number), source: Source(hive: name, key: key, value: value.name))
    }

    /// One service under `servicesPath`: present, absent, or unknown (nil) when its key could not be read.
    package mutating func service(
        _ hive: RegistryHive, _ name: String, servicesPath: String, servicesKey: RegistryKey?, unreadable: Bool = false,
        _ serviceName: String
    ) -> Service {
        let keyPath = servicesPath + "\\" + serviceName
        var service = Service(
            name: serviceName, present: unreadable ? nil : false, start: nil, startType: nil, imagePath: nil,
            source: Source(hive: name, key: keyPath))
        guard let servicesKey else { return service }
        do {
            guard let key = try hive.subkey(serviceName, of: servicesKey) else { return service }
            service.present = true
            service.source.key = servicesPath + "\\" + key.name
            if let start = try hive.value("Start", of: key)?.integerValue {
                service.start = UInt32(truncatingIfNeeded: start)
                service.startType = Service.startName(UInt32(truncatingIfNeeded: start))
            }
            service.imagePath = try hive.value("ImagePath", of: key)?.stringValue
        } catch {
            service.present = nil
            errors.append(
                "\(name): could not read \(keyPath): \(error); whether \(serviceName) is installed is unknown")
        }
        return service
    }
}
