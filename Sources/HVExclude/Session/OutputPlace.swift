import HVXScan

#if canImport(Glibc)
import Glibc
#endif

/// Where `--output` may go: never a folder, never into a missing folder, never inside a scanned root (nothing is
/// ever written to the scanned volume).
package enum OutputPlace {
    /// Why `output` cannot be written, checked before a scan starts; nil when it can.
    package static func problem(_ output: String, roots: [String]) -> OutputProblem? {
        if SystemVolumeCheck.isDirectory(output) { return .isDirectory(output) }
        guard let realFolder = realPath(folder(of: output)) else {
            return .folderMissing(folder(of: output, bare: true))
        }
        return insideRoot(output, realFolder: realFolder, roots: roots)
    }

    /// The scanned root `output`'s folder (resolved: `realFolder`) lies in, as a problem; nil when none.
    package static func insideRoot(_ output: String, realFolder: String, roots: [String]) -> OutputProblem? {
        for root in roots {
            guard let realRoot = realPath(root) else { continue }
            if realFolder == realRoot || realFolder.hasPrefix(realRoot == "/" ? "/" : realRoot + "/") {
                return .insideRoot(output: output, root: root)
            }
        }
        return nil
    }

    /// The folder `path` is written into (`/` for a path right below the root, `.` for a bare name); `bare`: as
    /// written, before an empty folder (a path right below `/`) becomes `/`.
    package static func folder(of path: String, bare: Bool = false) -> String {
        let folder = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        return folder.isEmpty && !bare ? "/" : folder
    }

    /// `realpath(3)`, `nil` when the path does not exist.
    package static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// Why `--output` cannot be used (a usage error: exit 64).
package enum OutputProblem: Error, Equatable, Sendable, CustomStringConvertible {
    /// `--output` inside a scanned root.
    case insideRoot(output: String, root: String)
    /// `--output`'s folder does not exist.
    case folderMissing(String)
    /// `--output` names a directory.
    case isDirectory(String)

    package var description: String {
        switch self {
        case .insideRoot(let output, let root):
            return
                "--output \(output) lies inside the scanned root \(root): nothing is ever written to the scanned volume"
        case .folderMissing(let folder): return "--output: folder \(folder) does not exist"
        case .isDirectory(let output):
            return
                "--output \(output) is a directory; name the file to write, e.g. \(output.hasSuffix("/") ? output : output + "/")report.json"
        }
    }
}
