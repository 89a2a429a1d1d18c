/// Policy v3, the lifecycle (docs/exclusion-policy.md "Lifecycle"): what Hyper-V will write for a registered VM in
/// normal operation — at its next checkpoint, backup, start or save — covered before it exists, by the folder that
/// will hold it when the folder rule admits that folder, else by typed file-name patterns in that very folder.

import HVXBinary
import HVXFormats
import HVXInventory
import HVXVolume

extension ExclusionPlanner {
    /// The lifecycle entries of one registered VM or checkpoint configuration. A checkpoint contributes only its
    /// disks (applying it creates a differencing disk beside its disk); the VM contributes its folders too.
    package func lifecycle(_ vm: PolicyInput.VMInput, replicated: Bool, _ state: inout PlanState) {
        // A registered VM whose configuration is missing from a scanned drive was reported; nothing of it is planned.
        if let config = vm.configurationFile, volume.isScanned(config), !vm.exists { return }
        let evidence = [Evidence(source: vm.configurationFile?.description ?? vm.label, detail: "configuration file")]
        let chain = vm.paths.filter { $0.role == .disk || $0.role == .parentDisk }
        // A disk missing from a scanned drive was reported with the VM: nothing is planned beside it.
        let present = { (path: WindowsPath) -> Bool in
            if case .unc = path.root { return true }
            return !volume.isScanned(path) || volume.kind(of: path) == .file
        }
        for disk in vm.paths where disk.role == .disk && present(disk.path) {
            guard let folder = disk.path.parent, let name = disk.path.lastComponent, let family = DiskFamily(name)
            else { continue }
            let stem = family.stem
            state.coverFuture(
                in: folder, name: "\(stem)_*.\(family.differencingExtension)", lifecycle: .checkpoint,
                reason:
                    "\(vm.label) checkpoint disks \(stem)_<GUID>.\(family.differencingExtension) (written beside \(name) at each checkpoint)",
                evidence: evidence + [LifecycleRules.checkpointSource])
            guard vm.usesChangeTracking, family.tracksChanges else { continue }
            for suffix in ["rct", "mrt"] {
                state.coverFuture(
                    in: folder, name: "\(stem)_*.avhdx.\(suffix)", lifecycle: .changeTracking,
                    reason:
                        "\(vm.label) change tracking of its checkpoint disks (\(stem)_<GUID>.avhdx.\(suffix), written at each backup)",
                    evidence: evidence + [LifecycleRules.changeTrackingSource])
            }
        }
        if vm.usesChangeTracking {
            changeTracking(of: chain.filter { present($0.path) }, vm, evidence: evidence, &state)
        }
        if replicated { futureReplicaLogs(beside: chain, vm, evidence: evidence, &state) }
        guard vm.checkpointOf == nil else { return }
        snapshotFolder(vm, evidence: evidence, &state)
        if let paging = vm.paths.first(where: { $0.role == .smartPagingRoot })?.path {
            state.coverFuture(
                in: paging, name: "*.slp", lifecycle: .smartPaging,
                reason:
                    "\(vm.label) smart paging file (.slp, written while the VM restarts with more memory than it can get)",
                evidence: evidence + [LifecycleRules.smartPagingSource], verified: false)
        }
        savedState(vm, evidence: evidence, &state)
    }

    /// The change tracking files (`.rct`, `.mrt`) Hyper-V writes beside each disk of the chain at each backup.
    func changeTracking(
        of chain: [PolicyInput.VMPath], _ vm: PolicyInput.VMInput, evidence: [Evidence], _ state: inout PlanState
    ) {
        for disk in chain {
            guard let folder = disk.path.parent, let name = disk.path.lastComponent,
                DiskFamily(name)?.tracksChanges == true
            else { continue }
            for suffix in ["rct", "mrt"] {
                state.coverFuture(
                    in: folder, name: "\(name).\(suffix)", lifecycle: .changeTracking,
                    reason: "\(vm.label) change tracking of \(name) (written beside it at each backup)",
                    evidence: evidence + [LifecycleRules.changeTrackingSource])
            }
        }
    }

    /// A replicated VM's Hyper-V Replica logs (`.hrl`), written in each folder of its disk chain.
    func futureReplicaLogs(
        beside chain: [PolicyInput.VMPath], _ vm: PolicyInput.VMInput, evidence: [Evidence], _ state: inout PlanState
    ) {
        var folders: [WindowsPath] = []
        for disk in chain { if let folder = disk.path.parent, !folders.contains(folder) { folders.append(folder) } }
        for folder in folders {
            state.coverFuture(
                in: folder, name: "*.hrl", lifecycle: .replicaLog,
                reason: "\(vm.label) Hyper-V Replica logs (.hrl, written beside the disks they track)",
                evidence: evidence + [LifecycleRules.replicaSource])
        }
    }

