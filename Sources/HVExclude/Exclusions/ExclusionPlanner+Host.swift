import HVXBinary
import HVXInventory
import HVXVolume

extension ExclusionPlanner {
    /// Hyper-V's file types by server generation (KB 3105657; docs/exclusion-policy.md rule 2): listed only on request.
    package static func hyperVExtensions(for generation: HostFacts.WindowsGeneration) -> [String] {
        var list = ["vhd", "avhd", "vsv"]
        if generation >= .v2012 { list = ["vhd", "vhdx", "avhd", "avhdx", "vsv"] }
        if generation >= .v2016 { list += ["vhds", "vmcx", "vmrs", "vmgs", "rct", "mrt"] }
        if generation >= .v2019 { list += ["vhdpmem"] }
        return list
    }

    /// Host-wide extensions far too broad to exclude; listed only with `--broad-extensions`.
    package static let broadExtensions = ["xml", "bin", "iso"]

    /// One process KB 3105657 or KB 250355 names: its binary, the service whose `ImagePath` stands in when the
    /// binary is not in the copy, and the release that introduced it.
    package struct ProcessRule {
        package var name: String
        package var folder: String
        package var service: String
        package var ownService: Bool
        package var since: HostFacts.WindowsGeneration
        package var reason: String
    }

    package static let hyperVProcessRules = [
        ProcessRule(
            name: "vmms.exe", folder: "%SystemRoot%\\System32", service: "vmms", ownService: true, since: .v2008,
            reason: "Hyper-V Virtual Machine Management service (KB 3105657)"),
        ProcessRule(
            name: "vmwp.exe", folder: "%SystemRoot%\\System32", service: "vmms", ownService: false, since: .v2008,
            reason: "Hyper-V VM worker process, one per running VM (KB 3105657)"),
        ProcessRule(
            name: "vmsp.exe", folder: "%SystemRoot%\\System32", service: "vmms", ownService: false, since: .v2016,
            reason: "Hyper-V VM security process for shielded VMs and vTPM, 2016 and later (KB 3105657)"),
        ProcessRule(
            name: "vmcompute.exe", folder: "%SystemRoot%\\System32", service: "vmcompute", ownService: true,
            since: .v2019,
            reason: "Hyper-V Host Compute Service, 2019 and later (KB 3105657)"),
    ]
    package static let clusterProcessRules = [
        ProcessRule(
            name: "clussvc.exe", folder: "%SystemRoot%\\Cluster", service: "ClusSvc", ownService: true, since: .v2008,
            reason: "Failover Cluster service (KB 250355)"),
        ProcessRule(
            name: "rhs.exe", folder: "%SystemRoot%\\Cluster", service: "ClusSvc", ownService: false, since: .v2008,
            reason: "Failover Cluster resource host subsystem (KB 250355)"),
    ]

    package func service(_ name: String) -> PolicyInput.ServiceFact? {
        input.services.first { NTFSName.fold($0.name) == NTFSName.fold(name) && $0.present }
    }

