#if canImport(Glibc)
import Glibc
import HVXBinary
import HVXWalk
#endif

/// The file-system questions a scan asks of a mapped root: walk it, list a folder, what is at a path, read a file,
/// read a link's reparse data. Everything above ``VolumeMap`` asks them through the map, which hands each host
/// path to the file system of the root holding it, so a volume read natively from a disk image
/// (``NTFSFileSystem``) and a mounted or copied folder (``POSIXFileSystem``) are scanned by the same code.
///
/// Host paths are `/`-separated; below a native volume they start with that volume's synthetic root (which does
/// not exist on the host) and name each component with its on-disk spelling.
package protocol VolumeFileSystem: AnyObject, Sendable {
    /// Walks `roots` (each a root of this file system), recording what `match` accepts plus every link.
    func walk(
        roots: [String], options: WalkOptions, progress: WalkProgress,
        match: @escaping @Sendable (UnsafeBufferPointer<UInt8>, EntryKind) -> Bool
    ) throws -> WalkResult
    /// The names and kinds in a folder.
    /// - Throws: ``SystemError`` when it cannot be read.
    func listFolder(_ hostPath: String) throws -> [(name: String, kind: EntryKind)]
    /// What is at `hostPath` (links not followed), `nil` when nothing is.
    func kind(of hostPath: String) -> EntryKind?
    /// Opens a regular file for reading.
    func openFile(_ hostPath: String, readBudget: UInt64) throws -> FileReader
    /// The raw NTFS reparse data of a link (MS-FSCC REPARSE_DATA_BUFFER), `nil` when there is none to give.
    func reparseData(_ hostPath: String) -> [UInt8]?
    /// A link's text as `readlink` gives it, `nil` when it is not a link (or the file system has no such text).
    func linkText(_ hostPath: String) -> String?
    /// A name upper-cased the way this volume compares names.
    func fold(_ name: String) -> String
}

/// Mounted or copied folders on the host, read with POSIX calls.
package final class POSIXFileSystem: VolumeFileSystem {
    /// The one instance.
    package static let shared = POSIXFileSystem()
    /// The walker of the current scan (for cancellation and its progress counters).
    private init() {}

    package func walk(
        roots: [String], options: WalkOptions, progress: WalkProgress,
        match: @escaping @Sendable (UnsafeBufferPointer<UInt8>, EntryKind) -> Bool
    ) throws -> WalkResult {
        try DirectoryWalker(options: options, progress: progress).walk(roots: roots, match: match)
    }

    package func listFolder(_ hostPath: String) throws -> [(name: String, kind: EntryKind)] {
        guard let dir = opendir(hostPath) else { throw SystemError.current("opendir", path: hostPath) }
        defer { closedir(dir) }
        var entries: [(name: String, kind: EntryKind)] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw -> String in
                let bytes = raw.bindMemory(to: UInt8.self)
                let length = bytes.firstIndex(of: 0) ?? bytes.count
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[..<length]), as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            guard
                let kind = EntryKind(direntType: entry.pointee.d_type)
                    ?? EntryKind(lstatPath: hostPath == "/" ? "/" + name : hostPath + "/" + name)
            else { continue }
            entries.append((name, kind))
        }
        return entries
    }

    package func kind(of hostPath: String) -> EntryKind? {
        var info = stat()
        if lstat(hostPath, &info) == 0 { return EntryKind(mode: info.st_mode) }
        // Past PATH_MAX (a 300-deep folder chain): open the parent piece by piece, then ask about the name.
        guard errno == ENAMETOOLONG, let slash = hostPath.lastIndex(of: "/") else { return nil }
        let parent = FileReader.openLong(String(hostPath[..<slash]), lastFlags: O_DIRECTORY)
        guard parent >= 0 else { return nil }
        defer { close(parent) }
        guard fstatat(parent, String(hostPath[hostPath.index(after: slash)...]), &info, AT_SYMLINK_NOFOLLOW) == 0 else {
            return nil
        }
        return EntryKind(mode: info.st_mode)
    }

    package func openFile(_ hostPath: String, readBudget: UInt64) throws -> FileReader {
        try FileReader(path: hostPath, readBudget: readBudget)
    }

    package func reparseData(_ hostPath: String) -> [UInt8]? { LinkReader.reparseData(hostPath) }

    package func linkText(_ hostPath: String) -> String? { LinkReader.linkText(hostPath) }

    package func fold(_ name: String) -> String { NTFSName.fold(name) }
}

extension WalkResult {
    /// Several walks (one per file system) as one result: entries and issues merged and sorted, counts summed.
    package static func merged(_ results: [WalkResult]) -> WalkResult {
        var merged = WalkResult(
            roots: [], entries: [], issues: [], entriesVisited: 0, directoriesVisited: 0, cancelled: false)
        for result in results {
            merged.roots += result.roots
            merged.entries += result.entries
            merged.issues += result.issues
            merged.entriesVisited += result.entriesVisited
            merged.directoriesVisited += result.directoriesVisited
            merged.cancelled = merged.cancelled || result.cancelled
        }
        merged.entries.sort()
        merged.issues.sort()
        return merged
    }
}
