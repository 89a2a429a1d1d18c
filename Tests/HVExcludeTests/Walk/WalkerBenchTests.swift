import Foundation
import Testing

@testable import HVXWalk

/// Timing of the walker, printed, never asserted: on a big tree when `HVX_BENCH_ROOT` names one (scripts/bench-walk.sh
/// makes one; `HVX_BENCH_ROOT=/tmp/hvx-bench/tree swift test -c release --filter WalkerBench`), else on a small
/// tree of its own, so the measuring code itself runs on every test run.
@Suite struct WalkerBench {
    static let root = ProcessInfo.processInfo.environment["HVX_BENCH_ROOT"]

    @Test func timeWalk() throws {
        let own = Self.root == nil ? try TemporaryDirectory("walk-bench") : nil
        if let own {
            for index in 0..<500 { try own.write("d\(index % 20)/f\(index).\(index % 2 == 0 ? "vhdx" : "txt")") }
        }
        let root = Self.root ?? own!.path
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
