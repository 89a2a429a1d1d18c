import Dispatch
import HVXScan
import HVXWalk

/// A one-line progress display on stderr (on a terminal only, never with `--quiet`): the phase, entries walked,
/// bytes read, elapsed time and the current folder, five times a second.
final class ProgressLine: @unchecked Sendable {
    private let progress: WalkProgress
    private let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "hvexclude.progress"))

    init(_ progress: WalkProgress) { self.progress = progress }

    /// A progress line when stderr is a terminal and `quiet` is off, else nil.
    static func onTerminal(_ progress: WalkProgress, quiet: Bool) -> ProgressLine? {
        quiet || !StandardStream.error.isTerminal ? nil : ProgressLine(progress)
    }

    func start() {
        let begun = ContinuousClock.now
        timer.schedule(deadline: .now() + .milliseconds(200), repeating: .milliseconds(200))
        timer.setEventHandler { [progress] in
            let elapsed = HostScanner.seconds(ContinuousClock.now - begun)
            let entries = progress.entriesVisited
            var line = progress.phase.isEmpty ? "" : progress.phase + ": "
            line += "\(entries) entries (\(Int(Double(entries) / max(elapsed, 0.2)))/s)"
            if progress.bytesRead > 0 { line += ", \(progress.bytesRead / 1_048_576) MiB read" }
            line += ", \(Int(elapsed)) s"
            var folder = progress.currentDirectory
            if folder.count > 50 { folder = "…" + folder.suffix(49) }
            StandardStream.error.write("\r\u{1B}[K" + line + (folder.isEmpty ? "" : "  " + folder))
        }
        timer.resume()
    }

    func stop() {
        timer.cancel()
        StandardStream.error.write("\r\u{1B}[K")
    }
}
