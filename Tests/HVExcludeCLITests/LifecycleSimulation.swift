import Foundation

@testable import HVXBinary
@testable import HVXDiagnosis
@testable import HVXDiskImage
@testable import HVXExclusions
@testable import HVXFormats
@testable import HVXInventory
@testable import HVXReport
@testable import HVXScan
@testable import HVXVolume
@testable import HVXWalk

/// What a Hyper-V host writes next — one checkpoint, a checkpoint of that checkpoint, one backup with resilient
/// change tracking, Replica logs, a start or save, smart paging — applied to a report's registered VMs as Hyper-V
/// names the files (`../shared/DOMAIN.md`, "What Hyper-V creates"). Written from those naming rules alone, apart
/// from the planner's lifecycle code, so that the lifecycle property tests the plan, not the planner's own idea of it.
enum LifecycleSimulation {
    /// One file Hyper-V writes, and the operation that writes it.
    struct Written: Equatable, CustomStringConvertible {
        var operation: String
        var path: WindowsPath
        var description: String { "\(operation): \(path)" }
    }

    /// Fixed ids, so a run is reproducible: checkpoint 1 and 2, their configurations, a Replica log and a paging file.
    static let ids = (
        disk1: "5A1D0C1E-7E2B-4C3A-9D4E-0F1A2B3C4D01", disk2: "5A1D0C1E-7E2B-4C3A-9D4E-0F1A2B3C4D02",
        config1: "5A1D0C1E-7E2B-4C3A-9D4E-0F1A2B3C4D11", config2: "5A1D0C1E-7E2B-4C3A-9D4E-0F1A2B3C4D12",
        replica: "5A1D0C1E-7E2B-4C3A-9D4E-0F1A2B3C4D21"
    )

    /// Every file the operations write for the registered, existing VMs of `report` on local drives (files on a
    /// share belong to the file server's plan), in the order the operations run.
    static func written(by report: Report) -> [Written] {
        var out: [Written] = []
        let replicaFolders = Set(
            report.artifacts.filter { $0.kind == .replicaLog }.compactMap { WindowsPath($0.path)?.parent?.key })
        for vm in report.virtualMachines where vm.registered && vm.exists && vm.checkpointOf == nil {
            guard let config = WindowsPath(vm.configurationFile), let configFolder = config.parent,
                case .drive = config.root
            else { continue }
            let id = vm.id ?? ids.config1
            let xml = config.lastComponent?.lowercased().hasSuffix(".xml") == true
            let version = vm.configurationVersion.flatMap(parseVersion) ?? (xml ? 0x0500 : 0x0900)
            let changeTracking = version >= 0x0602
            // The disks as attached, and each chain below them.
            let attached = vm.disks.filter(\.exists).compactMap { WindowsPath($0.path) }
            let chains = vm.disks.flatMap { $0.chain.filter(\.exists).compactMap { WindowsPath($0.path) } }
            func add(_ operation: String, _ path: WindowsPath?) {
                guard let path, case .drive = path.root, !out.contains(where: { $0.path == path }) else { return }
                out.append(Written(operation: operation, path: path))
            }
            // Checkpoint 1, then a checkpoint of it: a differencing disk beside each attached disk, named after the
            // disk it extends without its own checkpoint suffix (`X_<GUID>.avhdx`), and the configuration and state.
            var newDisks: [WindowsPath] = []
            for (index, guid) in [ids.disk1, ids.disk2].enumerated() {
                for disk in attached {
                    guard let name = disk.lastComponent, let dot = name.lastIndex(of: ".") else { continue }
                    let ext = name[name.index(after: dot)...].lowercased()
                    guard ["vhdx", "avhdx", "vhd", "avhd"].contains(ext) else { continue }
                    var base = String(name[..<dot])
                    if ext.hasPrefix("a"), let underscore = base.lastIndex(of: "_"),
                        GUID(base[base.index(after: underscore)...]) != nil
                    {
                        base = String(base[..<underscore])
                    }
                    let child = disk.parent?.appending("\(base)_\(guid).\(ext.hasSuffix("x") ? "avhdx" : "avhd")")
                    add("checkpoint \(index + 1)", child)
                    if let child { newDisks.append(child) }
                }
            }
            let snapshotRoot =
                vm.folders.first { $0.role == "snapshotDataRoot" }.flatMap { WindowsPath($0.path) }
                ?? vm.folders.first { $0.role == "dataRoot" || $0.role == "vmFolder" }.flatMap { WindowsPath($0.path) }
            if let snapshots = snapshotRoot?.appending("Snapshots") {
                for (index, checkpoint) in [ids.config1, ids.config2].enumerated() {
                    if xml {
                        add("checkpoint \(index + 1)", snapshots.appending("\(checkpoint).xml"))
                        add("checkpoint \(index + 1)", snapshots.appending("\(checkpoint)\\\(checkpoint).vsv"))
                    } else {
                        for type in ["vmcx", "vmrs"] {
                            add("checkpoint \(index + 1)", snapshots.appending("\(checkpoint).\(type)"))
                        }
                        if vm.generation == 2 {
                            add("checkpoint \(index + 1)", snapshots.appending("\(checkpoint).vmgs"))
                        }
                    }
                }
            }
            // A backup with resilient change tracking: `<disk file name>.rct` and `.mrt` beside every VHDX of the chain.
            if changeTracking {
                for disk in chains + newDisks where disk.lastComponent?.lowercased().hasSuffix("vhdx") == true {
                    for suffix in ["rct", "mrt"] {
                        add("backup", disk.parent?.appending("\(disk.lastComponent!).\(suffix)"))
                    }
                }
            }
            // Replica: a log beside each disk of a VM that is replicated (a log already sits beside one of its disks).
            let folders = (chains + newDisks).compactMap(\.parent)
            if folders.contains(where: { replicaFolders.contains($0.key) }) {
                for folder in folders { add("replica", folder.appending("\(ids.replica).hrl")) }
            }
            // Start or save: the runtime state beside the configuration.
            if xml {
                add("saved state", configFolder.appending("\(id)\\\(id).vsv"))
                add("saved state", configFolder.appending("\(id)\\\(id).bin"))
            } else {
                add("saved state", configFolder.appending("\(id).vmrs"))
            }
            // Smart paging, in the smart-paging folder.
            if let paging = vm.folders.first(where: { $0.role == "smartPagingDataRoot" && $0.exists }).flatMap({
                WindowsPath($0.path)
            }) {
                add("smart paging", paging.appending("\(id).slp"))
            }
        }
        return out
    }

