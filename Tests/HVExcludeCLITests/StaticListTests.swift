import Foundation
import Testing

/// The usual published static list (KB 3105657's defaults as most guides copy them) against our plan: on a
/// default-layout host the plan covers every entry that applies; on a custom-path host it shows what the
/// static list misses.
@Suite struct StaticListTests {
    static let staticPaths = [
        #"C:\ProgramData\Microsoft\Windows\Hyper-V"#,
        #"C:\Users\Public\Documents\Hyper-V\Virtual Hard Disks"#,
        #"C:\ProgramData\Microsoft\Windows\Hyper-V\Snapshots"#,
        #"C:\ClusterStorage"#,
    ]
    static let staticProcesses = ["vmms.exe", "vmwp.exe"]

    static func covered(_ path: String, by plan: [String]) -> Bool {
        let p = path.uppercased()
        return plan.contains { entry in
            let e = entry.uppercased()
            return p == e || p.hasPrefix(e.hasSuffix("\\") ? e : e + "\\")
        }
    }

    static func plan(_ tree: String) throws -> (paths: [String], processes: [String]) {
        let (_, json) = try TestTreeScanTests.scan(tree)
        let paths = json["exclusions"]!["paths"]!.arrayValue.compactMap { $0["path"]?.stringValue }
        let processes = json["exclusions"]!["processes"]!.arrayValue.compactMap { $0["path"]?.stringValue }
        return (paths, processes)
    }

    @Test func defaultLayoutHostIsCoveredWhereTheStaticListApplies() throws {
        let plan = try Self.plan("ws2012r2-default")
        let root = CLI.testTree("ws2012r2-default") + "/C/"
        for path in Self.staticPaths {
            // An entry applies when the folder exists on this host (no ClusterStorage on a standalone host).
            let host = root + path.dropFirst(3).replacingOccurrences(of: "\\", with: "/")
            guard FileManager.default.fileExists(atPath: host) else { continue }
            #expect(Self.covered(path, by: plan.paths), "static entry \(path) is not covered by \(plan.paths)")
        }
        for process in Self.staticProcesses {
            #expect(plan.processes.contains { $0.lowercased().hasSuffix("\\" + process) })
        }
    }

    @Test func customPathHostNeedsMoreThanTheStaticList() throws {
        let plan = try Self.plan("ws2019-custom")
        let beyond = plan.paths.filter { !Self.covered($0, by: Self.staticPaths) }
        // Everything this host keeps on D: is invisible to the static list.
        #expect(beyond.contains(#"D:\VMs\App01\Virtual Hard Disks"#))
        #expect(beyond.contains(#"D:\Golden\ws2019-base.vhdx"#))
        #expect(beyond.contains(#"D:\Db01.vhdx"#))
        #expect(beyond.contains(#"D:\Hyper-V"#))
        #expect(beyond.allSatisfy { $0.hasPrefix("D:") }, "\(beyond)")
        // And two of its four processes are missing from the static list.
        let extra = plan.processes.filter { process in
            !Self.staticProcesses.contains { process.lowercased().hasSuffix("\\" + $0) }
        }
        #expect(
            extra.map { $0.lowercased() }.sorted() == [
                #"c:\windows\system32\vmcompute.exe"#, #"c:\windows\system32\vmsp.exe"#,
            ])
    }
}
