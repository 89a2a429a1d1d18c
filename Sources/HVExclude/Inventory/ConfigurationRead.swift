/// The outcome of looking for and reading one configuration file.
struct ConfigurationRead: Sendable {
    /// The path asked for, in on-disk spelling when found.
    var path: WindowsPath
    /// Where it was read.
    var hostPath: String?
    /// The configuration, when it parsed.
    var configuration: VMConfiguration?
    /// Why it is missing or unreadable.
    var problem: String?
    /// Whether the file exists.
    var exists: Bool
    /// Whether it parsed as something that is not a VM configuration (a decoy `.xml`).
    var notAConfiguration: Bool

    /// Looks `path` up through the map (a final link is followed through its Windows target, at most 8 hops)
    /// and reads it.
    static func read(_ path: WindowsPath, map: VolumeMap) -> ConfigurationRead {
        var current = path
        for _ in 0..<8 {
            switch map.resolve(current) {
            case .found(let host, .file):
                let spelled = map.windowsPath(forHostPath: host) ?? current
                do {
                    let configuration = try VMConfiguration.read(file: map.openFile(host))
                    return ConfigurationRead(path: spelled, hostPath: host, configuration: configuration, problem: nil, exists: true, notAConfiguration: false)
                } catch let error as VMConfigXMLError where !(spelled.lastComponent ?? "").lowercased().hasSuffix(".vmcx") {
                    // An .xml that is not a VM configuration is simply not one; a .vmcx without the keys is damaged.
                    return ConfigurationRead(path: spelled, hostPath: host, configuration: nil, problem: "\(error)", exists: true, notAConfiguration: true)
                } catch {
                    return ConfigurationRead(path: spelled, hostPath: host, configuration: nil, problem: "unreadable configuration: \(error)", exists: true, notAConfiguration: false)
                }
            case .found(let host, .symlink):
                let target = LinkReader.target(ofLinkAt: host, linkPath: current, map: map)
                guard let next = target.windowsPath else {
                    return ConfigurationRead(path: current, hostPath: host, configuration: nil, problem: "link: \(target.problem ?? "target unknown")", exists: true, notAConfiguration: false)
                }
                current = next
            case .found(let host, let kind):
                return ConfigurationRead(path: current, hostPath: host, configuration: nil, problem: "is a \(kind.rawValue), not a configuration file", exists: true, notAConfiguration: false)
            case .missing(let reason):
                return ConfigurationRead(path: current, hostPath: nil, configuration: nil, problem: "configuration file is missing: \(reason)", exists: false, notAConfiguration: false)
            case .unmapped:
                return ConfigurationRead(
                    path: current, hostPath: nil, configuration: nil,
                    problem: "configuration is on \(current.rootDescription), which was not given (add --drive or --map)",
                    exists: false, notAConfiguration: false)
            }
        }
        return ConfigurationRead(path: current, hostPath: nil, configuration: nil, problem: "more than 8 links in a row", exists: false, notAConfiguration: false)
    }
}
