import HVXBinary
import HVXFormats
import HVXVolume

/// The outcome of looking for and reading one configuration file.
package struct ConfigurationRead: Sendable {
    /// The file: its path in on-disk spelling when found, where it was read, and the outcome.
    package var file: ConfigurationFile
    /// The configuration, when it parsed.
    package var configuration: VMConfiguration?

    /// The path asked for, in on-disk spelling when found.
    package var path: WindowsPath { file.path! }

    private init(_ path: WindowsPath, hostPath: String?, _ outcome: ReadOutcome, configuration: VMConfiguration? = nil)
    {
        file = ConfigurationFile(path: path, text: path.description, hostPath: hostPath, outcome: outcome)
        self.configuration = configuration
    }

    /// Looks `path` up through the map (a final link is followed through its Windows target, at most 8 hops)
    /// and reads it.
    package static func read(_ path: WindowsPath, map: VolumeMap) -> ConfigurationRead {
        var current = path
        for _ in 0..<8 {
            switch map.resolve(current) {
            case .found(let host, .file):
                let spelled = map.windowsPath(forHostPath: host) ?? current
                do {
                    let configuration = try VMConfiguration.read(file: map.openFile(host))
                    return ConfigurationRead(
                        spelled, hostPath: host, .parsed(configuration.format), configuration: configuration)
                } catch let error as VMConfigXMLError where !NTFSName.hasSuffix(spelled.lastComponent ?? "", ".vmcx") {
                    // An .xml that is not a VM configuration is simply not one; a .vmcx without the keys is damaged.
                    return ConfigurationRead(spelled, hostPath: host, .notAConfiguration("\(error)"))
                } catch {
                    return ConfigurationRead(spelled, hostPath: host, .unreadable("\(error)"))
                }
            case .found(let host, .symlink):
                let target = LinkReader.target(ofLinkAt: host, linkPath: current, map: map)
                guard let next = target.windowsPath else {
                    return ConfigurationRead(
                        current, hostPath: host, .unresolvedLink(target.problem ?? "target unknown"))
                }
                current = next
            case .found(let host, let kind):
                return ConfigurationRead(current, hostPath: host, .notAFile(kind))
            case .missing(let reason):
                return ConfigurationRead(current, hostPath: nil, .missing(reason))
            case .unmapped:
                return ConfigurationRead(current, hostPath: nil, .unmapped(root: current.rootDescription))
            }
        }
        return ConfigurationRead(current, hostPath: nil, .tooManyLinks)
    }
}
