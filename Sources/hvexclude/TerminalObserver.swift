import Dispatch
import HVXSession
import HVXWalk

#if canImport(Glibc)
import Glibc
#endif

/// What the command line shows while a scan runs: the progress line (on a terminal, never with `--quiet`), each
/// image drive's letter (unless `--quiet`), and, while `--mount`'s partitions are mounted, handlers that undo the
/// mounts and exit on SIGINT, SIGTERM and SIGHUP.
final class TerminalObserver: ScanObserver, @unchecked Sendable {
    let quiet: Bool
    /// The progress line of the phase running, and the signal handlers (touched by the scan's thread only).
    private var progress: ProgressLine?
    private var signalSources: [DispatchSourceSignal] = []

    init(quiet: Bool) { self.quiet = quiet }

    func phaseBegan(_ phase: WalkProgress) {
        progress = ProgressLine.onTerminal(phase, quiet: quiet)
        progress?.start()
    }

    func phaseEnded() {
        progress?.stop()
        progress = nil
    }

    func driveAssigned(_ line: String) {
        if !quiet { HVExcludeCommand.printError("hvexclude: " + line) }
    }

    func mounting(directory: String, undo: @escaping @Sendable () -> [String]) {
        signalSources = [SIGINT, SIGTERM, SIGHUP].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(
                signal: number, queue: DispatchQueue(label: "hvexclude.signal.\(number)"))
            source.setEventHandler {
                HVExcludeCommand.printError("\nhvexclude: signal \(number): unmounting and detaching \(directory)")
                // Lazy: the walker may still hold folders open on the mounts.
                for problem in undo() { HVExcludeCommand.printError("warning: \(problem)") }
                exit(128 + number)
            }
            source.resume()
            return source
        }
    }

    /// Restores the default dispositions, when handlers were installed, and unblocks the signals: Dispatch's signal
    /// sources block them in the thread that made them (to read them through a signalfd), and a cancelled source
    /// leaves them blocked, so without this a SIGTERM after the handlers were gone would wait forever.
    func removeSignalHandlers() {
        guard !signalSources.isEmpty else { return }
        for source in signalSources { source.cancel() }
        var blocked = sigset_t()
        sigemptyset(&blocked)
        for number in [SIGINT, SIGTERM, SIGHUP] {
            signal(number, SIG_DFL)
            sigaddset(&blocked, number)
        }
        pthread_sigmask(SIG_UNBLOCK, &blocked, nil)
        signalSources = []
    }
}
