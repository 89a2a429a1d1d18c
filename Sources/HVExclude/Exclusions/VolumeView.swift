/// What the exclusion policy may ask of the scanned volumes: whether a path was scanned, what exists, and a
/// folder's entries. A scan answers from its ``VolumeMap``; a unit test from an in-memory tree.
public protocol VolumeView: Sendable {
    /// Whether `path` lies on a scanned (mapped) volume.
    func isScanned(_ path: WindowsPath) -> Bool
    /// What exists at `path` on a scanned volume; nil when nothing does (or it is not scanned).
    func kind(of path: WindowsPath) -> EntryKind?
    /// The entries of the folder `folder`, in their on-disk spelling; nil when it cannot be listed.
    func children(of folder: WindowsPath) -> [(path: WindowsPath, kind: EntryKind)]?
    /// The on-disk spelling of `path` when it exists, else `path`.
    func spelling(of path: WindowsPath) -> WindowsPath
}

/// The scanned volumes, through the scan's ``VolumeMap`` (links are resolved through the map, never followed).
public struct MappedVolume: VolumeView {
    /// The map of the scan.
    public let map: VolumeMap

    /// Wraps a volume map.
    public init(map: VolumeMap) { self.map = map }

    public func isScanned(_ path: WindowsPath) -> Bool { map.mapping(for: path) != nil }

    public func kind(of path: WindowsPath) -> EntryKind? {
        if case .found(_, let kind) = map.resolve(path) { return kind }
        return nil
    }

    public func children(of folder: WindowsPath) -> [(path: WindowsPath, kind: EntryKind)]? {
        guard case .found(let host, .directory) = map.resolve(folder) else { return nil }
        let listing = map.listing(of: host)
        if listing.problem != nil { return nil }
        return map.entries(of: folder).map { ($0.path, $0.kind) }
    }

    public func spelling(of path: WindowsPath) -> WindowsPath { map.spelling(of: path) }
}