    /// "9.0" → 0x0900.
    static func parseVersion(_ text: String) -> Int? {
        let parts = text.split(separator: ".").compactMap { Int($0) }
        return parts.count == 2 ? parts[0] << 8 | parts[1] : nil
    }

    /// The written files no entry of the report's plan covers (Defender's matching), for files whose drive was
    /// scanned: empty when the lifecycle property holds.
    static func uncovered(_ report: Report, map: VolumeMap) -> [Written] {
        let written = written(by: report).filter {
            map.isScanned($0.path) && map.kind(of: $0.path.parent ?? $0.path) != nil || isBelowNewFolder($0.path, map)
        }
        let missed = Set(PlanProperties.uncovered(written.map(\.path), by: report.exclusions))
        return written.filter { missed.contains($0.path) }
    }

    /// A file in a folder Hyper-V creates on the way (`Snapshots`, a runtime folder) whose parent exists.
    static func isBelowNewFolder(_ path: WindowsPath, _ map: VolumeMap) -> Bool {
        guard let folder = path.parent, let above = folder.parent, map.isScanned(path) else { return false }
        return map.kind(of: folder) == nil && map.kind(of: above) == .directory
    }

    /// Writes the files into the host folders of `roots` (Windows prefix → host folder), as small stand-ins; the
    /// folders Hyper-V would create are created. Returns the host paths written.
    @discardableResult
    static func apply(_ written: [Written], roots: [String: String]) throws -> [String] {
        let mappings = roots.compactMap { prefix, host in
            WindowsPath(prefix.hasSuffix(":") ? prefix + "\\" : prefix).map { (prefix: $0, host: host) }
        }
        var hostPaths: [String] = []
        for file in written {
            guard
                let mapping = mappings.filter({ $0.prefix.contains(file.path) }).max(by: {
                    $0.prefix.components.count < $1.prefix.components.count
                })
            else { continue }
            let host = resolveCaseInsensitively(
                mapping.host, Array(file.path.components.dropFirst(mapping.prefix.components.count)))
            try FileManager.default.createDirectory(
                atPath: (host as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data("hvexclude lifecycle stand-in: \(file.operation) (not parsed)\r\n".utf8).write(
                to: URL(fileURLWithPath: host))
            hostPaths.append(host)
        }
        return hostPaths
    }

    /// The host path of `components` below `root`, following existing folders case-insensitively (as NTFS does).
    static func resolveCaseInsensitively(_ root: String, _ components: [String]) -> String {
        var current = root
        for component in components {
            let existing = (try? FileManager.default.contentsOfDirectory(atPath: current))?.first {
                NTFSName.fold($0) == NTFSName.fold(component)
            }
            current += "/" + (existing ?? component)
        }
        return current
    }
}