    /// Process exclusions: the binaries present on the volume; where the copy lacks one but the SYSTEM hive has
    /// its service, the path from the service's `ImagePath` (or beside the service's binary), with a warning.
    package func processes(_ state: inout PlanState) -> [ProcessExclusion] {
        var result: [ProcessExclusion] = []
        let clusterService = service("ClusSvc") != nil
        let rules = ExclusionPlanner.hyperVProcessRules + (clusterService ? ExclusionPlanner.clusterProcessRules : [])
        for rule in rules {
            guard let expected = input.environment.path(rule.folder + "\\" + rule.name) else { continue }
            if volume.kind(of: expected) == .file {
                result.append(
                    ProcessExclusion(
                        path: volume.spelling(of: expected).description, reason: rule.reason,
                        evidence: [Evidence(source: expected.description, detail: "found on the volume")],
                        verified: true))
                continue
            }
            guard let service = service(rule.service) else { continue }
            if let generation = input.release?.generation, generation < rule.since { continue }
            var (path, how, evidence) = servicePath(of: rule, service: service, expected: expected)
            let found = volume.kind(of: path) == .file
            if found { path = volume.spelling(of: path) }
            result.append(
                ProcessExclusion(
                    path: path.description, reason: rule.reason + "; path from \(how)", evidence: evidence,
                    verified: found))
            if !found {
                let copy =
                    volume.isScanned(path)
                    ? "is not in the scanned copy" : "is on \(path.rootDescription), which was not scanned"
                state.warn(
                    path,
                    "\(rule.name) \(copy), but the SYSTEM hive has the \(service.name) service (\(service.evidence.detail)): its process exclusion is planned from \(how)"
                )
            }
        }
        if result.isEmpty && input.services.isEmpty, let system32 = input.environment.path("%SystemRoot%\\System32"),
            volume.kind(of: system32) == nil
        {
            state.warn(
                system32,
                "no process exclusions: the copy has no System32 and no SYSTEM hive was read, so Hyper-V's processes cannot be named"
            )
        }
        return result
    }

    /// Where a rule's process is when the volume does not have it at `expected` but the SYSTEM hive has its service:
    /// the service's binary, from ImagePath (or Windows' location for it when ImagePath is absent), or beside it; with
    /// how the path was found and the evidence.
    func servicePath(
        of rule: ProcessRule, service: PolicyInput.ServiceFact, expected: WindowsPath
    ) -> (path: WindowsPath, how: String, evidence: [Evidence]) {
        let image = service.imagePath.flatMap { ServiceImagePath.windowsPath($0, environment: input.environment) }
        guard rule.ownService else {
            let evidence = Evidence(
                source: "hvexclude", detail: "inferred: \(rule.name) ships beside \(service.name)'s binary")
            return (
                image?.parent?.appending(rule.name) ?? expected,
                "inferred: beside the \(service.name) service's binary",
                [service.evidence, evidence]
            )
        }
        let how =
            image != nil ? "the service's ImagePath" : "the service has no readable ImagePath: Windows' own location"
        guard let text = service.imagePath else { return (image ?? expected, how, [service.evidence]) }
        let evidence = Evidence(
            source: service.evidence.source, detail: service.evidence.detail + "\\ImagePath = " + text)
        return (image ?? expected, how, [evidence])
    }

    /// Extensions: none by default; Hyper-V's types for the release with `--extensions`; `.xml .bin .iso` with
    /// `--broad-extensions`. The plan says why either way.
    package func extensions(_ state: inout PlanState) {
        let generation = input.release?.generation ?? fallbackGeneration
        let releaseName =
            input.release?.name
            ?? "an unknown Windows (\(fallbackGeneration == .v2016 ? ".vmcx files: 2016 or later" : "no .vmcx files: 2012 R2 rules"))"
        state.plan.extensionPolicy =
            input.options.extensions || input.options.broadExtensions
            ? "Extension exclusions listed on request: every file of these types anywhere on the host goes unscanned, including VHD and ISO files that arrive by mail or download (a known malware delivery format); the path exclusions already cover Hyper-V's own files."
            : "No extension exclusions: KB 3105657 asks to exclude the folders that hold Hyper-V's file types, which the paths cover; an extension exclusion would leave every such file anywhere on the host unscanned (VHD and ISO files are a malware delivery format). --extensions lists Hyper-V's types for \(releaseName)."
        if input.options.extensions {
            for ext in ExclusionPlanner.hyperVExtensions(for: generation) {
                state.plan.extensions.append(
                    ExtensionExclusion(
                        extension: ext,
                        reason: "--extensions: Hyper-V file type on \(releaseName) (KB 3105657); host-wide"))
            }
        }
        if input.options.broadExtensions {
            for ext in ExclusionPlanner.broadExtensions {
                state.plan.extensions.append(
                    ExtensionExclusion(
                        extension: ext,
                        reason:
                            "--broad-extensions: host-wide and far too broad; the paths above already cover Hyper-V's own files"
                    ))
            }
            state.warnings.append(
                Finding(
                    .exclusion, at: .subject("exclusions"),
                    message:
                        "--broad-extensions lists .xml .bin .iso host-wide: every such file on the host escapes scanning, not only Hyper-V's",
                    severity: .warning))
        }
    }

