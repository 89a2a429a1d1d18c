#if canImport(Glibc)
import Glibc
#endif

/// Resolves Windows-style path components on a Linux copy of an NTFS volume, where the case stored in a path
/// and the case on disk may differ (`Virtual hard disks` vs `Virtual Hard Disks`).
public enum CaseInsensitivePath {
    /// Why a path did not resolve.
    public struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        /// The reason, in words.
        public var description: String
    }

    /// Resolves `components` (which may hold `.` and `..`) from host folder `base`, never climbing above host
    /// folder `root`. Each component matches exactly when it can, else case-insensitively (the first such
    /// name in sorted order). Intermediate components must be real directories: links are not followed.
    /// - Returns: the host path of an existing entry, or the reason it was not found.
    public static func resolve(_ components: [String], from base: String, within root: String) -> Result<String, Failure> {
        let root = HostPath.trimmingTrailingSlash(root)
        var current = HostPath.trimmingTrailingSlash(base)
        guard HostPath.isInside(current, root) else {
            return .failure(Failure(description: "\(current) lies outside \(root)"))
        }
        for (index, component) in components.enumerated() {
            if component == "." || component.isEmpty { continue }
            if component == ".." {
                guard current != root else {
                    return .failure(Failure(description: "climbs above \(root)"))
                }
                current = HostPath.folder(current)
                continue
            }
            guard !component.contains("/") && component != "\0" else {
                return .failure(Failure(description: "component \"\(component)\" is not a Windows file name"))
            }
            guard isDirectory(current) else {
                return .failure(Failure(description: "\(current) is not a directory"))
            }
            let exact = join(current, component)
            if exists(exact) {
                current = exact
            } else {
                let wanted = component.lowercased()
                guard let match = list(current).filter({ $0.lowercased() == wanted }).sorted().first else {
                    return .failure(Failure(description: "no \"\(component)\" in \(current) (any case)"))
                }
                current = join(current, match)
            }
            if index < components.count - 1, !isDirectory(current) {
                return .failure(Failure(description: "\(current) is not a directory"))
            }
        }
        return .success(current)
    }

    static func join(_ folder: String, _ name: String) -> String {
        folder == "/" ? "/" + name : folder + "/" + name
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Names in `folder` (without `.` and `..`); empty when it cannot be listed.
    static func list(_ folder: String) -> [String] {
        guard let directory = opendir(folder) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
