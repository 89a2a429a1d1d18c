import FoundationEssentials
import HVXBinary
import HVXDiskImage
import HVXInventory
import HVXScan

// The one step from the typed model to the report's JSON layout. Nothing below Report knows a report type.

extension Report {
    /// The report of a scan; with `--mount`, `drives` say which partition of the disk image at `image` each root was
    /// mounted from.
    package init(_ result: ScanResult, image: String? = nil, drives: [DriveAssignment.Drive] = []) {
        var partitions: [String: ScanRoot.PartitionSource] = [:]
        if let image {
            for drive in drives {
                partitions[drive.mounted.mountPoint] = ScanRoot.PartitionSource(image: image, drive: drive)
            }
        }
        let inventory = result.inventory
        // Findings are reported once each (path, message, severity), sorted; the caller's notes join them.
        let warnings =
            Array(Set(result.findings.map(ReportWarning.init))).sorted() + result.notes.map(ReportWarning.init)
        let summary = ScanSummary(
            roots: result.roots.map { ScanRoot(drive: $0.name, path: $0.hostRoot, partition: partitions[$0.hostRoot]) },
            entriesVisited: result.entriesVisited,
            directoriesVisited: result.directoriesVisited,
            durationSeconds: result.durationSeconds,
            startedAt: result.startedAt.formatted(.iso8601),
            links: result.links.map(LinkRecord.init),
            warnings: warnings.sorted(),
            dataOnly: result.dataOnly ? true : nil)
        self.init(
            scan: summary, host: inventory.facts,
            virtualMachines: inventory.virtualMachines.map(VirtualMachineRecord.init),
            artifacts: inventory.artifacts.map(Artifact.init), exclusions: result.plan, fileServers: result.fileServers,
            unreferenced: inventory.unreferenced.map(UnreferencedItem.init), audit: result.audit)
        diagnosis = DiagnosisReport(
            result.diagnosis,
            logs: result.eventLogs.map {
                DiagnosisReport.Log(
                    channel: $0.channel, path: $0.path.description, records: $0.records,
                    recordsSkipped: $0.recordsSkipped)
            })
    }
}

extension ReportWarning {
    /// A finding as the report lists it.
    package init(_ finding: Finding) {
        self.init(path: finding.path, message: finding.message, severity: finding.severity)
    }
}

extension ScanRoot.PartitionSource {
    /// The partition a drive of a mounted disk image came from, and how its letter was decided.
    package init(image: String, drive: DriveAssignment.Drive) {
        let partition = drive.mounted.partition
        self.init(
            device: image, index: partition.number, offset: partition.offset, gptPartitionGuid: partition.partitionGUID,
            mbrDiskSignature: partition.partitionGUID == nil ? partition.diskSignature.map(hex) : nil,
            basis: drive.basis.rawValue, ntfsSerial: partition.ntfs?.serialText)
    }
}

extension LinkRecord {
    /// A link as the report lists it.
    package init(_ link: FoundLink) {
        self.init(
            path: link.path.description, hostPath: link.hostPath, target: link.target.windowsPath?.description,
            targetText: link.target.text, targetSource: link.target.source, linkKind: link.target.kind)
    }
}

extension Artifact {
    /// An artifact as the report lists it, with its users and, for a disk, its header facts and chain.
    package init(_ artifact: FoundArtifact) {
        self.init(
            path: artifact.path.description, hostPath: artifact.hostPath, kind: artifact.kind,
            vms: artifact.users?.map(\.description), disk: artifact.chain.map(DiskInfo.init(chain:)))
    }
}

extension DiskInfo {
    /// A disk's facts from its chain (first link: the disk itself).
    package init(chain: [DiskChainLink]) {
        let disk = chain.first?.disk
        self.init(
            format: disk?.format, type: disk?.type, virtualSize: disk?.virtualSize, blockSize: disk?.blockSize,
            creator: disk?.creator, id: disk?.identity, virtualDiskId: disk?.virtualDiskID,
            parentId: disk?.parent?.expectedIdentities.first, parent: chain.count > 1 ? chain[1].path : nil,
            chain: chain.map(ChainEntry.init),
            error: chain.first.flatMap { $0.status == .start ? nil : $0.reason })
    }
}

extension DiskInfo.ChainEntry {
    /// The entry for a resolved chain link.
    package init(_ link: DiskChainLink) {
        self.init(
            path: link.path, exists: link.exists, verified: link.verified, status: link.status, reason: link.reason,
            candidates: link.candidates)
    }
}

extension VirtualMachineRecord {
    /// A VM as the report lists it.
    package init(_ vm: VirtualMachine) {
        self.init(
            id: vm.id?.description, name: vm.name, configurationVersion: vm.configurationVersionText,
            generation: vm.generation,
            configurationFile: vm.configuration.text, hostPath: vm.configuration.hostPath,
            format: vm.configuration.format?.rawValue, registered: vm.registered, registration: vm.registration,
            exists: vm.configuration.exists, checkpointOf: vm.checkpointOf?.description, checkpoints: vm.checkpoints,
            folders: vm.folders.map(PathRecord.init), disks: vm.disks.map(DiskRecord.init),
            dvds: vm.isos.map(PathRecord.init),
            floppies: vm.floppies.map(PathRecord.init), files: vm.stateFiles.map(PathRecord.init),
            otherPaths: vm.otherPaths.map(PathRecord.init), warnings: vm.problems)
    }
}

extension PathRecord {
    /// A used path as the report lists it.
    package init(_ used: UsedPath) {
        self.init(
            path: used.display, role: used.role.name, exists: used.exists, problem: used.problem, keyPath: used.keyPath)
    }
}

extension DiskRecord {
    /// An attached disk as the report lists it; the header facts are in the disk's artifact entry.
    package init(_ disk: AttachedDisk) {
        let read = disk.exists ? disk.chain.first?.disk : nil
        self.init(
            path: disk.display, controller: disk.controller, keyPath: disk.keyPath, exists: disk.exists,
            format: read?.format, type: read?.type, chain: disk.chain.map(DiskInfo.ChainEntry.init))
    }
}

extension UnreferencedItem {
    /// Something no registered VM uses, as the report lists it.
    package init(_ item: UnreferencedFile) {
        self.init(path: item.path.description, kind: item.kind, reason: item.reason.description)
    }
}