    /// Without a release: 2016 rules when VMCX configurations exist, else 2012 R2.
    package var fallbackGeneration: HostFacts.WindowsGeneration {
        let vmcx = input.virtualMachines.contains {
            HyperVFiles.fileExtension($0.configurationFile?.lastComponent ?? "") == "vmcx"
        }
        return vmcx ? .v2016 : .v2012R2
    }

    /// The folders Microsoft names on every Hyper-V host: the data root, and on a replica server its storage
    /// locations (KB 3105657: "any custom replication data directories").
    package func hostFolders(_ state: inout PlanState) {
        if volume.kind(of: input.dataRoot) == .directory {
            state.namedFolders.append(input.dataRoot)
            state.add(
                PathCandidate(
                    path: volume.spelling(of: input.dataRoot), kind: .directory, basis: .microsoftFolder,
                    reason: "Hyper-V data root: VM registrations and default configurations (KB 3105657)",
                    evidence: [Evidence(source: input.dataRoot.description, detail: "exists on the volume")],
                    verified: true))
        }
        for storage in input.replicaStorage { replicaStorage(storage, &state) }
    }

    /// A Hyper-V Replica storage location: a folder exclusion (at a file server, refused, or warned about when it is
    /// missing), and the unreferenced files below it claimed as the replica VMs'.
    func replicaStorage(_ storage: PolicyInput.ReplicaStorage, _ state: inout PlanState) {
        let evidence =
            storage.confirmed
            ? [storage.evidence]
            : [
                storage.evidence,
                Evidence(
                    source: "hvexclude",
                    detail: "inferred: a folder holding 'Hyper-V Replica' is a replica storage location"),
            ]
        if case .unc = storage.path.root {
            state.fileServer(
                storage.path, kind: .directory, reason: "Hyper-V Replica storage location (KB 3105657)",
                evidence: evidence)
            return
        }
        let scanned = volume.isScanned(storage.path)
        if scanned && volume.kind(of: storage.path) != .directory {
            state.warn(
                storage.path,
                "Hyper-V Replica storage location \(storage.path) does not exist on the scanned volume: not planned"
            )
            return
        }
        // A location only inferred from the folders on disk passes the protected-place test like any folder; one the
        // user names is taken as named, but never a volume root.
        let why =
            storage.confirmed
            ? (storage.path.isRoot ? "it is a volume root" : nil) : state.protected.reason(storage.path)
        if let why {
            state.refuse(
                storage.path, "not excluded as a folder: \(why)", instead: "the replica VMs' files, one by one")
            return
        }
        let path = volume.spelling(of: storage.path)
        state.namedFolders.append(path)
        state.add(
            PathCandidate(
                path: path, kind: .directory, basis: .microsoftFolder,
                reason:
                    "Hyper-V Replica storage location: replica VMs, their disks while the initial copy arrives, and undo logs (KB 3105657)",
                evidence: evidence, verified: scanned && storage.confirmed))
        for file in input.unreferenced where path.contains(file.path) {
            state.claimed.append(
                ExclusionPlanner.ClaimedFile(
                    path: file.path, vms: [],
                    reason:
                        "in the Hyper-V Replica storage location \(path): a replica VM's file (its initial copy may still be arriving)"
                ))
        }
    }

