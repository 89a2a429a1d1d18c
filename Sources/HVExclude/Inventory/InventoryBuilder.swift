import Dispatch
import HVXBinary
import HVXVolume
import Synchronization

/// Assembles the ``HostInventory`` from the walk's artifacts: reads the hives, the registrations, every
/// configuration (registered or found), every disk header and chain, and relates them.
package struct InventoryBuilder: Sendable {
    /// The volume map of the scan.
    package let map: VolumeMap
    /// Parallelism for reading disks.
    package let jobs: Int
    /// `--hive-dir`, when given.
    package let hiveDirectory: String?

    /// Creates a builder.
    package init(map: VolumeMap, jobs: Int, hiveDirectory: String? = nil) {
        self.map = map
        self.jobs = max(1, jobs)
        self.hiveDirectory = hiveDirectory
    }

    /// Builds the inventory from the classified artifacts of the walk.
    package func build(artifacts found: [FoundArtifact]) -> HostInventory {
        var findings: [Finding] = []
        let hives = HiveLocator(map: map, hiveDirectory: hiveDirectory).read()
        findings += hives.findings
        let environment = InventoryBuilder.environment(hives.facts)
        let dataRoot = map.spelling(
            of: environment.path("%ProgramData%\\Microsoft\\Windows\\Hyper-V")
                ?? WindowsPath(root: .drive("C"), components: ["ProgramData", "Microsoft", "Windows", "Hyper-V"]))

        let (registrations, registrationFindings) = RegistrationReader(map: map, environment: environment).read(
            dataRoot: dataRoot)
        findings += registrationFindings
        var reads = ConfigurationReads(map: map)
        for registration in registrations {
            if let path = registration.configuration { _ = reads.read(path) }
        }
        let foundConfigurations = found.filter { $0.kind == .vmConfiguration }.map(\.path)
        for path in foundConfigurations { _ = reads.read(path) }

        let chains = readChains(diskHostPaths(found, reads: reads, environment: environment), facts: hives.facts)
        for host in chains.keys.sorted() {
            findings += InventoryBuilder.chainFindings(chains[host] ?? [])
        }

        let assembler = RecordAssembler(volume: map, environment: environment, chains: chains, artifacts: found)
        var records = InventoryBuilder.records(
            registrations: registrations, foundConfigurations: foundConfigurations, reads: reads, assembler: assembler,
            findings: &findings)
        findings += InventoryBuilder.recordFindings(records)
        records.sort {
            ($0.registered ? 0 : 1, NTFSName.fold($0.configuration.text)) < (
                $1.registered ? 0 : 1, NTFSName.fold($1.configuration.text)
            )
        }

        let (artifacts, unreferenced) = assembler.relate(records)
        var facts = hives.facts
        WindowsVersionEvidence.fill(
            &facts, softwareProblem: hives.softwareProblem, map: map, environment: environment, records: records,
            disks: chains.values.flatMap { $0.compactMap(\.disk) }, findings: &findings)
        return HostInventory(
            facts: facts, softwareHiveRead: hives.softwareRead, environment: environment, dataRoot: dataRoot,
            virtualMachines: records, artifacts: artifacts, unreferenced: unreferenced, findings: findings)
    }

    /// Windows' default environment, overridden by the host's values.
    package static func environment(_ facts: HostFacts?) -> WindowsEnvironment {
        var environment = WindowsEnvironment.defaults
        for (name, value) in facts?.environment ?? [:] { environment.set(name, value) }
        return environment
    }

    /// Every disk artifact plus every disk a configuration names, as host paths.
    package func diskHostPaths(
        _ found: [FoundArtifact], reads: ConfigurationReads, environment: WindowsEnvironment
    ) -> [String] {
        var paths = Set(found.filter { $0.kind == .virtualDisk }.map(\.hostPath))
        for read in reads.all {
            for reference in read.configuration?.paths(.disk) ?? [] {
                if let path = environment.literalPath(reference.path), let host = map.resolve(path).hostPath {
                    paths.insert(host)
                }
            }
        }
        // A VHD Set file (.vhds) has no published layout (DOMAIN.md): it is not read as a disk, so it is no error;
        // the exclusion policy groups its data files by name.
        return paths.filter { !$0.lowercased().hasSuffix(".vhds") }
    }

    /// One VM per configuration: registered ones first (one per configuration file, however many
    /// registrations name it), then the configurations only the walk found.
    package static func records(
        registrations: [Registration], foundConfigurations: [WindowsPath], reads: ConfigurationReads,
        assembler: RecordAssembler,
        findings: inout [Finding]
    ) -> [VirtualMachine] {
        var records: [VirtualMachine] = []
        var recordedPaths = Set<String>()
        var registeredIDs = Set<GUID>()
        var byPath: [String: [Registration]] = [:]
        for registration in registrations {
            guard let path = registration.configuration else { continue }
            byPath[reads[path]?.path.key ?? path.key, default: []].append(registration)
        }
        for registration in registrations {
            guard let path = registration.configuration, let read = reads[path] else {
                records.append(assembler.unresolvedRegistration(registration))
                continue
            }
            guard recordedPaths.insert(read.path.key).inserted else { continue }
            var record = assembler.record(
                read.file, configuration: read.configuration, registered: true,
                registrations: byPath[read.path.key] ?? [registration])
            if let id = registration.id, let configID = read.configuration?.id, id != configID {
                record.problems.append(
                    "the registration names id \(id), but the configuration's global_id is \(configID)")
            }
            if let id = record.id ?? registration.id { registeredIDs.insert(id) }
            records.append(record)
        }
        for path in foundConfigurations {
            guard let read = reads[path], recordedPaths.insert(read.path.key).inserted else { continue }
            if case .notAConfiguration(let reason) = read.file.outcome {
                findings.append(
                    Finding(
                        .configuration, at: .windows(read.path), message: "\(reason); not treated as a VM",
                        severity: .info))
                continue
            }
            if let id = read.configuration?.id, registeredIDs.contains(id),
                !RecordAssembler.isCheckpointFolder(read.path)
            {
                findings.append(
                    Finding(
                        .configuration, at: .windows(read.path),
                        message:
                            "a copy of registered VM \(id)'s configuration outside its registered place; reported as unregistered",
                        severity: .info))
            }
            records.append(
                assembler.record(read.file, configuration: read.configuration, registered: false, registrations: []))
        }
        RecordAssembler.attachCheckpoints(&records)
        return records
    }

    /// Each VM's problems as findings: errors when the configuration exists but could not be parsed.
    package static func recordFindings(_ records: [VirtualMachine]) -> [Finding] {
        records.flatMap { record in
            let unreadable = record.configuration.exists && record.configuration.format == nil
            return record.problems.map { message in
                Finding(
                    .configuration, at: .windowsPath(record.configuration.text), message: message,
                    severity: unreadable ? .error : .warning)
            }
        }
    }

    /// One finding per problem in a chain: an unreadable disk, header warnings, and every link that is not
    /// verified (the first disk's own problems only; each parent is reported by its own chain too, but a parent
    /// outside the walk is reported here).
    package static func chainFindings(_ chain: [DiskChainLink]) -> [Finding] {
        guard let first = chain.first else { return [] }
        if first.status != .start {
            return [
                Finding(
                    .disk, at: first.location,
                    message: "unreadable virtual disk: \(first.reason ?? first.status.rawValue)", severity: .error)
            ]
        }
        var findings = (first.disk?.warnings ?? []).map {
            Finding(.disk, at: first.location, $0)
        }
        // A disk whose blocks lie past the end of its file (a half-copied checkpoint disk) is planned from its
        // header, but its data could not be read: an error, as for the same disk given as ROOT.
        findings += (first.disk?.damage ?? []).map { Finding(.disk, at: first.location, $0, severity: .error) }
        if chain.count > 1 {
            let link = chain[1]
            switch link.status {
            case .verified, .start:
                break
            case .unverifiable:
                findings.append(
                    Finding(
                        .disk, at: first.location,
                        message: "parent \(link.path): \(link.reason ?? "not verifiable")",
                        severity: .info))
            default:
                let candidates = link.candidates.map { " (candidates: \($0.joined(separator: "; ")))" } ?? ""
                findings.append(
                    Finding(
                        .disk, at: first.location,
                        message:
                            "parent \(link.status.rawValue): \(link.path.isEmpty ? "?" : link.path): \(link.reason ?? "")\(candidates)",
                        severity: .warning))
            }
        }
        return findings
    }

    /// Reads each disk's chain with bounded parallelism; parents on other volumes are found through the
    /// drive letters MountedDevices gives each volume GUID.
    package func readChains(_ hostPaths: [String], facts: HostFacts?) -> [String: [DiskChainLink]] {
        let volumeLetters = Dictionary(
            (facts?.mountedDevices ?? []).compactMap { device -> (GUID, Character)? in
                guard let volume = device.volume, let letter = facts?.driveLetter(forVolume: volume)?.first else {
                    return nil
                }
                return (volume, letter)
            }, uniquingKeysWith: { first, _ in first })
        let resolver = DiskChainResolver(map: map, volumeLetters: volumeLetters)
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

/// Every configuration read once, by the path asked for and by its on-disk spelling.
package struct ConfigurationReads {
    package let map: VolumeMap
    private var byKey: [String: ConfigurationRead] = [:]
    package private(set) var all: [ConfigurationRead] = []

    package init(map: VolumeMap) { self.map = map }

    /// The read of `path`, when it was read.
    package subscript(path: WindowsPath) -> ConfigurationRead? { byKey[path.key] }

    /// Reads `path` unless it (or its spelling) was read already.
    package mutating func read(_ path: WindowsPath) -> ConfigurationRead {
        if let done = byKey[path.key] { return done }
        let read = ConfigurationRead.read(path, map: map)
        byKey[path.key] = read
        byKey[read.path.key] = read
        all.append(read)
        return read
    }
}
