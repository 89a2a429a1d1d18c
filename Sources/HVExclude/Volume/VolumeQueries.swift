import HVXWalk

/// The questions the inventory and the planner ask of the scanned volumes: does a Windows path exist, what
/// is it, where is it on this machine, how is it spelled on disk, what does a folder hold.
///
/// ``VolumeMap`` answers them from the mounted or copied volumes; tests answer them from memory
/// (`InMemoryVolume` in the tests), so the rules above the volume are tested on plain values.
package protocol VolumeQueries: Sendable {
    /// Where `path` is on this machine and what it is, following Windows case rules.
    func resolve(_ path: WindowsPath) -> PathResolution
    /// The Windows path of a host path below a mapped root, in its on-disk spelling.
    func windowsPath(forHostPath hostPath: String) -> WindowsPath?
    /// The entries of the folder at `folder` (empty when it does not exist or is unmapped).
    func entries(of folder: WindowsPath) -> [VolumeEntry]
    /// Whether the existing folder `folder` could be listed (an empty answer from ``entries(of:)`` can also mean
    /// "unreadable"; the exclusion policy must not take an unreadable folder for an empty one).
    func isListable(_ folder: WindowsPath) -> Bool
}

/// One entry of a folder on a scanned volume.
package struct VolumeEntry: Sendable, Equatable {
    /// Its Windows path, in on-disk spelling.
    package var path: WindowsPath
    /// Where it is on this machine.
    package var hostPath: String
    /// What it is.
    package var kind: EntryKind
}

extension VolumeQueries {
    /// Every folder can be listed unless the conforming type says otherwise.
    func isListable(_ folder: WindowsPath) -> Bool { true }

    /// Whether `path` lies on a scanned (mapped) volume.
    package func isScanned(_ path: WindowsPath) -> Bool { resolve(path) != .unmapped }

    /// What exists at `path` on a scanned volume; nil when nothing does (or it is not scanned).
    package func kind(of path: WindowsPath) -> EntryKind? {
        if case .found(_, let kind) = resolve(path) { return kind }
        return nil
    }

    /// The entries of the folder `folder` in their on-disk spelling; nil when it is no folder or cannot be listed.
    package func children(of folder: WindowsPath) -> [(path: WindowsPath, kind: EntryKind)]? {
        guard kind(of: folder) == .directory, isListable(folder) else { return nil }
        return entries(of: folder).map { ($0.path, $0.kind) }
    }

    /// The on-disk spelling of `path` when it exists, else `path` as given.
    package func spelling(of path: WindowsPath) -> WindowsPath {
        resolve(path).hostPath.flatMap { windowsPath(forHostPath: $0) } ?? path
    }
}
