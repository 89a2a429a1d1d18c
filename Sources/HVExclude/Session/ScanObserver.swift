import HVXWalk

/// What a scan tells its caller while it runs, for a command line to show (the library itself never prints).
public protocol ScanObserver: Sendable {
    /// A long phase begins (opening an image's MFTs, the walk): `progress` counts it until ``phaseEnded()``.
    func phaseBegan(_ progress: WalkProgress)
    /// The phase begun last has ended.
    func phaseEnded()
    /// A drive of a disk image has its letter and its root (`C: = partition 2 of disk.img, …`).
    func driveAssigned(_ line: String)
    /// `--mount` has mounted partitions under `directory`; `undo` unmounts and detaches them (lazily, for a
    /// signal handler) and returns its problems. Called before the first mount; the run undoes them itself.
    func mounting(directory: String, undo: @escaping @Sendable () -> [String])
}

extension ScanObserver {
    public func phaseBegan(_ progress: WalkProgress) {}
    public func phaseEnded() {}
    public func driveAssigned(_ line: String) {}
    public func mounting(directory: String, undo: @escaping @Sendable () -> [String]) {}
}

/// An observer that shows nothing (tests, a library user without a terminal).
public struct SilentScanObserver: ScanObserver {
    public init() {}
}
