import FoundationEssentials
import HVXBinary
import HVXDiagnosis
import HVXDiskImage
import HVXExclusions
import HVXFormats
import HVXInventory
import HVXScan
import HVXVolume

/// What changed between two scans of a host (`hvexclude diff OLD.json NEW.json`): VMs added, removed or moved,
/// checkpoints added or removed, disk chains changed, plan entries added or removed (with why), audit statuses that
/// changed, and diagnosis findings that are new. The scan times and durations are not compared.
///
/// `planChanged` is what a scheduled task or monitoring system acts on: the exclusions in force must change.
package struct ReportDiff: Codable, Sendable, Equatable {
    /// `reportDiff`.
    package var kind = "reportDiff"
    /// The two reports' scan times.
    package var old: String
    package var new: String
    /// VMs (not checkpoints) by id.
    package var virtualMachines: VMChanges
    /// Checkpoints by id.
    package var checkpoints: Changes
    /// Disks whose chain changed, per VM.
    package var disks: [DiskChange]
    /// Plan entries (paths, processes, extensions) added or removed.
    package var plan: PlanChanges
    /// Audit statuses that changed.
    package var audit: [AuditChange]
    /// Diagnosis findings (VM, file, signature) that are new.
    package var newFindings: [String]
    /// Whether the exclusions must change.
    package var planChanged: Bool

    package struct VMChanges: Codable, Sendable, Equatable {
        package var added: [String]
        package var removed: [String]
        package var moved: [Move]
    }

    package struct Move: Codable, Sendable, Equatable {
        package var vm: String
        package var from: String
        package var to: String
    }

    package struct Changes: Codable, Sendable, Equatable {
        package var added: [String]
        package var removed: [String]
    }

    package struct DiskChange: Codable, Sendable, Equatable {
        package var vm: String
        package var old: [String]
        package var new: [String]
    }

    package struct PlanChanges: Codable, Sendable, Equatable {
        package var added: [Entry]
        package var removed: [Entry]
    }

    package struct Entry: Codable, Sendable, Equatable {
        /// `path`, `process`, `extension`.
        package var type: String
        package var value: String
        package var reasons: [String]
    }

    package struct AuditChange: Codable, Sendable, Equatable {
        package var entry: String
        package var old: String
        package var new: String
    }

    /// Whether anything at all changed.
    package var isEmpty: Bool {
        virtualMachines.added.isEmpty && virtualMachines.removed.isEmpty && virtualMachines.moved.isEmpty
            && checkpoints.added.isEmpty && checkpoints.removed.isEmpty && disks.isEmpty && !planChanged
            && audit.isEmpty && newFindings.isEmpty
    }

    /// The differences from `old` to `new`.
    package static func compare(_ old: Report, _ new: Report) -> ReportDiff {
        func label(_ vm: VirtualMachineRecord) -> String { "\(vm.name ?? "(unnamed)") (\(vm.id ?? "no id"))" }
        func byId(_ report: Report, checkpoints: Bool) -> [String: VirtualMachineRecord] {
            Dictionary(
                report.virtualMachines.filter { $0.registered && ($0.checkpointOf != nil) == checkpoints }
                    .map { ($0.id ?? NTFSName.fold($0.configurationFile), $0) }, uniquingKeysWith: { first, _ in first }
            )
        }
        let oldVMs = byId(old, checkpoints: false)
        let newVMs = byId(new, checkpoints: false)
        var vms = VMChanges(added: [], removed: [], moved: [])
        for key in newVMs.keys.sorted() where oldVMs[key] == nil { vms.added.append(label(newVMs[key]!)) }
        for key in oldVMs.keys.sorted() where newVMs[key] == nil { vms.removed.append(label(oldVMs[key]!)) }
        var disks: [DiskChange] = []
        for key in oldVMs.keys.sorted() {
            guard let before = oldVMs[key], let after = newVMs[key] else { continue }
            if NTFSName.fold(before.configurationFile) != NTFSName.fold(after.configurationFile) {
                vms.moved.append(Move(vm: label(after), from: before.configurationFile, to: after.configurationFile))
            }
            let chains = { (vm: VirtualMachineRecord) in
                vm.disks.map { disk in disk.chain.map(\.path).joined(separator: " → ") }.sorted()
            }
            if chains(before) != chains(after) {
                disks.append(DiskChange(vm: label(after), old: chains(before), new: chains(after)))
            }
        }
        let oldCheckpoints = byId(old, checkpoints: true)
        let newCheckpoints = byId(new, checkpoints: true)
        let checkpoints = Changes(
            added: newCheckpoints.keys.sorted().filter { oldCheckpoints[$0] == nil }.map { label(newCheckpoints[$0]!) },
            removed: oldCheckpoints.keys.sorted().filter { newCheckpoints[$0] == nil }.map {
                label(oldCheckpoints[$0]!)
            })
        let oldPlan = planEntries(old)
        let newPlan = planEntries(new)
        let plan = PlanChanges(
            added: newPlan.keys.sorted().filter { oldPlan[$0] == nil }.map { newPlan[$0]! },
            removed: oldPlan.keys.sorted().filter { newPlan[$0] == nil }.map { oldPlan[$0]! })
        let audit = auditChanges(old, new)
        let findingKey = { (finding: DiagnosisReport.Finding) in
            "\(finding.vmName ?? finding.vm ?? "?") \(finding.file ?? "(all files)") \(finding.signatures.joined(separator: ","))"
        }
        let oldFindings = Set((old.diagnosis?.findings ?? []).map(findingKey))
        let newFindings = (new.diagnosis?.findings ?? []).map(findingKey).filter { !oldFindings.contains($0) }
        return ReportDiff(
            old: old.scan.startedAt, new: new.scan.startedAt, virtualMachines: vms, checkpoints: checkpoints,
            disks: disks, plan: plan,
            audit: audit, newFindings: newFindings, planChanged: !plan.added.isEmpty || !plan.removed.isEmpty)
    }

    /// A report's planned paths, processes and extensions, by type and folded value.
    static func planEntries(_ report: Report) -> [String: Entry] {
        var out: [String: Entry] = [:]
        for entry in report.exclusions.paths {
            out["path " + NTFSName.fold(entry.path)] = Entry(type: "path", value: entry.path, reasons: entry.reasons)
        }
        for entry in report.exclusions.processes {
            out["process " + NTFSName.fold(entry.path)] = Entry(
                type: "process", value: entry.path, reasons: [entry.reason])
        }
        for entry in report.exclusions.extensions {
            out["extension " + entry.extension.lowercased()] = Entry(
                type: "extension", value: entry.extension, reasons: [entry.reason])
        }
        return out
    }

    /// The planned entries both audits list whose status on the host changed.
    static func auditChanges(_ old: Report, _ new: Report) -> [AuditChange] {
        var audit: [AuditChange] = []
        let oldStatus = Dictionary(
            (old.audit?.planned ?? []).map { ("\($0.type.rawValue) \($0.value)", $0.status.rawValue) },
            uniquingKeysWith: { first, _ in first })
        for entry in new.audit?.planned ?? [] {
            let key = "\(entry.type.rawValue) \(entry.value)"
            if let before = oldStatus[key], before != entry.status.rawValue {
                audit.append(AuditChange(entry: key, old: before, new: entry.status.rawValue))
            }
        }
        return audit
    }

    /// The changes in words, one per line.
    package func text() -> String {
        var lines: [String] = []
        lines.append(
            planChanged
                ? "The exclusions must change: \(plan.added.count) to add, \(plan.removed.count) to remove."
                : "The exclusions need no change.")
        for vm in virtualMachines.added { lines.append("VM added: \(vm)") }
        for vm in virtualMachines.removed { lines.append("VM removed: \(vm)") }
        for move in virtualMachines.moved { lines.append("VM moved: \(move.vm): \(move.from) → \(move.to)") }
        for checkpoint in checkpoints.added { lines.append("checkpoint added: \(checkpoint)") }
        for checkpoint in checkpoints.removed { lines.append("checkpoint removed: \(checkpoint)") }
        for disk in disks {
            lines.append("disks of \(disk.vm) changed:")
            lines += disk.old.map { "  - " + $0 } + disk.new.map { "  + " + $0 }
        }
        for entry in plan.added { lines.append("plan + \(entry.type) \(entry.value) — \(entry.reasons.first ?? "")") }
        for entry in plan.removed {
            lines.append("plan - \(entry.type) \(entry.value) — was: \(entry.reasons.first ?? "")")
        }
        for change in audit { lines.append("audit: \(change.entry): \(change.old) → \(change.new)") }
        for finding in newFindings { lines.append("new in the event logs: \(finding)") }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Reads a report or merged policy file written by hvexclude.
package enum SavedReport {
    /// The report in `file`.
    /// - Throws: ``SavedReportError`` naming the file and what is wrong.
    package static func load(_ file: String) throws -> Report {
        let bytes = try read(file)
        do {
            return try JSONDecoder().decode(Report.self, from: Data(bytes))
        } catch {
            throw SavedReportError.notAReport(file, "\(error)")
        }
    }

    /// The merged policy in `file`, or a single report taken as the policy of its one node.
    package static func loadPolicy(_ file: String) throws -> MergedPolicy {
        let bytes = try read(file)
        if let policy = try? JSONDecoder().decode(MergedPolicy.self, from: Data(bytes)), policy.kind == "mergedPolicy" {
            return policy
        }
        return try PolicyMerge.merge([(file, load(file))])
    }

    package static func read(_ file: String) throws -> [UInt8] {
        do {
            let reader = try FileReader(path: file, readBudget: 512 << 20)
            guard reader.size <= 512 << 20 else { throw SavedReportError.tooLarge(file, reader.size) }
            return try reader.read(at: 0, count: Int(reader.size))
        } catch let error as SavedReportError {
            throw error
        } catch {
            throw SavedReportError.unreadable(file, "\(error)")
        }
    }
}

/// Why a saved report cannot be used.
package enum SavedReportError: Error, Equatable, CustomStringConvertible {
    case unreadable(String, String)
    case notAReport(String, String)
    case tooLarge(String, UInt64)

    package var description: String {
        switch self {
        case .unreadable(let file, let why): return "\(file): cannot be read: \(why)"
        case .notAReport(let file, let why): return "\(file): not an hvexclude JSON report: \(why)"
        case .tooLarge(let file, let size): return "\(file): \(size) bytes, more than a report can be (512 MiB)"
        }
    }
}
