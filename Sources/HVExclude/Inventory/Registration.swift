import HVXBinary
import HVXFormats
import HVXVolume

/// One VM (or checkpoint) the host registers, and where its configuration is.
package struct Registration: Sendable {
    /// The id the registration names.
    package var id: GUID?
    /// The configuration's Windows path, when it could be worked out.
    package var configuration: WindowsPath?
    /// The path text as stored (for reports when it does not parse).
    package var rawPath: String
    /// Which file or link said so.
    package var evidence: Evidence
    /// Whether it registers a checkpoint (`Snapshots\<GUID>.xml`).
    package var checkpoint: Bool
}

/// Reads the host's registrations from the Hyper-V data root: `data.vmcx` (2016+) and the
/// `Virtual Machines\<GUID>.xml` / `Snapshots\<GUID>.xml` entries (≤ 2012 R2), which are NTFS symlinks to the
/// real configuration — resolved from their reparse data, never by opening them.
package struct RegistrationReader {
    package let map: VolumeMap
    package let environment: WindowsEnvironment

    /// The registrations and the problems met.
    package func read(dataRoot: WindowsPath) -> (registrations: [Registration], findings: [Finding]) {
        var registrations: [Registration] = []
        var findings: [Finding] = []
        if let store = dataRoot.appending("data.vmcx") {
            switch map.resolve(store) {
            case .found(let host, .file):
                let spelled = map.windowsPath(forHostPath: host) ?? store
                do {
                    let read = try VMRegistrations(tree: VMCXFile(file: map.openFile(host)).tree)
                    for warning in read.warnings {
                        findings.append(
                            Finding(
                                .registration, at: .windows(spelled), warning))
                    }
                    for entry in read.virtualMachines {
                        let path = environment.literalPath(entry.configurationPath)
                        if path == nil {
                            findings.append(
                                Finding(
                                    .registration, at: .windows(spelled),
                                    message:
                                        "registration \(entry.keyPath) names '\(entry.configurationPath)', which is not an absolute Windows path",
                                    severity: .warning))
                        }
                        registrations.append(
                            Registration(
                                id: entry.id, configuration: path, rawPath: entry.configurationPath,
                                evidence: Evidence(source: spelled.description, detail: entry.keyPath),
                                checkpoint: false))
                    }
                } catch {
                    findings.append(
                        Finding(
                            .registration, at: .windows(spelled),
                            message: "unreadable registration store: \(error)", severity: .error))
                }
            case .found(_, let kind):
                findings.append(
                    Finding(
                        .registration, at: .windows(store),
                        message: "is a \(kind.rawValue), not a registration store; not read", severity: .warning))
            case .missing, .unmapped:
                break
            }
        }
        for (folder, checkpoint) in [("Virtual Machines", false), ("Snapshots", true)] {
            guard let directory = dataRoot.appending(folder) else { continue }
            for entry in map.entries(of: directory) {
                guard let name = entry.path.lastComponent, NTFSName.hasSuffix(name, ".xml"),
                    let id = VMRegistrations.guid(fromXMLFileName: name)
                else { continue }
                switch entry.kind {
                case .symlink:
                    let target = LinkReader.target(ofLinkAt: entry.hostPath, linkPath: entry.path, map: map)
                    let how =
                        target.source == .reparseData
                        ? "NTFS symlink (reparse data)" : "link (link text; no reparse data)"
                    if target.windowsPath == nil {
                        findings.append(
                            Finding(
                                .registration, at: .windows(entry.path),
                                message:
                                    "registration link target cannot be worked out: \(target.problem ?? target.text)",
                                severity: .warning))
                    }
                    registrations.append(
                        Registration(
                            id: id, configuration: target.windowsPath, rawPath: target.text,
                            evidence: Evidence(
                                source: entry.path.description,
                                detail: "\(how) → \(target.windowsPath?.description ?? target.text)"),
                            checkpoint: checkpoint))
                case .file:
                    // A default-location VM, or a copied tree where the link became a plain copy.
                    registrations.append(
                        Registration(
                            id: id, configuration: entry.path, rawPath: entry.path.description,
                            evidence: Evidence(
                                source: entry.path.description, detail: "configuration in the Hyper-V data root"),
                            checkpoint: checkpoint))
                default:
                    continue
                }
            }
        }
        return (registrations, findings)
    }
}
