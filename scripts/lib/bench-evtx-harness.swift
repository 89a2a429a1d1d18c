// Benchmark harness for the EVTX reader, compiled by scripts/bench-evtx.sh with swiftc -O together with
// Sources/HVExclude/Formats/EVTX and the Binary helpers it uses (outside Package.swift).
// Usage: bench-evtx FILE [RUNS]   reads FILE RUNS times (default 20); prints the best and median wall time.
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

@main
enum BenchEVTX {
    static func main() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let file = arguments.first else {
            fputs("usage: bench-evtx FILE [RUNS]\n", stderr)
            exit(64)
        }
        let runs = arguments.count > 1 ? max(1, Int(arguments[1]) ?? 20) : 20
        var times: [Double] = []
        var records = 0, fields = 0
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            let log = try EVTXLog(path: file)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            records = log.events.count
            fields = log.events.reduce(0) { $0 + $1.data.count }
        }
        times.sort()
        print("hvexclude EVTXLog: \(records) records, \(fields) data fields; best \(rounded(times[0])) ms, median \(rounded(times[times.count / 2])) ms over \(runs) runs")
    }

    static func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }
}