    /// Cluster nodes (KB 250355, KB 3105657): `C:\ClusterStorage` when CSVs are known, the witness disk's
    /// `\Cluster`, `%SystemRoot%\Cluster`, the cluster account's temp folder, and clustered VMs' stores.
    package func cluster(_ state: inout PlanState) {
        let clusterService = service("ClusSvc")
        let systemDrive = input.environment.path("%SystemDrive%\\") ?? WindowsPath(root: .drive("C"), components: [])
        let storage = systemDrive.appending("ClusterStorage")!
        var csvEvidence = input.cluster?.sharedVolumeEvidence ?? []
        if let cluster = input.cluster, !cluster.sharedVolumes.isEmpty, csvEvidence.isEmpty {
            csvEvidence.append(
                Evidence(
                    source: "CLUSDB", detail: "Cluster Shared Volumes " + cluster.sharedVolumes.joined(separator: ", "))
            )
        }
        if let children = volume.children(of: storage), !children.isEmpty {
            csvEvidence.append(Evidence(source: storage.description, detail: "holds \(children.count) mount point(s)"))
        }
        if !csvEvidence.isEmpty {
            let exists = volume.kind(of: storage) == .directory
            state.namedFolders.append(storage)
            state.add(
                PathCandidate(
                    path: volume.spelling(of: storage), kind: .directory, basis: .microsoftFolder,
                    reason:
                        "Cluster Shared Volumes mount point (KB 3105657); CSV mount points exist only while the cluster runs",
                    evidence: csvEvidence, verified: true))
            if !exists && volume.isScanned(storage) {
                state.warn(
                    storage,
                    "C:\\ClusterStorage is not in the copy, but CSVs are known (\(csvEvidence.map(\.detail).joined(separator: "; "))): planned, since CSV mount points exist only while the cluster runs",
                    .info)
            }
        }
        if let clusterService, let folder = input.environment.path("%SystemRoot%\\Cluster") {
            if volume.kind(of: folder) == .directory {
                state.namedFolders.append(folder)
                state.add(
                    PathCandidate(
                        path: volume.spelling(of: folder), kind: .directory, basis: .microsoftFolder,
                        reason: "Failover Cluster database and logs (KB 250355)", evidence: [clusterService.evidence],
                        verified: true))
            } else if volume.isScanned(folder) {
                state.deferred[folder.key] = DeferredPath(
                    path: folder.description,
                    reason:
                        "Failover Cluster folder (KB 250355): the cluster service is installed, but the folder is not in the copy",
                    evidence: [clusterService.evidence])
            }
            // KB 250355: the cluster service account's temp folder (CLIUSR's profile), where it exists.
            for temp in ["%SystemDrive%\\Users\\CLIUSR\\AppData\\Local\\Temp"] {
                guard let path = input.environment.path(temp), volume.kind(of: path) == .directory else { continue }
                state.namedFolders.append(path)
                state.add(
                    PathCandidate(
                        path: volume.spelling(of: path), kind: .directory, basis: .microsoftFolder,
                        reason: "temp folder of the cluster service account (KB 250355)",
                        evidence: [clusterService.evidence], verified: true))
            }
        }
        if let witness = input.cluster?.witness, let folder = witness.drive.appending("Cluster") {
            let fromFolder = witness.evidence.contains { $0.detail.hasPrefix("inferred:") }
            let evidence =
                witness.evidence
                + (fromFolder
                    ? []
                    : [
                        Evidence(
                            source: "hvexclude",
                            detail:
                                "inferred: the quorum resource and its disk are read from CLUSDB keys known from community scripts"
                        )
                    ])
            if volume.isScanned(folder) && volume.kind(of: folder) != .directory {
                state.warn(
                    folder,
                    "the witness disk's \\Cluster folder does not exist on the scanned volume \(witness.drive.rootDescription): not planned"
                )
            } else {
                state.namedFolders.append(folder)
                state.add(
                    PathCandidate(
                        path: volume.spelling(of: folder), kind: .directory, basis: .microsoftFolder,
                        reason: "\\Cluster folder on the witness (quorum) disk (KB 250355)", evidence: evidence,
                        verified: false))
            }
        } else if let problem = input.cluster?.witnessProblem {
            state.warnings.append(Finding(.exclusion, at: .subject("CLUSDB"), message: problem, severity: .warning))
        }
        for store in input.cluster?.vmStores ?? [] {
            let reason = "clustered \(store.what); it runs here after a failover"
            if case .unc = store.path.root {
                state.fileServer(store.path, kind: .directory, reason: reason, evidence: [store.evidence])
            } else if !volume.isScanned(store.path) {
                state.add(
                    PathCandidate(
                        path: store.path, kind: .directory, basis: .file, reason: reason, evidence: [store.evidence],
                        verified: false))
            } else if volume.kind(of: store.path) == .directory {
                state.coverRoot(volume.spelling(of: store.path), reason: reason, evidence: [store.evidence])
            } else {
                state.warn(
                    store.path,
                    "\(store.what) names \(store.path), which does not exist on the scanned volume: not planned")
            }
        }
    }

