// Benchmark harness for the directory walker, compiled by scripts/bench-walk.sh with swiftc together
// with Sources/HVExclude/Walk (outside Package.swift, so `swift build` never builds it).
// Usage: bench-walk ROOT [--jobs N]   prints matched file paths on stdout, one summary line on stderr.
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

@main
enum BenchWalk {
    static func main() throws {
        var arguments = Array(CommandLine.arguments.dropFirst())
        var jobs = WalkOptions.defaultJobs
        if let flag = arguments.firstIndex(of: "--jobs"), flag + 1 < arguments.count {
            jobs = Int(arguments[flag + 1]) ?? jobs
            arguments.removeSubrange(flag...(flag + 1))
        }
        guard !arguments.isEmpty else {
            fputs("usage: bench-walk ROOT... [--jobs N]\n", stderr)
            exit(64)
        }
        let matcher = ExtensionMatcher(["vhd", "vhdx", "avhd", "avhdx", "vhds", "vmcx", "vmrs", "vmgs", "vsv", "iso"])
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try DirectoryWalker(options: WalkOptions(jobs: jobs)).walk(roots: arguments) { name, kind in
            kind == .file && matcher.matches(name)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        for entry in result.entries where entry.matched { print(entry.hostPath) }
        fputs(
            "walker: \(seconds) s, jobs \(jobs), \(result.entriesVisited) entries, \(result.directoriesVisited) dirs, "
                + "\(result.entries.filter(\.matched).count) matches, \(result.entries.count) recorded, "
                + "\(result.issues.count) issues\n", stderr)
    }
}
