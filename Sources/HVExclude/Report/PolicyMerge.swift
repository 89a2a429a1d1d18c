/// One policy for many hosts (`hvexclude merge`): the union of the plans of a failover cluster's nodes, each
/// scanned offline, for one Group Policy, Intune policy or script for every node.
///
/// Paths on shared storage (`C:\ClusterStorage\…`, SMB shares) are the same on every node and apply to all of them;
/// paths on a node's local drives apply to the nodes that planned them, and say which. Each path, process and
/// extension appears once (a shared folder also absorbs what it covers on every node); where the nodes disagree
/// (a VM registered with different configurations, releases with different process sets, a path that is a folder
/// on one node and a file on another, different Defender channels) a conflict says so.

import HVXBinary
import HVXDiagnosis
import HVXDiskImage
import HVXExclusions
import HVXFormats
import HVXInventory
import HVXScan
import HVXVolume

package struct MergedPolicy: Codable, Sendable, Equatable {
    /// The report layout this policy follows (the reports' own).
    package var schemaVersion = Report.currentSchemaVersion
    /// The program that wrote it.
    package var tool = ToolInfo()
    /// `mergedPolicy`: what this JSON is (a report has no `kind`).
    package var kind = "mergedPolicy"
    /// The nodes, in the order their reports were given.
    package var nodes: [Node]
    /// Every node's VMs, each once.
    package var virtualMachines: [VM]
    /// The union plan.
    package var exclusions: Exclusions
    /// What to exclude on the SMB file servers (each entry once).
    package var fileServers: [FileServerPlan]
    /// Where the nodes disagree.
    package var conflicts: [Conflict]

    /// Entries held by a detection on some node.
    package var heldCount: Int { exclusions.paths.count { $0.hold != nil } }

    /// One node.
    package struct Node: Codable, Sendable, Equatable {
        /// SYSTEM's ComputerName, else the report file's name.
        package var name: String
        /// The report file.
        package var report: String
        /// The Windows release the report names.
        package var release: String?
        /// Its build.
        package var build: Int?
        /// Registered VMs (names) of this node.
        package var virtualMachines: [String]
        /// Its configured Defender exclusion channels (`preferences`, `policies`, `mdm`) that hold entries.
        package var defenderChannels: [String]
        /// Entries the node's own audit found missing, stale, over-broad or mistyped.
        package var missing: Int
        package var toFix: Int
    }

    /// One VM of the cluster.
    package struct VM: Codable, Sendable, Equatable {
        package var id: String?
        package var name: String?
        /// The nodes that register it.
        package var nodes: [String]
        /// Its configuration file as the first node names it.
        package var configurationFile: String
        /// Whether it lives on shared storage (a CSV or a share): it may run on any node.
        package var shared: Bool
    }

    /// The union plan.
    package struct Exclusions: Codable, Sendable, Equatable {
        package var paths: [Path]
        package var processes: [Process]
        package var extensions: [ExtensionExclusion]
    }

    /// One path of the union plan.
    package struct Path: Codable, Sendable, Equatable {
        package var path: String
        package var kind: PathExclusion.Kind
        package var form: PathExclusion.Form
        package var lifecycle: PathExclusion.Lifecycle?
        package var basis: PathExclusion.Basis
        package var reasons: [String]
        package var verified: Bool
        /// The nodes it applies to: every node for shared storage, else the nodes that planned it.
        package var nodes: [String]
        /// Whether it is on shared storage (the same path on every node).
        package var shared: Bool
        package var hold: EntryHold?
    }

    /// One process of the union plan.
    package struct Process: Codable, Sendable, Equatable {
        package var path: String
        package var reason: String
        package var nodes: [String]
    }

    /// Where the nodes disagree.
    package struct Conflict: Codable, Sendable, Equatable {
        /// `vmConfiguration`, `release`, `processes`, `kind`, `defenderChannel`.
        package var kind: String
        /// What it is about (a VM, a path, the release).
        package var subject: String
        /// What each node says.
        package var detail: String
        package var nodes: [String]
    }
}