    /// Where Hyper-V creates new VMs and disks: planned when the folder exists and passes the folder rule;
    /// deferred when Hyper-V has not created it yet (planned then only with `--plan-deferred`).
    package func defaultFolders(_ state: inout PlanState) {
        for folder in input.defaultFolders {
            let what = folder.valueName == "DefaultVirtualHardDiskPath" ? "new virtual disks" : "new VMs"
            let source = folder.fromRegistry ? folder.valueName : "built-in default; \(folder.valueName) absent"
            let reason = "where Hyper-V creates \(what) (\(source))"
            if case .unc = folder.path.root {
                state.fileServer(folder.path, kind: .directory, reason: reason, evidence: [folder.evidence])
                continue
            }
            if volume.kind(of: folder.path) == .directory {
                state.coverRoot(volume.spelling(of: folder.path), reason: reason, evidence: [folder.evidence])
                continue
            }
            let why =
                volume.isScanned(folder.path)
                ? "Hyper-V has not created it yet"
                : "it is on \(folder.path.rootDescription), which was not scanned"
            if input.options.planDeferred && state.protected.reason(folder.path) == nil {
                state.add(
                    PathCandidate(
                        path: folder.path, kind: .directory, reason: "--plan-deferred: \(reason); \(why)",
                        evidence: [folder.evidence], verified: false))
            } else {
                state.deferred[folder.path.key] = DeferredPath(
                    path: folder.path.description, reason: "\(reason); not planned: \(why) (--plan-deferred plans it)",
                    evidence: [folder.evidence])
            }
        }
    }

}

/// Service `ImagePath` values as Windows writes them (forms below), turned into Windows paths.
package enum ServiceImagePath {
    /// `system32\drivers\x.sys`, `\SystemRoot\System32\x.exe`, `%SystemRoot%\System32\x.exe`, `\??\C:\…`, or a
    /// quoted path with arguments → a Windows path; nil when it names none.
    package static func windowsPath(_ text: String, environment: WindowsEnvironment) -> WindowsPath? {
        var value = Substring(text.trimmingWhitespace())
        if value.hasPrefix("\"") {
            value = value.dropFirst()
            guard let close = value.firstIndex(of: "\"") else { return nil }
            value = value[..<close]
        } else if let exe = String(value).lowercased().firstRange(of: ".exe"),
            String(value).lowercased().count == value.count
        {
            // Unquoted with arguments: the path ends at the first ".exe".
            let end = String(value).lowercased().distance(
                from: String(value).lowercased().startIndex, to: exe.upperBound)
            value = value.prefix(end)
        }
        var path = String(value)
        let upper = path.uppercased()
        if upper.hasPrefix("\\SYSTEMROOT\\") {
            path = "%SystemRoot%" + path.dropFirst(11)
        } else if upper.hasPrefix("SYSTEM32\\") || upper.hasPrefix("SYSWOW64\\") {
            path = "%SystemRoot%\\" + path
        }
        return environment.path(path)
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    package func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
