import Foundation
import Testing

@testable import HVXBinary
@testable import HVXDiagnosis
@testable import HVXDiskImage
@testable import HVXExclusions
@testable import HVXFormats
@testable import HVXInventory
@testable import HVXReport
@testable import HVXScan
@testable import HVXSession
@testable import HVXVolume
@testable import HVXWalk

/// `merge`, `diff` and `audit --against` on hosts `scripts/make-fleet-cases` builds: a three-node cluster (shared
/// CSV, one local VM per node, node3 on 2016, a stale exclusion on node2) and one host before and after a VM moved,
/// a checkpoint taken and a VM deleted.
@Suite(.serialized) struct FleetTests {
    static let cases: Result<String, Error> = Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hvx-fleet-cases-\(getpid())").path
        try? FileManager.default.removeItem(atPath: folder)
        ExitCleanup.remove(folder)
        let made = try CLI.runTool(
            "python3", [CLI.projectRoot.appendingPathComponent("scripts/make-fleet-cases").path, folder])
        guard made.status == 0 else { throw PolicyCaseTests.CaseError(message: made.stderr) }
        return folder
    }

    /// Scans one host of the cases and writes its JSON report beside it; returns the report's file and roots.
    static func scan(
        _ host: String, into name: String? = nil
    ) throws -> (file: String, roots: [String: String], stdout: String) {
        let folder = try cases.get() + "/" + host
        let spec = try JSONValue.parse(String(contentsOfFile: folder + "/args.json", encoding: .utf8))
        let (arguments, roots) = LifecycleTests.resolve(spec["args"]!.arrayValue.compactMap(\.stringValue), in: folder)
        let result = try InProcess.outcome(["scan"] + arguments + ["--quiet"])
        #expect(result.verdict == .success, "\(host): \(result.shownWarnings)")
        let file = try cases.get() + "/" + (name ?? host.replacingOccurrences(of: "/", with: "-")) + ".json"
        try result.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        return (file, roots, result.stdout)
    }

    static let nodes = ["cluster/node1", "cluster/node2", "cluster/node3"]

    @Test(.requires(Requirement.makeHives))
    func aClusterMergesIntoOnePolicyThatCoversEveryNode() throws {
        let scans = try Self.nodes.map { try Self.scan($0) }
        let merged = try FleetSession.merge(scans.map(\.file), format: .json)
        #expect(!merged.held, "\(merged.conflicts)")
        let policy = try JSONDecoder().decode(MergedPolicy.self, from: Data(merged.bytes))
        #expect(policy.nodes.map(\.name) == ["HV-NODE1", "HV-NODE2", "HV-NODE3"], "named by SYSTEM's ComputerName")
        // Every entry once.
        let keys = policy.exclusions.paths.map { NTFSName.fold($0.path) }
        #expect(Set(keys).count == keys.count)
        #expect(
            Set(policy.exclusions.processes.map { NTFSName.fold($0.path) }).count == policy.exclusions.processes.count)
        // Shared storage for all nodes, local VMs with their node.
        let storage = try #require(policy.exclusions.paths.first { $0.path == #"C:\ClusterStorage"# })
        #expect(storage.shared && storage.nodes == ["HV-NODE1", "HV-NODE2", "HV-NODE3"])
        #expect(policy.exclusions.paths.first { $0.path == #"D:\VMs\Local2"# }?.nodes == ["HV-NODE2"])
        #expect(
            policy.virtualMachines.first { $0.name == "Local3" }.map { ($0.shared, $0.nodes) } ?? (true, []) == (
                false, ["HV-NODE3"]
            ))
        #expect(policy.virtualMachines.filter(\.shared).compactMap(\.name).sorted() == ["Clu1", "Clu2"])
        // The release difference and what it means for the processes; node2's stale exclusion counts as one to fix.
        #expect(
            policy.conflicts.contains { $0.kind == "release" && $0.detail.contains("Windows Server 2016: HV-NODE3") })
        #expect(
            policy.conflicts.contains {
                $0.kind == "processes" && $0.subject.hasSuffix("vmcompute.exe") && $0.nodes == ["HV-NODE1", "HV-NODE2"]
            })
        #expect(policy.nodes.map(\.toFix) == [0, 1, 0])
        // On every node, the node's share of the merged policy keeps the properties: coverage, no hiding place,
        // and the lifecycle (what Hyper-V writes next is covered).
        for (index, scan) in scans.enumerated() {
            var report = try JSONDecoder().decode(Report.self, from: Data(scan.stdout.utf8))
            report.exclusions = policy.plan(forNode: policy.nodes[index].name).plan
            let violations = PlanCheck.violations(try JSONExporter.render(report), roots: scan.roots)
            #expect(violations == [], "\(policy.nodes[index].name)")
        }
        // One script for every node: node-specific entries are guarded by the node's name.
        let bytes = try FleetSession.merge(scans.map(\.file), format: .powershell).bytes
        let script = String(decoding: bytes, as: UTF8.self)
        #expect(
            bytes.starts(with: [0xEF, 0xBB, 0xBF]) && !script.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(script.contains(#"Add-HvxPath -Nodes @('HV-NODE2') -Path 'D:\VMs\Local2' -Held $false"#))
        #expect(script.contains(#"Add-HvxPath -Nodes @() -Path 'C:\ClusterStorage' -Held $false"#))
    }

    @Test(.requires(Requirement.makeHives))
    func mergeRefusesTheSameNodeTwiceAndMixedSchemaVersions() throws {
        let one = try Self.scan("cluster/node1")
        // In-process: FleetSession.merge's typed failures (the command line makes each exit 2).
        func failure(_ files: [String]) -> CommandFailure? {
            do {
                _ = try FleetSession.merge(files, format: .json)
                return nil
            } catch {
                return error
            }
        }
        let twice = try #require(failure([one.file, one.file]))
        #expect(twice == .couldNotRead("\(twice)") && twice.description.contains("node HV-NODE1 is given twice"))
        let old = try Self.cases.get() + "/old-schema.json"
        try one.stdout.replacingOccurrences(of: "\"schemaVersion\" : 2", with: "\"schemaVersion\" : 1").write(
            toFile: old, atomically: true, encoding: .utf8)
        let two = try Self.scan("cluster/node2")
        let mixed = try #require(failure([old, two.file]))
        #expect(
            mixed == .couldNotRead("\(mixed)") && mixed.description.contains("different schema versions"), "\(mixed)")
        let missing = try #require(failure([old + ".nope"]))
        #expect(missing.description.contains("cannot be read"))
        // A format merge does not write is a usage error, after the reports were read.
        #expect(
            throws: CommandFailure.usage("merge writes json, text, powershell, pol, intune, reg, csv or list, not html")
        ) {
            try FleetSession.merge([two.file], format: .html)
        }
        // The command line: exit 2 and the message on stderr.
        let missingRun = try CLI.run(["merge", old + ".nope"])
        #expect(missingRun.status == 2 && missingRun.stderr == "hvexclude: \(missing)\n")
    }

    @Test(.requires(Requirement.makeHives))
    func diffReportsExactlyWhatChangedAndExitsThree() throws {
        let before = try Self.scan("host-before")
        let after = try Self.scan("host-after")
        let text = try FleetSession.diff(old: before.file, new: after.file, format: .text)
        #expect(text.planChanged)
        let lines = String(decoding: text.bytes, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines.first == "The exclusions must change: 1 to add, 2 to remove.")
        #expect(
            lines.filter { $0.hasPrefix("VM ") || $0.hasPrefix("checkpoint ") } == [
                "VM removed: Gone (C0000053-1111-4222-8333-444455556666)",
                #"VM moved: Mover (C0000051-1111-4222-8333-444455556666): D:\VMs\Mover\Virtual Machines\C0000051-1111-4222-8333-444455556666.vmcx → E:\Moved\Mover\Virtual Machines\C0000051-1111-4222-8333-444455556666.vmcx"#,
                "checkpoint added: Keeper - (12/1/2026 - 10:00:00 AM) (6F708192-A3B4-4C5D-8E6F-708192A3B4C5)",
            ])
        #expect(
            lines.filter { $0.hasPrefix("plan ") }.map { String($0.prefix { $0 != "—" }) } == [
                #"plan + path E:\Moved\Mover "#, #"plan - path D:\VMs\Gone "#, #"plan - path D:\VMs\Mover "#,
            ])
        let json = try FleetSession.diff(old: before.file, new: after.file, format: .json)
        let diff = try JSONDecoder().decode(ReportDiff.self, from: Data(json.bytes))
        #expect(diff.planChanged && diff.virtualMachines.added.isEmpty && diff.checkpoints.removed.isEmpty)
        // Two scans of an unchanged host: nothing to do, whatever their scan times.
        let again = try Self.scan("host-before", into: "host-before-again")
        let same = try FleetSession.diff(old: before.file, new: again.file, format: .text)
        #expect(!same.planChanged && same.bytes == Array("The exclusions need no change.\n".utf8))
        #expect(throws: CommandFailure.usage("diff writes json or text, not csv")) {
            try FleetSession.diff(old: before.file, new: again.file, format: .csv)
        }
        // The command line: exit 3 when the exclusions must change, 0 when not.
        #expect(try CLI.run(["diff", before.file, after.file, "--format", "text"]).status == 3)
        #expect(try CLI.run(["diff", before.file, again.file, "--format", "text"]).status == 0)
    }

    @Test(.requires(Requirement.makeHives))
    func auditAgainstTheMergedPolicyAuditsThisNodesShare() throws {
        let scans = try Self.nodes.map { try Self.scan($0) }
        let policy = try Self.cases.get() + "/cluster-policy.json"
        let merged = try FleetSession.merge(scans.map(\.file), format: .json)
        #expect(!merged.held)
        try Data(merged.bytes).write(to: URL(fileURLWithPath: policy))
        let folder = try Self.cases.get() + "/cluster/node2"
        let spec = try JSONValue.parse(String(contentsOfFile: folder + "/args.json", encoding: .utf8))
        let (arguments, _) = LifecycleTests.resolve(spec["args"]!.arrayValue.compactMap(\.stringValue), in: folder)
        let audit = try InProcess.outcome(["audit"] + arguments + ["--against", policy, "--quiet"])
        #expect(audit.verdict == .actionNeeded, "nothing of the policy is configured on node2")
        let report = try JSONDecoder().decode(Report.self, from: Data(audit.stdout.utf8))
        let planned = report.audit?.planned.filter { $0.type == .path }.map(\.value) ?? []
        #expect(
            planned.contains(#"D:\VMs\Local2"#) && !planned.contains(#"D:\VMs\Local1"#),
            "shared entries and node2's own")
        #expect(planned.contains(#"C:\ClusterStorage"#))
        #expect(
            report.scan.warnings.contains {
                $0.message.hasPrefix("audited against the policy in \(policy) for node HV-NODE2")
            })
    }

    @Test(.requires([Requirement.sambaPolicyParser] + Requirement.makeHives))
    func aClusterWideGroupPolicyHoldsWhatEveryNodeSharesAndNamesTheRest() throws {
        let scans = try Self.nodes.map { try Self.scan($0) }
        let pol = try Self.cases.get() + "/cluster.pol"
        let merged = try FleetSession.merge(scans.map(\.file), format: .pol)
        #expect(!merged.held, "\(merged.conflicts)")
        try Data(merged.bytes).write(to: URL(fileURLWithPath: pol))
        // A GPO reaches every node alike: a local VM's folder would be a pre-created exclusion on the other nodes.
        #expect(
            merged.leftOut == [
                #"D:\VMs\Local1 (HV-NODE1 only)"#, #"D:\VMs\Local2 (HV-NODE2 only)"#, #"D:\VMs\Local3 (HV-NODE3 only)"#,
                #"process C:\Windows\System32\vmcompute.exe (HV-NODE1, HV-NODE2 only)"#,
            ])
        let read = try ApplyFormatsTests.check("read-registry-pol", [pol], interpreter: "/usr/bin/python3")
        let values = (read[pol]?["entries"]?.arrayValue ?? []).filter {
            $0["key"]?.stringValue?.hasSuffix("\\Paths") == true
        }.compactMap { $0["value"]?.stringValue }
        #expect(
            values == [#"C:\ClusterStorage"#, #"C:\ProgramData\Microsoft\Windows\Hyper-V"#, #"C:\Windows\Cluster"#])
    }
}
