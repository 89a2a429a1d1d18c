import Foundation
import Testing
@testable import HVExclude

/// Manual timing of the walker on a big tree (scripts/bench-walk.sh makes one): runs only when
/// `HVX_BENCH_ROOT` is set, e.g. `HVX_BENCH_ROOT=/tmp/hvx-bench/tree swift test -c release --filter WalkerBench`.
@Suite struct WalkerBench {
    static let root = ProcessInfo.processInfo.environment["HVX_BENCH_ROOT"]

    @Test(.enabled(if: root != nil, "set HVX_BENCH_ROOT to a tree to time the walker on it"))
    func timeWalk() throws {
        let root = try #require(Self.root)
        let jobs = ProcessInfo.processInfo.environment["HVX_BENCH_JOBS"].flatMap(Int.init) ?? WalkOptions.defaultJobs
        let matcher = ExtensionMatcher(["vhd", "vhdx", "avhd", "avhdx", "vhds", "vmcx", "vmrs", "vmgs", "vsv", "iso"])
        for round in 1...3 {
            let clock = ContinuousClock()
            var result: WalkResult?
            let elapsed = try clock.measure {
                result = try DirectoryWalker(options: WalkOptions(jobs: jobs)).walk(roots: [root]) { name, kind in
                    kind == .file && matcher.matches(name)
                }
            }
            let walk = try #require(result)
            print(
                "WalkerBench round \(round): \(elapsed), jobs \(jobs), \(walk.entriesVisited) entries, "
                    + "\(walk.directoriesVisited) dirs, \(walk.entries.filter(\.matched).count) matches, "
                    + "\(walk.issues.count) issues")
            #expect(walk.entriesVisited > 0)
        }
    }
}
