#if canImport(Glibc)
import Glibc
import HVXVolume
#endif

/// Whether a ROOT looks like a Windows system volume, checked before a scan so a wrong folder (an empty one, or
/// the folder above `C`) is an error instead of a plausible report of built-in defaults.
///
/// A system volume holds `Windows\System32\config` (the hives) or `ProgramData\Microsoft\Windows\Hyper-V` (the
/// registrations); names are compared case-insensitively, as NTFS does. Links are not followed. A natively read
/// image's volume is checked through its own file system (its root is no host folder).
package enum SystemVolumeCheck {
    /// The folders, one of which marks a system volume.
    static let markers = [["Windows", "System32", "config"], ["ProgramData", "Microsoft", "Windows", "Hyper-V"]]
    /// How many subfolders a mistaken ROOT is searched for ones that do look right (two levels, capped).
    static let maximumFoldersSearched = 2000

    /// Whether `root` holds one of the ``markers``.
    static func isSystemVolume(_ root: String, in fileSystem: any VolumeFileSystem = POSIXFileSystem.shared) -> Bool {
        markers.contains { folder(root, holds: $0, in: fileSystem) }
    }

    /// Up to `limit` subfolders of `root` (one or two levels down) that look like a system volume, as host paths in
    /// name order.
    static func systemVolumesBelow(
        _ root: String, in fileSystem: any VolumeFileSystem = POSIXFileSystem.shared, limit: Int = 3
    ) -> [String] {
        var found: [String] = []
        var searched = 0
        var level = [root]
        for _ in 0..<2 {
            var next: [String] = []
            for folder in level {
                for name in subfolders(of: folder, in: fileSystem) {
                    searched += 1
                    if searched > maximumFoldersSearched { return found }
                    let path = folder.hasSuffix("/") ? folder + name : folder + "/" + name
                    if isSystemVolume(path, in: fileSystem) {
                        found.append(path)
                        if found.count == limit { return found }
                    } else {
                        next.append(path)
                    }
                }
            }
            level = next
        }
        return found
    }

    /// Throws when ROOT's mapping is a folder that does not look like a system volume.
    /// - Throws: ``ScanError/notASystemVolume(root:candidates:)``.
    package static func check(_ mapping: VolumeMap.Mapping) throws {
        try check(mapping.hostRoot, in: mapping.fileSystem)
    }

    /// Throws when `root` is a folder that does not look like a system volume.
    /// - Throws: ``ScanError/notASystemVolume(root:candidates:)``.
    package static func check(_ root: String, in fileSystem: any VolumeFileSystem = POSIXFileSystem.shared) throws {
        let isFolder =
            fileSystem === POSIXFileSystem.shared ? isDirectory(root) : fileSystem.kind(of: root) == .directory
        guard isFolder, !isSystemVolume(root, in: fileSystem) else { return }
        throw ScanError.notASystemVolume(root: root, candidates: systemVolumesBelow(root, in: fileSystem))
    }

    package static func folder(_ root: String, holds components: [String], in fileSystem: any VolumeFileSystem) -> Bool
    {
        var current = root
        for component in components {
            guard
                let name = subfolders(of: current, in: fileSystem).first(where: {
                    $0.uppercased() == component.uppercased()
                })
            else { return false }
            current = current.hasSuffix("/") ? current + name : current + "/" + name
        }
        return true
    }

    /// Whether `path` is an existing directory (after following links).
    package static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    /// Names of the real folders (not links) in `path`, sorted; empty when it cannot be read.
    static func subfolders(of path: String, in fileSystem: any VolumeFileSystem) -> [String] {
        guard fileSystem === POSIXFileSystem.shared else {
            return ((try? fileSystem.listFolder(path)) ?? []).filter { $0.kind == .directory }.map(\.name).sorted()
        }
        return subfolders(of: path)
    }

    /// Names of the real folders (not links) in the host folder `path`, sorted; empty when it cannot be read.
    static func subfolders(of path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard name != ".", name != ".." else { continue }
            var isFolder = Int32(entry.pointee.d_type) == Int32(DT_DIR)
            if Int32(entry.pointee.d_type) == Int32(DT_UNKNOWN) {
                var info = stat()
                isFolder = lstat(path + "/" + name, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
            }
            if isFolder { names.append(name) }
        }
        return names.sorted()
    }
}
