import HVXBinary
import HVXFormats
import HVXVolume

/// What the host's registry says, for the JSON report's `host` object; every fact names its hive and key.
///
/// Read from SOFTWARE (Windows release, ProfileList folders, Hyper-V default paths, Defender exclusions) and
/// SYSTEM (current control set, Hyper-V and cluster services, MountedDevices), optionally CLUSDB. Missing hives
/// or keys leave facts nil; corrupt structures become warnings — reading never throws.
package struct HostFacts: Codable, Sendable, Equatable {
    /// The Windows release (SOFTWARE).
    package var windows: Windows?
    /// Well-known folders (SOFTWARE): `ProgramData`, `Public` from ProfileList, `SystemRoot`, `ProgramFilesDir`.
    package var folders: Folders
    /// Hyper-V's defaults for new VMs and disks (SOFTWARE `…\CurrentVersion\Virtualization`).
    package var hyperVDefaults: HyperVDefaults
    /// Configured Defender exclusions (SOFTWARE).
    package var defender: Defender
    /// The control set `Select\Current` points at ("ControlSet001") (SYSTEM).
    package var controlSet: Fact<String>?
    /// vmms, vmcompute and ClusSvc, present or not (SYSTEM).
    package var services: [Service]
    /// `MountedDevices` values (SYSTEM).
    package var mountedDevices: [MountedDevice]
    /// Cluster database facts, when a CLUSDB hive was given.
    package var cluster: Cluster?
    /// SMB shares (SYSTEM `Services\LanmanServer\Shares`): folders never excluded whole.
    package var shares: [Share] = []
    /// Problems met while reading (hive warnings prefixed with the hive name).
    package var warnings: [String]
    /// Evidence that exists but could not be read, so a fact is unknown (exit code 1); reported as errors, not in
    /// `host.warnings`.
    package var errors: [String] = []
    /// Event log files the registry places elsewhere than the default folder (SOFTWARE WINEVT\Channels first, then
    /// SYSTEM Services\EventLog); not part of the report's `host` object: the diagnosis reports the logs it read.
    package var eventLogFiles: [EventLogFile] = []
    /// Dirty hives whose transaction logs were replayed in memory first; nil when every hive read was clean.
    package var logReplays: [LogReplay]? = nil
    /// The antivirus engines that scan the host (SYSTEM minifilters, Defender's state); nil without SYSTEM.
    package var antivirus: Antivirus? = nil
    /// SYSTEM `<ControlSet>\Control\ComputerName\ComputerName` `ComputerName`: the node's name for `merge`/`diff`.
    package var computerName: Fact<String>? = nil

    private enum CodingKeys: String, CodingKey {
        case windows, folders, hyperVDefaults, defender, controlSet, services, mountedDevices, cluster, shares, warnings
        case logReplays, antivirus, computerName
    }

    /// Folder facts from the SOFTWARE hive.
    package struct Folders: Codable, Sendable, Equatable {
        /// ProfileList `ProgramData`.
        package var programData: PathFact?
        /// ProfileList `Public`.
        package var publicFolder: PathFact?
        /// CurrentVersion `SystemRoot`.
        package var systemRoot: PathFact?
        /// `Microsoft\Windows\CurrentVersion` `ProgramFilesDir`.
        package var programFiles: PathFact?
    }

    /// Hyper-V's default folders; nil when the value is absent (the built-in defaults then apply).
    package struct HyperVDefaults: Codable, Sendable, Equatable {
        /// `DefaultExternalDataRoot`: where new VMs are created.
        package var virtualMachinePath: PathFact?
        /// `DefaultVirtualHardDiskPath`: where new disks are created.
        package var virtualHardDiskPath: PathFact?
    }

    /// The services looked up in SYSTEM.
    package static let serviceNames = ["vmms", "vmcompute", "ClusSvc"]
    package static let currentVersionKey = "Microsoft\\Windows NT\\CurrentVersion"
    package static let profileListKey = "Microsoft\\Windows NT\\CurrentVersion\\ProfileList"
    package static let virtualizationKey = "Microsoft\\Windows NT\\CurrentVersion\\Virtualization"
    package static let windowsCurrentVersionKey = "Microsoft\\Windows\\CurrentVersion"
    package static let defenderKey = "Microsoft\\Windows Defender\\Exclusions"
    package static let defenderPolicyKey = "Policies\\Microsoft\\Windows Defender\\Exclusions"

    /// Reads the facts from whichever hives are given.
    /// - Parameters:
    ///   - software: the SOFTWARE hive (`Windows\System32\config\SOFTWARE`), or nil.
    ///   - system: the SYSTEM hive, or nil.
    ///   - clusdb: the cluster database hive (`Windows\Cluster\CLUSDB`), or nil.
    ///   - softwareName, systemName: names recorded in sources and warnings (default: the hives' file names).
    package static func read(
        software: RegistryHive?, system: RegistryHive?, clusdb: RegistryHive? = nil,
        softwareName: String? = nil, systemName: String? = nil
    ) -> HostFacts {
        var facts = HostFacts(
            windows: nil, folders: Folders(), hyperVDefaults: HyperVDefaults(),
            defender: Defender(preferences: nil, policies: nil), controlSet: nil, services: [], mountedDevices: [],
            cluster: nil, warnings: [])
        if let software {
            facts.readSoftware(software, name: softwareName ?? software.name)
        }
        if let system {
            facts.readSystem(system, name: systemName ?? system.name)
        }
        facts.decideDefenderState(systemRead: system != nil)
        facts.decideEngines()
        if let clusdb {
            let cluster = Cluster.read(clusdb: clusdb)
            facts.cluster = cluster
            facts.noteReplay(clusdb, name: clusdb.name)
        }
        return facts
    }

    /// The drive letter ("D:") whose MountedDevices data equals that of `\??\Volume{guid}`, if any.
    package func driveLetter(forVolume guid: GUID) -> String? {
        guard let volume = mountedDevices.first(where: { $0.volume == guid }) else { return nil }
        return mountedDevices.first { $0.driveLetter != nil && $0.dataHex == volume.dataHex }?.driveLetter
    }

    /// Environment values known from the SOFTWARE hive: SystemRoot, windir, SystemDrive, ProgramData,
    /// ALLUSERSPROFILE, Public, ProgramFiles (upper-cased names).
    package var environment: [String: String] {
        var environment: [String: String] = [:]
        if let root = folders.systemRoot?.raw, !root.contains("%") {
            environment["SYSTEMROOT"] = root
            environment["WINDIR"] = root
            if root.count >= 2, Array(root)[1] == ":" { environment["SYSTEMDRIVE"] = String(root.prefix(2)) }
        }
        // Without SystemRoot the scanned volume is C: (the scanned root is C: unless told otherwise, README "Usage").
        if environment["SYSTEMDRIVE"] == nil { environment["SYSTEMDRIVE"] = "C:" }
        if let value = folders.programData?.raw {
            environment["PROGRAMDATA"] = HostFacts.expand(value, environment)
            environment["ALLUSERSPROFILE"] = environment["PROGRAMDATA"]
        }
        if let value = folders.publicFolder?.raw { environment["PUBLIC"] = HostFacts.expand(value, environment) }
        if let value = folders.programFiles?.raw { environment["PROGRAMFILES"] = HostFacts.expand(value, environment) }
        return environment.compactMapValues { $0 }
    }

    /// `text` with `%VAR%` forms replaced from ``environment``; nil when one is unknown.
    package func expand(_ text: String) -> String? {
        HostFacts.expand(text, environment)
    }

    /// `text` with every `%VAR%` replaced from `environment`; nil when one is unknown (a value that still
    /// holds `%` after expansion).
    package static func expand(_ text: String, _ environment: [String: String]) -> String? {
        let expanded = WindowsEnvironment(values: environment).expand(text)
        return expanded.contains("%") ? nil : expanded
    }

    // MARK: SOFTWARE

    private mutating func readSoftware(_ hive: RegistryHive, name: String) {
        noteReplay(hive, name: name)
        let currentVersion =
            attempt(name, HostFacts.currentVersionKey) { try hive.key(HostFacts.currentVersionKey) } ?? nil
        if let currentVersion {
            func text(_ valueName: String) -> Fact<String>? {
                let value =
                    attempt(name, HostFacts.currentVersionKey + "\\" + valueName) {
                        try hive.value(valueName, of: currentVersion)
                    } ?? nil
                guard let value, let string = value.stringValue else { return nil }
                return Fact(string, source: Source(hive: name, key: HostFacts.currentVersionKey, value: value.name))
            }
            var windows = Windows(
                productName: text("ProductName"), currentBuild: text("CurrentBuild"),
                installationType: text("InstallationType"), editionID: text("EditionID"),
                build: nil, isServer: nil, generation: nil, exactBuild: false, release: nil)
            windows.build =
                (windows.currentBuild?.value).flatMap { Int($0) }
                ?? text("CurrentBuildNumber").flatMap { Int($0.value) }
            if let type = windows.installationType?.value {
                windows.isServer = type.lowercased().contains("server")
            } else if let product = windows.productName?.value {
                windows.isServer = product.lowercased().contains("server")
            }
            if let build = windows.build, let match = WindowsGeneration.forBuild(build) {
                windows.generation = match.generation
                windows.exactBuild = match.exact && windows.isServer != false
            }
            windows.release = windows.build.flatMap { Windows.releaseName(build: $0, isServer: windows.isServer) }
            self.windows = windows
            folders.systemRoot = pathFact(hive, name, HostFacts.currentVersionKey, "SystemRoot", expand: false)
        }
        folders.programData = pathFact(hive, name, HostFacts.profileListKey, "ProgramData", expand: false)
        folders.publicFolder = pathFact(hive, name, HostFacts.profileListKey, "Public", expand: false)
        folders.programFiles = pathFact(
            hive, name, HostFacts.windowsCurrentVersionKey, "ProgramFilesDir", expand: false)
        // Expanded forms need the folders above, so they are filled in a second pass.
        for keyPath in [\Folders.programData, \Folders.publicFolder, \Folders.systemRoot, \Folders.programFiles] {
            if var fact = folders[keyPath: keyPath] {
                fact.expanded = expand(fact.raw)
                folders[keyPath: keyPath] = fact
            }
        }
        hyperVDefaults.virtualMachinePath = pathFact(
            hive, name, HostFacts.virtualizationKey, "DefaultExternalDataRoot", expand: true)
        hyperVDefaults.virtualHardDiskPath = pathFact(
            hive, name, HostFacts.virtualizationKey, "DefaultVirtualHardDiskPath", expand: true)
        var collected: [String] = []
        defender.preferences = ExclusionSet.read(hive, at: HostFacts.defenderKey, into: &collected)
        defender.policies = ExclusionSet.read(hive, at: HostFacts.defenderPolicyKey, into: &collected)
        warnings += collected
        readEventLogFiles(hive, name: name, at: HostFacts.eventLogChannelsKey)
        readDefenderSoftware(hive, name: name)
    }

    private mutating func pathFact(
        _ hive: RegistryHive, _ name: String, _ key: String, _ valueName: String, expand: Bool
    ) -> PathFact? {
        let value = attempt(name, key + "\\" + valueName) { try hive.value(valueName, at: key) } ?? nil
        guard let value else { return nil }
        guard let text = value.stringValue else {
            warnings.append("\(name): \(key)\\\(valueName) has type \(value.type.name), not a string; ignored")
            return nil
        }
        return PathFact(
            raw: text, type: value.type, expanded: expand ? self.expand(text) : nil,
            source: Source(hive: name, key: key, value: value.name))
    }

    // MARK: SYSTEM

    private mutating func readSystem(_ hive: RegistryHive, name: String) {
        noteReplay(hive, name: name)
        var setName: String?
        if let current = attempt(name, "Select\\Current", { try hive.value("Current", at: "Select") }) ?? nil,
            let number = current.integerValue, number > 0, number < 1000
        {
            let text = "ControlSet" + String(repeating: "0", count: max(0, 3 - String(number).count)) + String(number)
            setName = text
            controlSet = Fact(text, source: Source(hive: name, key: "Select", value: current.name))
        } else {
            warnings.append("\(name): Select\\Current is missing or not a number; trying ControlSet001")
            setName = "ControlSet001"
        }
        if let setName {
            let servicesPath = setName + "\\Services"
            // A Services key that cannot be read leaves every service unknown (present nil), with one error; a
            // missing key means the services are absent.
            var servicesKey: RegistryKey?
            var servicesUnreadable = false
            do {
                servicesKey = try hive.key(servicesPath)
                if servicesKey == nil { warnings.append("\(name): \(servicesPath) is missing") }
            } catch {
                servicesUnreadable = true
                errors.append(
                    "\(name): could not read \(servicesPath): \(error); whether "
                        + HostFacts.serviceNames.joined(separator: ", ") + " are installed is unknown")
            }
            readDefenderServices(
                hive, name: name, servicesPath: servicesPath, servicesKey: servicesKey, unreadable: servicesUnreadable)
            readAntivirus(hive, name: name, servicesPath: servicesPath, servicesKey: servicesKey)
            for serviceName in HostFacts.serviceNames {
                let keyPath = servicesPath + "\\" + serviceName
                var service = Service(
                    name: serviceName, present: servicesUnreadable ? nil : false, start: nil, startType: nil,
                    imagePath: nil,
                    source: Source(hive: name, key: keyPath))
                if let servicesKey {
                    do {
                        if let key = try hive.subkey(serviceName, of: servicesKey) {
                            service.present = true
                            service.source.key = servicesPath + "\\" + key.name
                            if let start =
                                (attempt(name, keyPath + "\\Start") { try hive.value("Start", of: key) } ?? nil)?
                                .integerValue
                            {
                                service.start = UInt32(truncatingIfNeeded: start)
                                service.startType = Service.startName(UInt32(truncatingIfNeeded: start))
                            }
                            service.imagePath =
                                (attempt(name, keyPath + "\\ImagePath") { try hive.value("ImagePath", of: key) } ?? nil)?
                                .stringValue
                        }
                    } catch {
                        service.present = nil
                        errors.append(
                            "\(name): could not read \(keyPath): \(error); whether \(serviceName) is installed is unknown"
                        )
                    }
                }
                services.append(service)
            }
            readShares(hive, name: name, key: servicesPath + "\\LanmanServer\\Shares")
            let computerKey = setName + "\\Control\\ComputerName\\ComputerName"
            if let value = attempt(name, computerKey, { try hive.value("ComputerName", at: computerKey) }) ?? nil,
                let text = value.stringValue
            {
                computerName = Fact(text, source: Source(hive: name, key: computerKey, value: value.name))
            }
            // An unreadable Services key is already one error; the event log locations below it stay default.
            if !servicesUnreadable { readEventLogFiles(hive, name: name, at: servicesPath + "\\EventLog") }
        }
        if let mounted = attempt(name, "MountedDevices", { try hive.key("MountedDevices") }) ?? nil,
            let values = attempt(name, "MountedDevices", { try hive.values(of: mounted) })
        {
            mountedDevices = values.map {
                MountedDevice(value: $0, source: Source(hive: name, key: "MountedDevices", value: $0.name))
            }
        }
    }

    /// Runs one read; a thrown error becomes a warning naming the hive and what was being read.
    private mutating func attempt<T>(_ hive: String, _ what: String, _ body: () throws -> T) -> T? {
        do { return try body() } catch {
            warnings.append("\(hive): could not read \(what): \(error)")
            return nil
        }
    }
}