    /// `<snapshot data root>\Snapshots`: the whole folder when it exists and passes the folder rule, its typed files
    /// when it fails, and the folder itself before it exists ("created at the first checkpoint").
    package func snapshotFolder(_ vm: PolicyInput.VMInput, evidence: [Evidence], _ state: inout PlanState) {
        let root =
            vm.paths.first(where: { $0.role == .snapshotRoot })?.path
            ?? vm.paths.first(where: { $0.role == .dataRoot })?.path
        guard let root, let snapshots = root.appending("Snapshots") else { return }
        let reason = "\(vm.label) checkpoint configurations and state (written to \(snapshots) at each checkpoint)"
        let why = evidence + [LifecycleRules.snapshotSource]
        if case .unc = root.root {
            state.fileServer(snapshots, kind: .directory, reason: reason, evidence: why)
            return
        }
        guard volume.isScanned(root) else {
            state.add(
                PathCandidate(
                    path: snapshots, kind: .directory, basis: .file, reason: reason, evidence: why, verified: false,
                    lifecycle: .snapshotFolder))
            return
        }
        switch volume.kind(of: snapshots) {
        case .directory:
            let folder = volume.spelling(of: snapshots)
            if state.wholeFolder(
                containing: folder, orItself: true, reason: reason, evidence: why, lifecycle: .snapshotFolder)
            {
                return
            }
            guard !vm.isXMLConfiguration else {
                state.warn(
                    folder,
                    "\(vm.label)'s checkpoints will write <GUID>.xml files to \(folder), which cannot be excluded whole, and a typed pattern cannot name a GUID-named .xml within Defender's six wildcards: exclude the checkpoint configurations after the checkpoint, or move what is not Hyper-V's out of the folder",
                    .info)
                return
            }
            for type in ["vmcx", "vmrs", "vmgs"] {
                state.coverFuture(
                    in: folder, name: "*.\(type)", lifecycle: .snapshotFolder, reason: reason, evidence: why)
            }
        case nil:
            guard volume.kind(of: root) == .directory else { return }
            state.coverFutureFolder(
                volume.spelling(of: root).appending("Snapshots")!, reason: reason, evidence: why,
                lifecycle: .snapshotFolder,
                created: "Hyper-V creates it at the first checkpoint")
        default:
            return
        }
    }

    /// Saved and runtime state beside the configuration: `<id>.vmrs` (VMCX), the `<id>` folder with `.vsv`/`.bin`
    /// (XML); existing ones are covered with the VM's files, missing ones are what its next start or save writes.
    package func savedState(_ vm: PolicyInput.VMInput, evidence: [Evidence], _ state: inout PlanState) {
        guard let config = vm.configurationFile, let folder = config.parent, let id = vm.id, vm.exists else { return }
        let why = evidence + [LifecycleRules.savedStateSource]
        if vm.isXMLConfiguration {
            guard let runtime = folder.appending(id), volume.isScanned(runtime), volume.kind(of: runtime) == nil,
                volume.kind(of: folder) == .directory
            else { return }
            state.coverFutureFolder(
                runtime,
                reason:
                    "\(vm.label) runtime folder (saved state .vsv and memory .bin, written when it starts or saves)",
                evidence: why, lifecycle: .savedState, created: "Hyper-V creates it when the VM starts")
        } else {
            guard let file = folder.appending("\(id).vmrs"), volume.isScanned(file), volume.kind(of: file) == nil else {
                return
            }
            state.coverFuture(
                in: folder, name: "\(id).vmrs", lifecycle: .savedState,
                reason: "\(vm.label) runtime and saved state (\(id).vmrs, written when it starts or saves)",
                evidence: why)
        }
    }

    /// The VMs a Replica log (`.hrl`) beside one of their disks shows to be replicated.
    package func replicatedVMs() -> Set<String> {
        let logFolders = Set(input.replicaLogs.compactMap { $0.parent?.key })
        var ids: Set<String> = []
        for vm in input.virtualMachines {
            let folders = vm.paths.filter { $0.role == .disk || $0.role == .parentDisk }.compactMap {
                $0.path.parent?.key
            }
            if folders.contains(where: logFolders.contains) { ids.insert(vm.checkpointOf ?? vm.id ?? vm.label) }
        }
        return ids
    }
}

/// The naming rules of the lifecycle, each with its source (docs/exclusion-policy.md "Lifecycle").
package enum LifecycleRules {
    package static let checkpointSource = Evidence(
        source: "lifecycle rule",
        detail:
            "a checkpoint's differencing disk is created in the folder of the disk it extends, named <disk name>_<GUID>.avhdx (.avhd for VHD): real Windows-written AVHDX (fixtures/vhdx) and a public incident write-up"
    )
    package static let changeTrackingSource = Evidence(
        source: "lifecycle rule",
        detail:
            "resilient change tracking writes <disk file name>.rct and .mrt beside each disk of the chain, configuration version 6.2 and later: public incident write-up listing X.vhdx.rct, X.vhdx.mrt, X_<GUID>.avhdx.rct, X_<GUID>.avhdx.mrt"
    )
    package static let snapshotSource = Evidence(
        source: "lifecycle rule",
        detail:
            "checkpoint configurations and runtime state go to <snapshot data root>\\Snapshots (KB 3105657 names the default Snapshots folder)"
    )
    package static let replicaSource = Evidence(
        source: "lifecycle rule",
        detail:
            "Replica log files sit in the same folder as the disks they track (azure-docs hyper-v-azure-architecture); their names are unverified, so any .hrl there"
    )
    package static let smartPagingSource = Evidence(
        source: "hvexclude",
        detail: "inferred: smart paging files (.slp) go to the VM's smart-paging folder (secondary sources only)")
    package static let savedStateSource = Evidence(
        source: "lifecycle rule",
        detail:
            "runtime and saved state sit beside the configuration: <VMID>.vmrs (VMCX), <VMID>\\<VMID>.vsv and .bin (XML)"
    )
}

