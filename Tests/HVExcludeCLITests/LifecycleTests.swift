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

/// The lifecycle property on real files: on a copy of each sample host and policy case, Hyper-V's next checkpoint,
/// a checkpoint of it, a backup, Replica logs, a start and smart paging are written as Hyper-V names the files
/// (``LifecycleSimulation``); every new file must be covered by the plan made before, and a scan of the tree
/// afterwards must give a plan that covers no less (stable) and still keeps every property.
@Suite(.serialized) struct LifecycleTests {
    /// Scans a copy of `folder` (arguments relative to it), applies the operations, scans again and checks.
    static func check(_ name: String, folder: String, arguments: [String]) throws {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("hvx-lifecycle-\(getpid())-\(name)")
            .path
        try? FileManager.default.removeItem(atPath: copy)
        try FileManager.default.copyItem(atPath: folder, toPath: copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let (args, roots) = resolve(arguments, in: copy)

        let before = try scan(args)
        let written = LifecycleSimulation.written(by: before.report)
        let map = VolumeMap(
            roots.compactMap { prefix, host in
                WindowsPath(prefix.hasSuffix(":") ? prefix + "\\" : prefix).map {
                    VolumeMap.Mapping(prefix: $0, hostRoot: host)
                }
            })
        let checked = written.filter { map.isScanned($0.path) }
        let missed = Set(PlanProperties.uncovered(checked.map(\.path), by: before.report.exclusions))
        // One line per tree, for the closing note's before/after table.
        print(
            "lifecycle: \(name): \(checked.count - missed.count)/\(checked.count) new files covered by the plan made before"
        )
        #expect(missed.isEmpty, "\(name): not covered: \(checked.filter { missed.contains($0.path) })")

        // Write them, scan again: the plan covers no less, and keeps its properties on the changed tree.
        try LifecycleSimulation.apply(checked, roots: roots)
        let after = try scan(args)
        #expect(PlanCheck.violations(after.stdout, roots: roots) == [], "\(name) after the operations")
        var lost: [WindowsPath] = []
        let oldRules = before.report.exclusions.paths.compactMap {
            WindowsPath($0.path).map(DefenderPathPattern.init(path:))
        }
        let newRules = after.report.exclusions.paths.compactMap {
            WindowsPath($0.path).map(DefenderPathPattern.init(path:))
        }
        for file in files(roots)
        where oldRules.contains(where: { $0.covers(file) }) && !newRules.contains(where: { $0.covers(file) }) {
            lost.append(file)
        }
        #expect(lost.isEmpty, "\(name): covered before the operations, not after: \(lost)")
        #expect(
            PlanProperties.uncovered(checked.map(\.path), by: after.report.exclusions).isEmpty,
            "\(name): the new plan covers the new files")
    }

    /// The arguments with their folders made absolute below `folder`, and the roots they map.
    static func resolve(_ arguments: [String], in folder: String) -> ([String], [String: String]) {
        var args = arguments
        var roots = ["C:": folder + "/" + args[0]]
        args[0] = folder + "/" + args[0]
        for index in args.indices.dropFirst() where ["--drive", "--map", "--hive-dir"].contains(args[index - 1]) {
            if args[index - 1] == "--hive-dir" {
                args[index] = folder + "/" + args[index]
                continue
            }
            let parts = args[index].split(separator: "=", maxSplits: 1).map(String.init)
            roots[args[index - 1] == "--drive" ? parts[0] + ":" : parts[0]] = folder + "/" + parts[1]
            args[index] = parts[0] + "=" + folder + "/" + parts[1]
        }
        return (args, roots)
    }

    static func scan(_ args: [String]) throws -> (stdout: String, report: Report) {
        // --accept-detections: ws2019-custom's Defender detection (a held entry, exit 3) is not what these tests check.
        let result = try InProcess.outcome(["scan"] + args + ["--quiet", "--accept-detections"])
        #expect(result.verdict == .success || result.verdict == .finishedWithErrors, "\(result.shownWarnings)")
        return (result.stdout, try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8)))
    }

    /// Every file below the roots, as Windows paths.
    static func files(_ roots: [String: String]) -> [WindowsPath] {
        var out: [WindowsPath] = []
        for (prefix, host) in roots {
            guard let base = WindowsPath(prefix.hasSuffix(":") ? prefix + "\\" : prefix),
                let walker = FileManager.default.enumerator(atPath: host)
            else { continue }
            while let relative = walker.nextObject() as? String {
                var isFolder: ObjCBool = false
                guard FileManager.default.fileExists(atPath: host + "/" + relative, isDirectory: &isFolder),
                    !isFolder.boolValue
                else { continue }
                if let path = base.appending(relative.replacingOccurrences(of: "/", with: "\\")) { out.append(path) }
            }
        }
        return out
    }

    @Test(arguments: ["ws2012r2-default", "ws2019-custom"])
    func sampleHosts(tree: String) throws {
        let folder = CLI.testTree(tree)
        let arguments = FileManager.default.fileExists(atPath: folder + "/D") ? ["C", "--drive", "D=D"] : ["C"]
        try Self.check(tree, folder: folder, arguments: arguments)
    }

    @Test(.requires(Requirement.makeHives), arguments: PolicyCaseTests.names)
    func policyCases(name: String) throws {
        let folder = try PolicyCaseTests.cases.get() + "/" + name
        let spec = try JSONValue.parse(String(contentsOfFile: folder + "/args.json", encoding: .utf8))
        try Self.check(name, folder: folder, arguments: spec["args"]!.arrayValue.compactMap(\.stringValue))
    }
}
