import Dispatch
import Synchronization

/// Assembles the ``HostInventory`` from the walk's artifacts: reads the hives, the registrations, every
/// configuration (registered or found), every disk header and chain, and relates them.
public struct InventoryBuilder: Sendable {
    /// The volume map of the scan.
    public let map: VolumeMap
    /// Parallelism for reading disks.
    public let jobs: Int
    /// `--hive-dir`, when given.
    public let hiveDirectory: String?

    /// Creates a builder.
    public init(map: VolumeMap, jobs: Int, hiveDirectory: String? = nil) {
        self.map = map
        self.jobs = max(1, jobs)
        self.hiveDirectory = hiveDirectory
    }

    /// Builds the inventory from the classified artifacts of the walk.
    public func build(artifacts found: [Artifact]) -> HostInventory {
        var warnings: [ReportWarning] = []
        let hives = HiveLocator(map: map, hiveDirectory: hiveDirectory).read()
        warnings += hives.warnings
        var environment = WindowsEnvironment.defaults
        for (name, value) in hives.facts?.environment ?? [:] { environment.set(name, value) }
        let volumeLetters = Dictionary(
            (hives.facts?.mountedDevices ?? []).compactMap { device -> (GUID, Character)? in
                guard let volume = device.volume, let letter = hives.facts?.driveLetter(forVolume: volume)?.first else { return nil }
                return (volume, letter)
            }, uniquingKeysWith: { first, _ in first })
        let dataRoot = map.spelling(of: environment.path("%ProgramData%\\Microsoft\\Windows\\Hyper-V")
            ?? WindowsPath("C:\\ProgramData\\Microsoft\\Windows\\Hyper-V")!)

        // Registrations, then every configuration they name or the walk found.
        let (registrations, registrationWarnings) = RegistrationReader(map: map, environment: environment).read(dataRoot: dataRoot)
        warnings += registrationWarnings
        var reads: [String: ConfigurationRead] = [:]
        var order: [WindowsPath] = []
        func readOnce(_ path: WindowsPath) -> ConfigurationRead {
            if let done = reads[path.key] { return done }
            let read = ConfigurationRead.read(path, map: map)
            reads[path.key] = read
            reads[read.path.key] = read
            order.append(path)
            return read
        }
        for registration in registrations {
            if let path = registration.configuration { _ = readOnce(path) }
        }
        let foundConfigurations = found.filter { $0.kind == .vmConfiguration }.compactMap { WindowsPath($0.path) }
        for path in foundConfigurations { _ = readOnce(path) }

        // Disk chains, read in parallel: every disk artifact plus every disk a configuration names.
        var diskPaths = Set(found.filter { $0.kind == .virtualDisk }.map(\.hostPath))
        for read in reads.values {
            for reference in read.configuration?.paths(.disk) ?? [] {
                if let path = environment.path(reference.path), let host = map.resolve(path).hostPath { diskPaths.insert(host) }
            }
        }
        let chains = readChains(Array(diskPaths), resolver: DiskChainResolver(map: map, volumeLetters: volumeLetters))
        for host in chains.keys.sorted() {
            warnings += InventoryBuilder.chainWarnings(chains[host]!)
        }

        // One record per configuration: registered ones first.
        let assembler = RecordAssembler(map: map, environment: environment, chains: chains, artifacts: found)
        var records: [VirtualMachineRecord] = []
        var recordedPaths = Set<String>()
        var registeredIDs = Set<String>()
        let byPath = Dictionary(grouping: registrations.filter { $0.configuration != nil }, by: { reads[$0.configuration!.key]?.path.key ?? $0.configuration!.key })
        for registration in registrations {
            guard let path = registration.configuration else {
                records.append(assembler.unresolvedRegistration(registration))
                continue
            }
            let read = reads[path.key]!
            guard recordedPaths.insert(read.path.key).inserted else { continue }
            var record = assembler.record(read, registered: true, registrations: byPath[read.path.key] ?? [registration])
            if let id = registration.id, let configID = read.configuration?.id, id != configID {
                record.warnings.append("the registration names id \(id), but the configuration's global_id is \(configID)")
            }
            if let id = record.id ?? registration.id?.description { registeredIDs.insert(id) }
            records.append(record)
        }
        for path in foundConfigurations {
            let read = reads[path.key]!
            guard recordedPaths.insert(read.path.key).inserted else { continue }
            if read.notAConfiguration {
                warnings.append(ReportWarning(path: read.path.description, message: "\(read.problem ?? "not a VM configuration"); not treated as a VM", severity: .info))
                continue
            }
            if let id = read.configuration?.id?.description, registeredIDs.contains(id), !assembler.isCheckpointFolder(read.path) {
                warnings.append(ReportWarning(
                    path: read.path.description,
                    message: "a copy of registered VM \(id)'s configuration outside its registered place; reported as unregistered",
                    severity: .info))
            }
            records.append(assembler.record(read, registered: false, registrations: []))
        }
        assembler.attachCheckpoints(&records)
        for record in records {
            // A configuration file that exists but could not be parsed is an input that could not be read.
            let unreadable = record.exists && record.format == nil
            for message in record.warnings {
                warnings.append(ReportWarning(path: record.configurationFile, message: message, severity: unreadable ? .error : .warning))
            }
        }
        records.sort { ($0.registered ? 0 : 1, $0.configurationFile.uppercased()) < ($1.registered ? 0 : 1, $1.configurationFile.uppercased()) }

        let (artifacts, unreferenced) = assembler.relate(records)
        return HostInventory(
            facts: hives.facts, softwareHiveRead: hives.softwareRead, environment: environment, dataRoot: dataRoot,
            virtualMachines: records, artifacts: artifacts, unreferenced: unreferenced, warnings: warnings)
    }

    /// One warning per problem in a chain: an unreadable disk, header warnings, and every link that is not
    /// verified (the first disk's own problems only; each parent is reported by its own chain too, but a parent
    /// outside the walk is reported here).
    static func chainWarnings(_ chain: [DiskChainLink]) -> [ReportWarning] {
        guard let first = chain.first else { return [] }
        var warnings: [ReportWarning] = []
        if first.status != .start {
            warnings.append(ReportWarning(path: first.path, message: "unreadable virtual disk: \(first.reason ?? first.status.rawValue)", severity: .error))
            return warnings
        }
        for message in first.disk?.warnings ?? [] {
            warnings.append(ReportWarning(path: first.path, message: message, severity: .warning))
        }
        if chain.count > 1 {
            let link = chain[1]
            switch link.status {
            case .verified, .start:
                break
            case .unverifiable:
                warnings.append(ReportWarning(path: first.path, message: "parent \(link.path): \(link.reason ?? "not verifiable")", severity: .info))
            default:
                let candidates = link.candidates.map { " (candidates: \($0.joined(separator: "; ")))" } ?? ""
                warnings.append(ReportWarning(
                    path: first.path,
                    message: "parent \(link.status.rawValue): \(link.path.isEmpty ? "?" : link.path): \(link.reason ?? "")\(candidates)",
                    severity: .warning))
            }
        }
        return warnings
    }

    /// Reads each disk's chain with bounded parallelism.
    func readChains(_ hostPaths: [String], resolver: DiskChainResolver) -> [String: [DiskChainLink]] {
        let results = Mutex<[String: [DiskChainLink]]>([:])
        let paths = hostPaths.sorted()
        let workers = min(jobs, max(1, paths.count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var index = worker
            while index < paths.count {
                let chain = resolver.chain(hostPath: paths[index])
                results.withLock { $0[paths[index]] = chain }
                index += workers
            }
        }
        return results.withLock { $0 }
    }
}