/// A virtual disk's family, for the names its checkpoints and change tracking take.
package struct DiskFamily {
    /// The disk name without its extension, and without the `_<GUID>` a checkpoint disk adds (`Db01` for
    /// `Db01_<GUID>.avhdx`): a checkpoint of a checkpoint keeps the base name, and `Db01_*.avhdx` also matches the
    /// other reading, `Db01_<GUID>_<GUID2>.avhdx`.
    package var stem: String
    /// `avhdx` (VHDX, VHD Set) or `avhd` (VHD).
    package var differencingExtension: String
    /// Whether Hyper-V keeps `.rct`/`.mrt` for it (VHDX only).
    package var tracksChanges: Bool

    /// The family of a disk file name; nil for a name that is not a checkpointable disk.
    package init?(_ name: String) {
        guard let ext = HyperVFiles.fileExtension(name) else { return nil }
        switch ext {
        case "vhdx", "avhdx", "vhds":
            differencingExtension = "avhdx"
            tracksChanges = ext != "vhds"
        case "vhd", "avhd":
            differencingExtension = "avhd"
            tracksChanges = false
        default:
            return nil
        }
        var stem = String(name.dropLast(ext.count + 1))
        if ext.hasPrefix("a") {
            while let underscore = stem.lastIndex(of: "_"), GUID(stem[stem.index(after: underscore)...]) != nil {
                stem = String(stem[..<underscore])
            }
        }
        self.stem = stem
    }
}

extension PlanState {
    /// Covers a file Hyper-V will write in `folder` (a name or a typed file-name pattern): by the folder the
    /// folder rule admits at or above it, else by the name itself, in that folder only. On a share it goes to the
    /// file server; on a drive that was not scanned it is planned as named, unverified.
    package mutating func coverFuture(
        in folder: WindowsPath, name: String, lifecycle: PathExclusion.Lifecycle, reason: String, evidence: [Evidence],
        verified: Bool = true
    ) {
        let named = WindowsPath(root: folder.root, components: folder.components + [name])
        if case .unc = folder.root {
            fileServer(named, kind: .file, reason: reason, evidence: evidence)
            return
        }
        guard volume.isScanned(folder) else {
            add(
                PathCandidate(
                    path: named, kind: .file, basis: .file, reason: reason, evidence: evidence, verified: false,
                    lifecycle: lifecycle))
            return
        }
        // A disk folder that does not exist was reported with the disk.
        guard volume.kind(of: folder) == .directory else { return }
        let spelled = volume.spelling(of: folder)
        let target = WindowsPath(root: spelled.root, components: spelled.components + [name])
        if namedCover(target) != nil {
            add(
                PathCandidate(
                    path: target, kind: .file, basis: .file, reason: reason, evidence: evidence, verified: verified,
                    lifecycle: lifecycle))
            return
        }
        if wholeFolder(containing: spelled, orItself: true, reason: reason, evidence: evidence, lifecycle: lifecycle) {
            return
        }
        add(
            PathCandidate(
                path: target, kind: .file, basis: .file, reason: reason, evidence: evidence, verified: verified,
                lifecycle: lifecycle))
    }

    /// Covers a folder Hyper-V will create (`Snapshots`, a runtime folder): by an admitted folder above it, else
    /// the folder itself, planned before it exists (`verified: false`) unless it would be a protected place.
    package mutating func coverFutureFolder(
        _ folder: WindowsPath, reason: String, evidence: [Evidence], lifecycle: PathExclusion.Lifecycle, created: String
    ) {
        if namedCover(folder) != nil {
            add(
                PathCandidate(
                    path: folder, kind: .directory, reason: reason, evidence: evidence, verified: true,
                    lifecycle: lifecycle))
            return
        }
        if wholeFolder(containing: folder, orItself: false, reason: reason, evidence: evidence, lifecycle: lifecycle) {
            return
        }
        if let why = protected.reason(folder) {
            refuse(
                folder, "not excluded as a folder: \(why)",
                instead: "nothing yet: exclude what Hyper-V writes there when it exists")
            return
        }
        add(
            PathCandidate(
                path: folder, kind: .directory, basis: .hyperVFolder, reason: "\(reason); \(created)",
                evidence: evidence + [Evidence(source: "hvexclude", detail: "not on the volume yet: \(created)")],
                verified: false,
                lifecycle: lifecycle))
    }
}
