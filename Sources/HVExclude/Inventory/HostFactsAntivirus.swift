// Reference: Microsoft Learn (MicrosoftDocs/windows-driver-docs) ifs/load-order-groups-and-altitudes-for-
// minifilter-drivers.md — a minifilter instance's altitude is the REG_SZ `Altitude` under
// Services\<service>\Instances\<instance>; from Windows 11 24H2 also under Services\<service>\Parameters\Instances.
// FSFilter Anti-Virus = 320000–329999. Products: ifs/allocated-altitudes.md (docs/antivirus-altitudes.md).
import HVXFormats

extension HostFacts {
    /// The antivirus engines that scan this host's files, from its file-system minifilters and Defender's state.
    package struct Antivirus: Codable, Sendable, Equatable {
        /// Minifilter instances in the anti-virus altitude range, and known endpoint products outside it.
        var minifilters: [Minifilter]
        /// The engines, one per product, in the order they are named in the summary.
        package var engines: [Engine]
        /// One sentence: which engine(s) scan this host.
        package var summary: String
    }

    /// One file-system minifilter instance.
    package struct Minifilter: Codable, Sendable, Equatable {
        /// The service (driver) name.
        package var service: String
        /// The instance name.
        var instance: String
        /// The altitude as stored ("328010", "329355.5").
        var altitude: String
        /// Whether the altitude lies in the FSFilter Anti-Virus range 320000–329999.
        var antivirusGroup: Bool
        /// The driver's `ImagePath` as stored.
        package var imagePath: String?
        /// `Start` in words ("boot", "disabled").
        package var startType: String?
        /// The vendor, when Microsoft's allocation list names this filter.
        var vendor: String?
        /// The product, when known.
        package var product: String?
        /// The `Altitude` value read.
        package var source: Source
    }

    /// One product that scans (or could scan) files on the host.
    package struct Engine: Codable, Sendable, Equatable {
        /// "Microsoft Defender Antivirus", "Symantec Endpoint Protection", or the filter name when unknown.
        package var name: String
        /// Whether it scans files in real time as far as the registry tells (nil: cannot be known offline).
        package var scans: Bool?
        /// Why, in words.
        package var reason: String
        /// Its filter services.
        package var filters: [String]
    }

    /// Reads every service's minifilter instances (both key layouts) and keeps the anti-virus ones.
    mutating func readAntivirus(_ hive: RegistryHive, name: String, servicesPath: String, servicesKey: RegistryKey?) {
        guard let servicesKey else { return }
        var filters: [Minifilter] = []
        let services: [RegistryKey]
        do { services = try hive.subkeys(of: servicesKey) } catch {
            warnings.append("\(name): could not list \(servicesPath): \(error)")
            return
        }
        for service in services {
            for layout in ["Instances", "Parameters\\Instances"] {
                let instancesPath = servicesPath + "\\" + service.name + "\\" + layout
                do {
                    var key: RegistryKey? = service
                    for part in layout.split(separator: "\\") {
                        guard let current = key else { break }
                        key = try hive.subkey(String(part), of: current)
                    }
                    guard let instances = key else { continue }
                    for instance in try hive.subkeys(of: instances) {
                        guard let value = try hive.value("Altitude", of: instance), let altitude = value.stringValue
                        else { continue }
                        let text = altitude.trimmingCharacters(in: " ")
                        let number = Double(text)
                        let inGroup = number.map { AntivirusFilterTable.antivirusRange.contains($0) } ?? false
                        let known = AntivirusFilterTable.entry(service: service.name, altitude: text)
                        guard inGroup || known != nil else { continue }
                        // 24H2 writes the same instance in both places: keep one.
                        if filters.contains(where: {
                            RegistryName.equal($0.service, service.name)
                                && RegistryName.equal($0.instance, instance.name)
                        }) {
                            continue
                        }
                        let start = try hive.value("Start", of: service)?.integerValue.map {
                            UInt32(truncatingIfNeeded: $0)
                        }
                        filters.append(
                            Minifilter(
                                service: service.name, instance: instance.name, altitude: text, antivirusGroup: inGroup,
                                imagePath: try hive.value("ImagePath", of: service)?.stringValue,
                                startType: start.map(Service.startName), vendor: known?.vendor, product: known?.product,
                                source: Source(hive: name, key: instancesPath + "\\" + instance.name, value: value.name)
                            ))
                    }
                } catch {
                    warnings.append("\(name): could not read \(instancesPath): \(error)")
                }
            }
        }
        antivirus = Antivirus(minifilters: filters, engines: [], summary: "")
    }