/// Why `merge` refuses its input.
package enum MergeError: Error, Equatable, CustomStringConvertible {
    /// Reports of different schema versions.
    case schemaVersions([String: Int])
    /// The same node twice.
    case sameNode(String, files: [String])
    /// Fewer than one report.
    case nothingToMerge

    package var description: String {
        switch self {
        case .schemaVersions(let versions):
            return "the reports have different schema versions ("
                + versions.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
                + "): scan every node with the same hvexclude"
        case .sameNode(let name, let files):
            return "node \(name) is given twice (\(files.joined(separator: ", "))): give one report per node"
        case .nothingToMerge:
            return "no report to merge"
        }
    }
}

package enum PolicyMerge {
    /// Merges the reports (file name, report), in order.
    /// - Throws: ``MergeError`` for mixed schema versions or a node given twice.
    package static func merge(_ reports: [(file: String, report: Report)]) throws -> MergedPolicy {
        guard !reports.isEmpty else { throw MergeError.nothingToMerge }
        let versions = Dictionary(
            reports.map { ($0.file, $0.report.schemaVersion) }, uniquingKeysWith: { first, _ in first })
        if Set(versions.values).count > 1 { throw MergeError.schemaVersions(versions) }
        var nodes: [MergedPolicy.Node] = []
        var seen: [String: String] = [:]
        for (file, report) in reports {
            let name = nodeName(report, file: file)
            if let other = seen[NTFSName.fold(name)] { throw MergeError.sameNode(name, files: [other, file]) }
            seen[NTFSName.fold(name)] = file
            let defender = report.host?.defender
            var channels: [String] = []
            for (channel, set) in [
                ("preferences", defender?.preferences), ("policies", defender?.policies), ("mdm", defender?.mdm),
            ] {
                if let set, !(set.paths.isEmpty && set.extensions.isEmpty && set.processes.isEmpty) {
                    channels.append(channel)
                }
            }
            if defender?.localPreferencesIgnored == true { channels.append("DisableLocalAdminMerge") }
            nodes.append(
                MergedPolicy.Node(
                    name: name, report: file,
                    release: report.host?.windows?.release ?? report.host?.windows?.productName?.value,
                    build: report.host?.windows?.build,
                    virtualMachines: report.virtualMachines.filter { $0.registered && $0.checkpointOf == nil }
                        .compactMap { $0.name ?? $0.id },
                    defenderChannels: channels, missing: report.audit?.missingCount ?? 0,
                    toFix: report.audit?.configured.count { !$0.findings.isEmpty } ?? 0))
        }
        let names = nodes.map(\.name)
        var policy = MergedPolicy(
            nodes: nodes, virtualMachines: [], exclusions: .init(paths: [], processes: [], extensions: []),
            fileServers: [], conflicts: [])
        mergePaths(reports.map(\.report), names: names, into: &policy)
        mergeProcesses(reports.map(\.report), names: names, into: &policy)
        mergeVMs(reports.map(\.report), names: names, into: &policy)
        var servers: [String: FileServerPlan] = [:]
        for report in reports.map(\.report) {
            for server in report.fileServers {
                let key = NTFSName.fold(server.server)
                guard var merged = servers[key] else { servers[key] = server; continue }
                for share in server.shares {
                    if let index = merged.shares.firstIndex(where: {
                        NTFSName.fold($0.name) == NTFSName.fold(share.name)
                    }) {
                        for entry in share.paths
                        where !merged.shares[index].paths.contains(where: {
                            NTFSName.fold($0.path) == NTFSName.fold(entry.path)
                        }) {
                            merged.shares[index].paths.append(entry)
                        }
                    } else {
                        merged.shares.append(share)
                    }
                }
                servers[key] = merged
            }
        }
        policy.fileServers = servers.keys.sorted().map { servers[$0]! }
        let releases = Dictionary(grouping: nodes, by: { $0.release ?? "unknown" })
        if releases.count > 1 {
            policy.conflicts.append(
                MergedPolicy.Conflict(
                    kind: "release", subject: "Windows release",
                    detail: releases.keys.sorted().map { "\($0): " + releases[$0]!.map(\.name).joined(separator: ", ") }
                        .joined(separator: "; ")
                        + " — Hyper-V's processes and Defender's automatic exclusions differ by release; each node gets the processes its release runs",
                    nodes: names))
        }
        let channels = Dictionary(grouping: nodes, by: { $0.defenderChannels.joined(separator: "+") })
        if channels.count > 1 {
            policy.conflicts.append(
                MergedPolicy.Conflict(
                    kind: "defenderChannel", subject: "where Defender's exclusions are configured",
                    detail: channels.keys.sorted().map {
                        ($0.isEmpty ? "none" : $0) + ": " + channels[$0]!.map(\.name).joined(separator: ", ")
                    }.joined(separator: "; ")
                        + " — push the merged policy through one channel (Group Policy or Intune) to every node",
                    nodes: names))
        }
        return policy
    }

    /// SYSTEM's ComputerName, else the report file's name without folder and `.json`.
    package static func nodeName(_ report: Report, file: String) -> String {
        if let name = report.host?.computerName?.value, !name.isEmpty { return name }
        var base = String(file.split(separator: "/").last ?? Substring(file))
        if base.lowercased().hasSuffix(".json") { base.removeLast(5) }
        return base
    }

    /// Whether a path is on storage every node sees the same way: a share, or a Cluster Shared Volume.
    package static func isShared(_ path: WindowsPath) -> Bool {
        if case .unc = path.root { return true }
        return path.components.count >= 1 && NTFSName.fold(path.components[0]) == "CLUSTERSTORAGE"
    }

    package static func mergePaths(_ reports: [Report], names: [String], into policy: inout MergedPolicy) {
        var order: [String] = []
        var merged: [String: MergedPolicy.Path] = [:]
        for (index, report) in reports.enumerated() {
            for entry in report.exclusions.paths {
                let key = WindowsPath(entry.path)?.key ?? NTFSName.fold(entry.path)
                let shared = WindowsPath(entry.path).map(isShared) ?? false
                if var existing = merged[key] {
                    join(entry, node: names[index], into: &existing, conflicts: &policy.conflicts)
                    merged[key] = existing
                } else {
                    order.append(key)
                    merged[key] = MergedPolicy.Path(
                        path: entry.path, kind: entry.kind, form: entry.form, lifecycle: entry.lifecycle,
                        basis: entry.basis,
                        reasons: entry.reasons, verified: entry.verified, nodes: [names[index]], shared: shared,
                        hold: entry.hold)
                }
            }
        }
        // Shared storage applies on every node.
        for key in order where merged[key]!.shared { merged[key]!.nodes = names }
        // Drop an entry that a folder above it covers on every node it applies to. Plan folders hold no wildcard, so
        // the folders that can cover a path are its ancestors: one lookup per level, not a comparison per pair.
        var kept: [String] = []
        for key in order {
            let entry = merged[key]!
            guard let path = WindowsPath(entry.path), !path.components.isEmpty else { kept.append(key); continue }
            var covered = false
            for depth in 0..<path.components.count {
                let ancestor = WindowsPath(root: path.root, components: Array(path.components.prefix(depth))).key
                if let cover = merged[ancestor], cover.kind == .directory, Set(entry.nodes).isSubset(of: cover.nodes) {
                    covered = true
                    break
                }
            }
            if !covered { kept.append(key) }
        }
        policy.exclusions.paths = kept.sorted { merged[$0]!.path.lowercased() < merged[$1]!.path.lowercased() }.map {
            merged[$0]!
        }
        // Extensions: the union.
        var extensions: [String: ExtensionExclusion] = [:]
        for report in reports {
            for entry in report.exclusions.extensions {
                extensions[entry.extension.lowercased()] = extensions[entry.extension.lowercased()] ?? entry
            }
        }
        policy.exclusions.extensions = extensions.keys.sorted().map { extensions[$0]! }
    }

    /// Joins `entry`, planned by `node`, with the entry other nodes plan for the same path: the node, its reasons,
    /// verified only if verified everywhere, held if held anywhere; a file on one node and a folder on another is a
    /// conflict, excluded as the folder.
    static func join(
        _ entry: PathExclusion, node: String, into existing: inout MergedPolicy.Path,
        conflicts: inout [MergedPolicy.Conflict]
    ) {
        if !existing.nodes.contains(node) { existing.nodes.append(node) }
        for reason in entry.reasons where !existing.reasons.contains(reason) {
            existing.reasons.append(reason)
        }
        existing.verified = existing.verified && entry.verified
        if existing.kind != entry.kind {
            conflicts.append(
                MergedPolicy.Conflict(
                    kind: "kind", subject: entry.path,
                    detail:
                        "a \(existing.kind == .directory ? "folder" : "file") on \(existing.nodes.dropLast().joined(separator: ", ")), a \(entry.kind == .directory ? "folder" : "file") on \(node): excluded as a folder, which covers both",
                    nodes: existing.nodes))
            existing.kind = .directory
            existing.form = .folder
        }
        if existing.hold == nil { existing.hold = entry.hold }
    }

    package static func mergeProcesses(_ reports: [Report], names: [String], into policy: inout MergedPolicy) {
        var order: [String] = []
        var merged: [String: MergedPolicy.Process] = [:]
        for (index, report) in reports.enumerated() {
            for entry in report.exclusions.processes {
                let key = NTFSName.fold(entry.path)
                if merged[key] == nil {
                    order.append(key)
                    merged[key] = MergedPolicy.Process(path: entry.path, reason: entry.reason, nodes: [])
                }
                if !merged[key]!.nodes.contains(names[index]) { merged[key]!.nodes.append(names[index]) }
            }
        }
        policy.exclusions.processes = order.map { merged[$0]! }
        for process in policy.exclusions.processes where process.nodes.count < names.count {
            policy.conflicts.append(
                MergedPolicy.Conflict(
                    kind: "processes", subject: process.path,
                    detail:
                        "planned on \(process.nodes.joined(separator: ", ")) only (not on \(names.filter { !process.nodes.contains($0) }.joined(separator: ", ")), whose release or services do not run it)",
                    nodes: process.nodes))
        }
    }

    package static func mergeVMs(_ reports: [Report], names: [String], into policy: inout MergedPolicy) {
        var order: [String] = []
        var merged: [String: (vm: MergedPolicy.VM, versions: Set<String>, configurations: Set<String>)] = [:]
        for (index, report) in reports.enumerated() {
            for vm in report.virtualMachines where vm.registered && vm.checkpointOf == nil {
                let key = vm.id ?? NTFSName.fold(vm.configurationFile)
                let shared = WindowsPath(vm.configurationFile).map(isShared) ?? false
                if merged[key] == nil {
                    order.append(key)
                    merged[key] = (
                        MergedPolicy.VM(
                            id: vm.id, name: vm.name, nodes: [], configurationFile: vm.configurationFile, shared: shared
                        ), [], []
                    )
                }
                merged[key]!.vm.nodes.append(names[index])
                merged[key]!.versions.insert(vm.configurationVersion ?? "?")
                merged[key]!.configurations.insert(NTFSName.fold(vm.configurationFile))
            }
        }
        policy.virtualMachines = order.map { merged[$0]!.vm }
        for key in order {
            let (vm, versions, configurations) = merged[key]!
            guard vm.nodes.count > 1, versions.count > 1 || configurations.count > 1 else { continue }
            policy.conflicts.append(
                MergedPolicy.Conflict(
                    kind: "vmConfiguration", subject: "VM \(vm.name ?? vm.id ?? "?")",
                    detail:
                        "registered on \(vm.nodes.joined(separator: ", ")) with different configurations (files: \(configurations.sorted().joined(separator: ", ")); versions: \(versions.sorted().joined(separator: ", ")))",
                    nodes: vm.nodes))
        }
    }
}

