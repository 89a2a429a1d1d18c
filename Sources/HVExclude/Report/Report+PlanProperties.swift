import HVXExclusions
import HVXInventory
import HVXVolume

extension PlanProperties {
    /// Every violation of the properties by `report`'s plan, on the volumes of `map`.
    package static func violations(of report: Report, map: VolumeMap) -> [Violation] {
        let registered = report.virtualMachines.filter(\.registered)
        var used: [(vm: String, path: WindowsPath)] = []
        for vm in registered {
            var texts =
                [vm.configurationFile] + vm.files.filter { $0.role != "runtimeFolder" }.map(\.path)
                + vm.dvds.map(\.path) + vm.floppies.map(\.path)
            texts += vm.disks.flatMap { disk in [disk.path] + disk.chain.map(\.path) }
            used += texts.compactMap { text in WindowsPath(text).map { (vm.name ?? vm.id ?? "?", $0) } }
        }
        let environment =
            report.host.map {
                WindowsEnvironment(
                    values: WindowsEnvironment.defaults.values.merging($0.environment) { _, host in host })
            } ?? .defaults
        let shares = (report.host?.shares ?? []).compactMap { share in
            environment.path(share.path).map {
                PolicyInput.Share(
                    name: share.name, path: $0, evidence: Evidence(source: share.source.hive, detail: share.source.key))
            }
        }
        let attachedISOs = Set(registered.flatMap { $0.dvds.compactMap { WindowsPath($0.path)?.key } })
        // Folders a configuration or the registry names as Hyper-V roots are Hyper-V content inside another one.
        var ownedRoots = Set(registered.flatMap { $0.folders.compactMap { WindowsPath($0.path)?.key } })
        for fact in [report.host?.hyperVDefaults.virtualMachinePath, report.host?.hyperVDefaults.virtualHardDiskPath] {
            if let fact, let path = environment.path(fact.expanded ?? fact.raw) { ownedRoots.insert(path.key) }
        }
        return violations(
            used: used, plan: report.exclusions, fileServers: report.fileServers, environment: environment,
            shares: shares,
            attachedISOs: attachedISOs, ownedRoots: ownedRoots, volume: map)
    }
}
