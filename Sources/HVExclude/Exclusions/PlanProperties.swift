import HVXBinary
import HVXVolume

/// The properties every plan keeps (docs/exclusion-policy.md, rule 5), checked against the volumes
/// themselves. Tests run this one check over every tree they build; it reads nothing but the report and the
/// scanned volumes.
///
/// - *coverage*: every file a registered VM uses that exists on a scanned local drive is under a planned path,
///   and every path it uses on an SMB share is under a `fileServers` entry; the host plan has no UNC entry.
/// - *no hiding place*: every folder the folder rule planned holds only Hyper-V files and is not a protected
///   place; every other planned folder is one Microsoft names.
/// - *nothing that does not exist*: every planned path on a scanned drive exists, but for `C:\ClusterStorage`
///   (CSV mount points exist only while the cluster runs) and folders planned by `--plan-deferred`.
package enum PlanProperties {
    /// One broken property: which, and where.
    package struct Violation: Sendable, Equatable, CustomStringConvertible {
        /// `coverage`, `noHidingPlace` or `exists`.
        package var property: String
        /// The path concerned.
        package var path: String
        /// What is wrong.
        package var message: String

        package var description: String { "\(property): \(path): \(message)" }
    }

    /// Every violation by a planner result, for an input built in Swift.
    package static func violations(
        of result: ExclusionPlanner.Result, input: PolicyInput, volume: some VolumeQueries
    ) -> [Violation] {
        let registered = input.virtualMachines.filter(\.registered)
        let used = registered.flatMap { vm in
            vm.paths.filter { !$0.role.isRoot && $0.role != .runtimeFolder }.map { (vm.label, $0.path) }
        }
        let attachedISOs = Set(registered.flatMap { $0.paths.filter { $0.role == .iso }.map(\.path.key) })
        var ownedRoots = Set(registered.flatMap { $0.paths.filter(\.role.isRoot).map(\.path.key) })
        ownedRoots.formUnion(input.defaultFolders.map(\.path.key))
        ownedRoots.formUnion((input.cluster?.vmStores ?? []).map(\.path.key))
        return violations(
            used: used, plan: result.plan, fileServers: result.fileServers, environment: input.environment,
            shares: input.shares,
            attachedISOs: attachedISOs, ownedRoots: ownedRoots, volume: volume)
    }

    /// The files of `written` (what Hyper-V wrote after the plan was made) that no entry of `plan` covers under
    /// Defender's matching (``DefenderPathPattern``): the lifecycle property holds when this is empty.
    package static func uncovered(_ written: [WindowsPath], by plan: ExclusionPlan) -> [WindowsPath] {
        let rules = plan.paths.compactMap { WindowsPath($0.path).map(DefenderPathPattern.init(path:)) }
        return written.filter { file in !rules.contains { $0.covers(file) } }
    }

    /// The check itself, on plain values.
    package static func violations(
        used: [(vm: String, path: WindowsPath)], plan: ExclusionPlan, fileServers: [FileServerPlan],
        environment: WindowsEnvironment,
        shares: [PolicyInput.Share], attachedISOs: Set<String>, ownedRoots: Set<String> = [], volume: some VolumeQueries
    ) -> [Violation] {
        var found: [Violation] = []
        let planned = plan.paths.compactMap { entry in WindowsPath(entry.path).map { (entry, $0) } }
        let shared = fileServers.flatMap { $0.shares.flatMap(\.paths) }.compactMap { WindowsPath($0.path) }
        // Coverage.
        for (vm, path) in used {
            if case .unc = path.root {
                if !shared.contains(where: { $0.contains(path) }) {
                    found.append(
                        Violation(
                            property: "coverage", path: path.description,
                            message: "\(vm) uses it on a share, but no fileServers entry covers it"))
                }
                continue
            }
            guard volume.isScanned(path), volume.kind(of: path) != nil else { continue }
            if !planned.contains(where: { DefenderPathPattern(path: $0.1).covers(path) }) {
                found.append(
                    Violation(
                        property: "coverage", path: path.description,
                        message: "\(vm) uses it and it exists, but no planned path covers it"))
            }
        }
        let dataRoot = environment.path("%ProgramData%\\Microsoft\\Windows\\Hyper-V")!
        let protected = ProtectedPlaces(environment: environment, dataRoot: dataRoot, shares: shares)
        for (entry, path) in planned {
            if case .unc = path.root {
                found.append(
                    Violation(
                        property: "coverage", path: entry.path,
                        message: "a UNC path in the host's plan: it belongs under fileServers"))
            }
            // Nothing that does not exist — but what Hyper-V will write, in a folder that exists.
            let exempt =
                entry.reasons.contains { $0.hasPrefix("--plan-deferred") }
                || (entry.basis == .microsoftFolder && NTFSName.fold(path.lastComponent ?? "") == "CLUSTERSTORAGE")
            if let lifecycle = entry.lifecycle {
                let folder = path.parent ?? path
                if volume.isScanned(folder) && volume.kind(of: folder) != .directory {
                    found.append(
                        Violation(
                            property: "exists", path: entry.path,
                            message: "planned for \(lifecycle.rawValue), but its folder \(folder) does not exist"))
                }
            } else if entry.form == .pattern {
                found.append(
                    Violation(
                        property: "noHidingPlace", path: entry.path,
                        message: "a pattern that is not for anything Hyper-V writes"))
            } else if volume.isScanned(path) && volume.kind(of: path) == nil && !exempt {
                found.append(
                    Violation(
                        property: "exists", path: entry.path,
                        message: "planned, but it does not exist on the scanned volume"))
            }
            if entry.form != .folder,
                let why = patternBreadth(entry, path: path, volume: volume, attachedISOs: attachedISOs)
            {
                found.append(Violation(property: "noHidingPlace", path: entry.path, message: why))
            }
            guard entry.kind == .directory, volume.kind(of: path) == .directory else { continue }
            switch entry.basis {
            case .hyperVFolder:
                if let why = protected.reason(path) {
                    found.append(
                        Violation(property: "noHidingPlace", path: entry.path, message: "a protected place: \(why)"))
                }
                if let foreign = firstForeign(
                    in: path, volume: volume, attachedISOs: attachedISOs, ownedRoots: ownedRoots)
                {
                    found.append(
                        Violation(
                            property: "noHidingPlace", path: entry.path,
                            message: "holds \(foreign), which is not a Hyper-V file"))
                }
            case .microsoftFolder:
                if !isNamedByMicrosoft(path, entry: entry, dataRoot: dataRoot, environment: environment) {
                    found.append(
                        Violation(
                            property: "noHidingPlace", path: entry.path,
                            message: "planned as a folder Microsoft names, but it is none of them"))
                }
            case .file:
                found.append(
                    Violation(
                        property: "noHidingPlace", path: entry.path,
                        message: "an existing folder planned without the folder rule"))
            }
        }
        return found
    }

    /// Why a file or pattern entry could hide a file that is not Hyper-V's, or nil: a pattern keeps its wildcards
    /// in the last part (at most six), ends in a fixed Hyper-V type, and matches no existing file of another kind;
    /// a file entry for what Hyper-V will write has a Hyper-V type.
    package static func patternBreadth(
        _ entry: PathExclusion, path: WindowsPath, volume: some VolumeQueries, attachedISOs: Set<String>
    ) -> String? {
        let pattern = DefenderPathPattern(path: path)
        guard entry.form == .pattern || entry.lifecycle != nil else { return nil }
        if pattern.hasFolderWildcard { return "a wildcard in a folder part: it stands for any folder" }
        if !pattern.isWithinWildcardLimit {
            return "more than \(DefenderPathPattern.maximumWildcards) wildcards: Defender may not apply it"
        }
        let name = path.lastComponent ?? ""
        guard let ext = HyperVFiles.fileExtension(name), !DefenderPathPattern.isWildcard(ext),
            HyperVFileType.extensions.contains(ext)
        else {
            return "it does not end in a fixed Hyper-V file type, so it can match other files"
        }
        guard entry.form == .pattern else { return nil }
        for child in volume.children(of: pattern.folder) ?? [] where pattern.covers(child.path) {
            if child.kind != .file || !HyperVFiles.isHyperVFile(child.path, attachedISOs: attachedISOs) {
                return "it matches \(child.path), which is not a Hyper-V file"
            }
        }
        return nil
    }

    /// The first file or folder under `folder` (depth-first, sorted) that is not Hyper-V's, or nil.
    package static func firstForeign(
        in folder: WindowsPath, volume: some VolumeQueries, attachedISOs: Set<String>, ownedRoots: Set<String> = []
    ) -> WindowsPath? {
        for entry in (volume.children(of: folder) ?? []).sorted(by: { $0.path < $1.path }) {
            switch entry.kind {
            case .file where HyperVFiles.isHyperVFile(entry.path, attachedISOs: attachedISOs): continue
            case .directory where HyperVFiles.isHyperVFolder(entry.path, ownedRoots: ownedRoots):
                if let inner = firstForeign(
                    in: entry.path, volume: volume, attachedISOs: attachedISOs, ownedRoots: ownedRoots)
                {
                    return inner
                }
            default: return entry.path
            }
        }
        return nil
    }

    /// Whether a folder is one Microsoft names for exclusion (KB 3105657, KB 250355).
    package static func isNamedByMicrosoft(
        _ path: WindowsPath, entry: PathExclusion, dataRoot: WindowsPath, environment: WindowsEnvironment
    ) -> Bool {
        let name = NTFSName.fold(path.lastComponent ?? "")
        if path == dataRoot { return true }
        if path.components.count == 1 && (name == "CLUSTERSTORAGE" || name == "CLUSTER") { return true }
        if let cluster = environment.path("%SystemRoot%\\Cluster"), path == cluster { return true }
        if let temp = environment.path("%SystemDrive%\\Users\\CLIUSR\\AppData\\Local\\Temp"), path == temp {
            return true
        }
        return entry.reasons.contains { $0.hasPrefix("Hyper-V Replica storage location") }
    }
}