extension MergedPolicy {
    /// The plan for one node of the policy: every shared entry, and the node's own (matched case-insensitively);
    /// for a node the policy does not name, the shared entries and the processes every node runs.
    package func plan(forNode name: String?) -> (plan: ExclusionPlan, known: Bool) {
        let folded = name.map { NTFSName.fold($0) }
        let known = folded.map { node in nodes.contains { NTFSName.fold($0.name) == node } } ?? false
        let applies = { (entryNodes: [String]) in
            known ? entryNodes.contains { NTFSName.fold($0) == folded } : entryNodes.count == nodes.count
        }
        var plan = ExclusionPlan()
        plan.paths = exclusions.paths.filter { $0.shared || applies($0.nodes) }.map { entry in
            PathExclusion(
                path: entry.path, environmentPath: nil, kind: entry.kind, form: entry.form, lifecycle: entry.lifecycle,
                basis: entry.basis, reasons: entry.reasons, evidence: [], verified: entry.verified, hold: entry.hold)
        }
        plan.processes = exclusions.processes.filter { applies($0.nodes) }.map {
            ProcessExclusion(path: $0.path, reason: $0.reason)
        }
        plan.extensions = exclusions.extensions
        return (plan, known)
    }

    /// The policy in words: nodes, conflicts, then one line per entry with the nodes it applies to.
    package func text() -> String {
        var lines = [
            "Merged policy for \(nodes.count) node\(nodes.count == 1 ? "" : "s"): "
                + nodes.map { node in
                    node.name + (node.release.map { " (\($0))" } ?? "")
                }.joined(separator: ", ")
        ]
        lines.append(
            "\(virtualMachines.count) VMs (\(virtualMachines.count { $0.shared }) on shared storage); "
                + "\(exclusions.paths.count) paths, \(exclusions.processes.count) processes, \(exclusions.extensions.count) extensions; "
                + "\(exclusions.paths.count { $0.hold != nil }) held")
        if !conflicts.isEmpty {
            lines.append("Conflicts (\(conflicts.count))")
            lines += conflicts.map { "  \($0.kind): \($0.subject): \($0.detail)" }
        }
        lines.append("Paths")
        for entry in exclusions.paths {
            let scope =
                entry.shared
                ? "all nodes (shared storage)"
                : (entry.nodes.count == nodes.count ? "all nodes" : entry.nodes.joined(separator: ", "))
            lines.append(
                "  \(entry.form.rawValue)  \(entry.path)  [\(scope)]"
                    + (entry.hold.map { "  HELD: \($0.threat ?? $0.reason)" } ?? ""))
        }
        lines.append("Processes")
        for process in exclusions.processes {
            lines.append(
                "  \(process.path)  [\(process.nodes.count == nodes.count ? "all nodes" : process.nodes.joined(separator: ", "))]"
            )
        }
        lines.append("VMs")
        for vm in virtualMachines {
            lines.append(
                "  \(vm.name ?? vm.id ?? "?")  \(vm.shared ? "shared" : "local to " + vm.nodes.joined(separator: ", "))  \(vm.configurationFile)"
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One PowerShell script for every node: shared entries everywhere, each node's own entries only where
    /// `$env:COMPUTERNAME` is that node; single-quoted literals, held entries only with `-AcceptDetections`.
    /// Written UTF-8 with a byte-order mark and CRLF, as Windows PowerShell 5.1 needs (DOMAIN.md).
    package func powershell() -> [UInt8] {
        let quote = PowerShellExporter.quote
        let comment = PowerShellExporter.comment
        var lines = [
            "#Requires -RunAsAdministrator",
            "# Microsoft Defender exclusions for the cluster nodes "
                + comment(nodes.map(\.name).joined(separator: ", ")) + ", merged by \(tool.name) \(tool.version).",
            "# Run it on every node: shared-storage entries apply everywhere, a node's own entries only on that node.",
            "[CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]",
            "param([switch]$AcceptDetections)",
            "$ErrorActionPreference = 'Stop'",
            "$node = $env:COMPUTERNAME",
            "$existing = @((Get-MpPreference).ExclusionPath | Where-Object { $_ } | ForEach-Object { $_.TrimEnd('\\') })",
            "$existingProcesses = @((Get-MpPreference).ExclusionProcess | Where-Object { $_ })",
            "$added = 0",
            "function Add-HvxPath([string[]]$Nodes, [string]$Path, [bool]$Held) {",
            "    if ($Nodes.Count -gt 0 -and $Nodes -notcontains $node) { return }",
            "    if ($Held -and -not $AcceptDetections) { Write-Warning ('held (malware detected): ' + $Path + ' - not added; investigate, then run with -AcceptDetections'); return }",
            "    if ($existing -contains $Path.TrimEnd('\\')) { return }",
            "    if ($PSCmdlet.ShouldProcess($Path, 'Add-MpPreference -ExclusionPath')) { Add-MpPreference -ExclusionPath $Path; $script:added++ }",
            "}",
            "function Add-HvxProcess([string[]]$Nodes, [string]$Path) {",
            "    if ($Nodes.Count -gt 0 -and $Nodes -notcontains $node) { return }",
            "    if ($existingProcesses -contains $Path) { return }",
            "    if ($PSCmdlet.ShouldProcess($Path, 'Add-MpPreference -ExclusionProcess')) { Add-MpPreference -ExclusionProcess $Path; $script:added++ }",
            "}",
        ]
        for entry in exclusions.paths {
            let nodeList =
                entry.shared || entry.nodes.count == nodes.count
                ? "@()" : "@(" + entry.nodes.map(quote).joined(separator: ", ") + ")"
            lines.append(
                "# " + comment(entry.reasons.first ?? "") + (entry.shared ? " (shared storage: every node)" : ""))
            lines.append("Add-HvxPath -Nodes \(nodeList) -Path \(quote(entry.path)) -Held $\(entry.hold != nil)")
        }
        for process in exclusions.processes {
            let nodeList =
                process.nodes.count == nodes.count
                ? "@()" : "@(" + process.nodes.map(quote).joined(separator: ", ") + ")"
            lines.append("Add-HvxProcess -Nodes \(nodeList) -Path \(quote(process.path))")
        }
        lines.append("Write-Output ('hvexclude: ' + $added + ' Defender exclusion(s) added on ' + $node)")
        return [0xEF, 0xBB, 0xBF] + Array(lines.joined(separator: "\r\n").utf8) + [0x0D, 0x0A]
    }
}

extension ScanResult {
    /// Audits the host's configured exclusions against a saved plan or merged policy (`audit --against`) instead of
    /// the plan this scan made: the policy's shared entries and this node's own (the node named by SYSTEM's
    /// ComputerName). A note says which policy and node; a node the policy does not name gets the shared entries
    /// and the processes every node runs, with a warning.
    package mutating func audit(against policy: MergedPolicy, file: String) {
        guard inventory.softwareHiveRead, let facts = inventory.facts else { return }
        let node = facts.computerName?.value
        let (plan, known) = policy.plan(forNode: node)
        audit = DefenderAuditor.audit(
            plan: plan, facts: facts, map: VolumeMap(roots), environment: inventory.environment)
        notes.append(
            Finding(
                .exclusion, at: .hostPath(file),
                message:
                    "audited against the policy in \(file) for node \(node ?? "(unnamed)"): \(plan.paths.count) paths, \(plan.processes.count) processes",
                severity: .info))
        if !known {
            notes.append(
                Finding(
                    .exclusion, at: .hostPath(file),
                    message:
                        "the policy in \(file) does not name this node (\(node ?? "no ComputerName in SYSTEM")): audited against its shared entries and the processes every node runs",
                    severity: .warning))
        }
    }
}

extension MergedPolicy {
    /// The part of the policy every node shares — shared storage, and what every node planned — as a report the
    /// policy formats (`pol`, `intune`, `reg`, `csv`, `list`) write; `template` (a node's report) lends the tool and
    /// host description. A Group Policy or Intune policy reaches every node alike, so an entry of only some nodes
    /// would pre-create an exclusion (a hiding place) on the others: those are left out, each named in `left` with
    /// its nodes (the merged PowerShell script applies them node by node).
    package func clusterWide(template: Report) -> (report: Report, left: [String]) {
        var report = template
        let everyNode = { (entryNodes: [String]) in
            Set(entryNodes.map { NTFSName.fold($0) }) == Set(nodes.map { NTFSName.fold($0.name) })
        }
        var left: [String] = []
        var plan = ExclusionPlan()
        for entry in exclusions.paths {
            guard entry.shared || everyNode(entry.nodes) else {
                left.append("\(entry.path) (\(entry.nodes.joined(separator: ", ")) only)")
                continue
            }
            plan.paths.append(
                PathExclusion(
                    path: entry.path, environmentPath: nil, kind: entry.kind, form: entry.form,
                    lifecycle: entry.lifecycle,
                    basis: entry.basis, reasons: entry.reasons, evidence: [], verified: entry.verified, hold: entry.hold
                ))
        }
        for process in exclusions.processes {
            guard everyNode(process.nodes) else {
                left.append("process \(process.path) (\(process.nodes.joined(separator: ", ")) only)")
                continue
            }
            plan.processes.append(ProcessExclusion(path: process.path, reason: process.reason))
        }
        plan.extensions = exclusions.extensions
        report.exclusions = plan
        report.fileServers = []
        report.audit = nil
        return (report, left)
    }
}