    /// Names the engines once Defender's state is decided.
    mutating func decideEngines() {
        guard var antivirus else { return }
        var engines: [Engine] = []
        let defenderFilters = antivirus.minifilters.filter { $0.vendor == "Microsoft" }
        if let state = defender.state {
            let scans: Bool? = state.status == .active ? true : (state.status == .unknown ? nil : false)
            engines.append(
                Engine(
                    name: "Microsoft Defender Antivirus", scans: scans, reason: state.reason,
                    filters: defenderFilters.map { "\($0.service) (\($0.altitude))" }))
        }
        var products: [String: [Minifilter]] = [:]
        var order: [String] = []
        for filter in antivirus.minifilters where filter.vendor != "Microsoft" {
            let product = filter.product ?? "unknown product (filter \(filter.service))"
            if products[product] == nil { order.append(product) }
            products[product, default: []].append(filter)
        }
        for product in order {
            let filters = products[product]!
            let enabled = filters.filter { $0.startType != "disabled" }
            let names = filters.map { "\($0.service) (\($0.altitude))" }
            if enabled.isEmpty {
                engines.append(
                    Engine(
                        name: product, scans: false, reason: "its filter driver is disabled (Start = 4)", filters: names
                    ))
            } else {
                let group =
                    filters.contains { $0.antivirusGroup }
                    ? "a file-system filter in the anti-virus altitude range"
                    : "a file-system filter Microsoft allocated to it"
                engines.append(
                    Engine(name: product, scans: true, reason: "\(group) is installed and not disabled", filters: names)
                )
            }
        }
        // On Windows 10/11 another registered antivirus turns Defender off; the Security Center registration that
        // decides it is not in these hives, so say so rather than guess.
        let thirdParty = engines.dropFirst(defender.state == nil ? 0 : 1).filter { $0.scans == true }
        if !thirdParty.isEmpty, windows?.isServer == false,
            let index = engines.firstIndex(where: { $0.name == "Microsoft Defender Antivirus" }),
            engines[index].scans == true
        {
            engines[index].scans = nil
            engines[index].reason +=
                "; on Windows 10/11 another antivirus usually turns Defender off, which cannot be known offline"
        }
        antivirus.engines = engines
        antivirus.summary = HostFacts.engineSummary(engines)
        self.antivirus = antivirus
    }

    /// One sentence naming the engines that scan (and those that may: state unknown).
    static func engineSummary(_ engines: [Engine]) -> String {
        let scanning = engines.filter { $0.scans == true }.map(\.name)
        let maybe = engines.filter { $0.scans == nil }.map(\.name)
        var summary: String
        switch scanning.count {
        case 0: summary = "no antivirus engine is known to scan this host"
        case 1: summary = "\(scanning[0]) scans this host"
        default: summary = scanning.dropLast().joined(separator: ", ") + " and \(scanning.last!) scan this host"
        }
        if !maybe.isEmpty {
            summary =
                scanning.isEmpty
                ? "which engine scans this host cannot be told from these hives: " + maybe.joined(separator: ", ")
                    + "'s state is unknown"
                : summary + "; possibly also " + maybe.joined(separator: ", ") + " (cannot be known offline)"
        }
        return summary
    }
}

extension String {
    /// The text without leading and trailing `character`s.
    fileprivate func trimmingCharacters(in character: Character) -> String {
        var text = Substring(self)
        while text.first == character { text = text.dropFirst() }
        while text.last == character { text = text.dropLast() }
        return String(text)
    }
}
