import HVXBinary
import HVXWalk
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Where a Windows path was found on the host.
package enum PathResolution: Equatable, Sendable {
    /// The path exists; `hostPath` is its real spelling on the host.
    case found(hostPath: String, kind: EntryKind)
    /// The path is on a mapped volume but does not exist (the reason names the missing component).
    case missing(reason: String)
    /// No mapping covers the path's root (another drive, a share, a volume GUID nobody named).
    case unmapped

    /// The host path, when found.
    package var hostPath: String? {
        if case .found(let path, _) = self { return path }
        return nil
    }
}

/// Windows path prefixes → host folders: `C:` is the scanned root, more drives, Cluster Shared Volumes,
/// shares and volume GUIDs come from `--drive` and `--map`. The longest matching prefix wins.
///
/// Resolution is case-insensitive per component (NTFS is), through cached directory listings. A link met on
/// the way is never followed on the host: its Windows target is read (reparse data first) and resolved through
/// this map again, so resolution can never leave the mapped roots.
package final class VolumeMap: VolumeQueries {
    /// One prefix → host folder pair.
    package struct Mapping: Sendable, Equatable {
        /// The Windows prefix (`C:\`, `C:\ClusterStorage\Volume1`, `\\?\Volume{…}\`).
        package var prefix: WindowsPath
        /// The host folder it is mounted or copied at (no trailing `/`), or a native volume's synthetic root.
        package var hostRoot: String
        /// What answers file-system questions below `hostRoot`.
        package var fileSystem: any VolumeFileSystem

        /// The name the prefix goes by in the report and in messages: `C:`, `\\server\share`, `C:\ClusterStorage\Volume1`.
        package var name: String { prefix.components.isEmpty ? prefix.rootDescription : prefix.description }

        /// Creates a mapping; trailing slashes of the host folder are dropped.
        package init(prefix: WindowsPath, hostRoot: String) {
            self.init(prefix: prefix, hostRoot: hostRoot, fileSystem: POSIXFileSystem.shared)
        }

        /// Creates a mapping read through `fileSystem` (a native volume's synthetic root).
        package init(prefix: WindowsPath, hostRoot: String, fileSystem: any VolumeFileSystem) {
            self.prefix = prefix
            var root = hostRoot
            while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
            self.hostRoot = root
            self.fileSystem = fileSystem
        }

        /// Equal when prefix, host root and file system (the same object) are.
        package static func == (lhs: Mapping, rhs: Mapping) -> Bool {
            lhs.prefix == rhs.prefix && lhs.hostRoot == rhs.hostRoot && lhs.fileSystem === rhs.fileSystem
        }
    }

    /// The mappings, longest prefix first.
    package let mappings: [Mapping]
    private let listings = Mutex<[String: DirectoryListing]>([:])
    /// Upper bound on link hops during one resolution.
    static let maximumLinkHops = 32

    /// A map from explicit mappings; later duplicates of the same prefix replace earlier ones.
    package init(_ mappings: [Mapping]) {
        var unique: [String: Mapping] = [:]
        for mapping in mappings { unique[mapping.prefix.key] = mapping }
        self.mappings = unique.values.sorted {
            $0.prefix.components.count != $1.prefix.components.count
                ? $0.prefix.components.count > $1.prefix.components.count
                : $0.prefix < $1.prefix
        }
    }

    /// A map of drive letters to host folders (`["C": "/mnt/c", "D": "/mnt/d"]`).
    package static func drives(_ roots: [Character: String]) -> VolumeMap {
        VolumeMap(
            roots.map {
                Mapping(
                    prefix: WindowsPath(root: .drive(Character($0.key.uppercased())), components: []),
                    hostRoot: $0.value)
            })
    }

    /// The mapping whose prefix is the longest one containing `path`.
    package func mapping(for path: WindowsPath) -> Mapping? {
        mappings.first { $0.prefix.contains(path) }
    }

    /// Resolves a Windows path to the host; a link as the final component is returned as the link itself.
    package func resolve(_ path: WindowsPath) -> PathResolution {
        resolve(path, hops: 0)
    }

    /// Resolves a Windows path, or `nil` when it does not exist on a mapped volume.
    package func hostPath(for path: WindowsPath) -> String? { resolve(path).hostPath }

    private func resolve(_ path: WindowsPath, hops: Int) -> PathResolution {
        guard let mapping = mapping(for: path) else { return .unmapped }
        var host = mapping.hostRoot
        var kind = EntryKind.directory
        let rest = path.components.dropFirst(mapping.prefix.components.count)
        var walked = mapping.prefix
        for (index, component) in rest.enumerated() {
            guard kind == .directory else {
                return .missing(reason: "\(walked) is not a folder")
            }
            guard let entry = listing(of: host).find(component) else {
                return .missing(reason: "no \"\(component)\" in \(walked)")
            }
            walked = WindowsPath(root: walked.root, components: walked.components + [entry.name])
            host = host == "/" ? "/" + entry.name : host + "/" + entry.name
            kind = entry.kind
            let isLast = index == rest.count - 1
            if entry.kind == .symlink && !isLast {
                // A junction or folder link in the middle: continue at its Windows target.
                guard hops < VolumeMap.maximumLinkHops else {
                    return .missing(reason: "more than \(VolumeMap.maximumLinkHops) links while resolving \(path)")
                }
                let target = LinkReader.target(ofLinkAt: host, linkPath: walked, map: self)
                guard let targetPath = target.windowsPath else {
                    return .missing(reason: "link \(walked): \(target.problem ?? "target unknown")")
                }
                let remaining = Array(rest.dropFirst(index + 1))
                return resolve(
                    WindowsPath(root: targetPath.root, components: targetPath.components + remaining), hops: hops + 1)
            }
        }
        return .found(hostPath: host, kind: kind)
    }

    /// The Windows path of a host path inside a mapped root (its real on-disk spelling), `nil` outside them or
    /// when a name holds a `\`.
    package func windowsPath(forHostPath hostPath: String) -> WindowsPath? {
        var best: (mapping: Mapping, rest: [String])?
        for mapping in mappings {
            let root = mapping.hostRoot
            let rest: Substring
            if hostPath == root {
                rest = ""
            } else if root == "/" {
                rest = hostPath.dropFirst()
            } else if hostPath.hasPrefix(root + "/") {
                rest = hostPath.dropFirst(root.count + 1)
            } else {
                continue
            }
            let parts = rest.split(separator: "/").map(String.init)
            // A '\' inside a host name (possible on Linux, in a copied tree or an ntfs-3g POSIX name) would read as a
            // separator and name another path: such an entry has no Windows path.
            guard !parts.contains(".."), !parts.contains(where: { $0.contains("\\") }) else { return nil }
            // The deepest host root wins (a --map inside the C: tree).
            if best == nil || mapping.hostRoot.count > best!.mapping.hostRoot.count {
                best = (mapping, parts)
            }
        }
        guard let best else { return nil }
        return WindowsPath(
            root: best.mapping.prefix.root, components: best.mapping.prefix.components + best.rest.filter { $0 != "." })
    }

    /// The file system holding `hostPath`: that of the deepest mapped root containing it (POSIX outside them).
    package func fileSystem(forHostPath hostPath: String) -> any VolumeFileSystem {
        var best: Mapping?
        for mapping in mappings {
            let root = mapping.hostRoot
            guard hostPath == root || root == "/" || hostPath.hasPrefix(root + "/") else { continue }
            if best == nil || root.count > best!.hostRoot.count { best = mapping }
        }
        return best?.fileSystem ?? POSIXFileSystem.shared
    }

    /// Opens the file at `hostPath` through the file system holding it.
    /// - Throws: ``SystemError`` or the native reader's error when it cannot be opened.
    package func openFile(_ hostPath: String, readBudget: UInt64 = 256 << 20) throws -> FileReader {
        try fileSystem(forHostPath: hostPath).openFile(hostPath, readBudget: readBudget)
    }

    /// What is at `hostPath` (links not followed), `nil` when nothing is.
    package func kind(ofHostPath hostPath: String) -> EntryKind? {
        fileSystem(forHostPath: hostPath).kind(of: hostPath)
    }

    /// The cached listing of a host folder.
    package func listing(of hostDirectory: String) -> DirectoryListing {
        if let cached = listings.withLock({ $0[hostDirectory] }) { return cached }
        let listing = DirectoryListing(reading: hostDirectory, in: fileSystem(forHostPath: hostDirectory))
        listings.withLock { $0[hostDirectory] = listing }
        return listing
    }

    /// The entries of the folder at Windows path `folder` (empty when it does not exist or is unmapped).
    package func entries(of folder: WindowsPath) -> [VolumeEntry] {
        guard case .found(let host, .directory) = resolve(folder),
            let spelled = windowsPath(forHostPath: host)
        else { return [] }
        return listing(of: host).entries.compactMap { entry in
            guard let path = spelled.appending(entry.name) else { return nil }
            return VolumeEntry(
                path: path, hostPath: host == "/" ? "/" + entry.name : host + "/" + entry.name, kind: entry.kind)
        }
    }

    /// Whether the existing folder `folder` could be read.
    package func isListable(_ folder: WindowsPath) -> Bool {
        guard case .found(let host, .directory) = resolve(folder) else { return false }
        return listing(of: host).problem == nil
    }

    /// Forgets cached listings (after the volume changed under us, in tests).
    func invalidateCache() { listings.withLock { $0.removeAll() } }
}

/// One folder's entries, for case-insensitive lookups.
package struct DirectoryListing: Sendable {
    package struct Entry: Sendable {
        package var name: String
        package var kind: EntryKind

        /// The memberwise initialiser, `package` for the layers above (Swift synthesises it internal).
        package init(name: String, kind: EntryKind) {
            self.name = name
            self.kind = kind
        }
    }

    private var exact: [String: Entry] = [:]
    private var folded: [String: [Entry]] = [:]
    /// Why the folder could not be listed, if it could not.
    package var problem: SystemError?

    private var fold: @Sendable (String) -> String = { NTFSName.fold($0) }

    package init(reading path: String, in fileSystem: any VolumeFileSystem = POSIXFileSystem.shared) {
        fold = { fileSystem.fold($0) }
        let listed: [(name: String, kind: EntryKind)]
        do {
            listed = try fileSystem.listFolder(path)
        } catch let error as SystemError {
            problem = error
            return
        } catch {
            problem = SystemError("opendir", path: path, code: EIO)
            return
        }
        for (name, kind) in listed {
            let item = Entry(name: name, kind: kind)
            exact[name] = item
            folded[fold(name), default: []].append(item)
        }
    }

    /// Every entry, sorted by name.
    package var entries: [Entry] { exact.values.sorted { $0.name < $1.name } }

    /// The entry named `name`: the exact spelling first, else the one case-insensitive match (the first in
    /// byte order when a copied tree holds several spellings, which NTFS itself cannot).
    package func find(_ name: String) -> Entry? {
        if let hit = exact[name] { return hit }
        return folded[fold(name)]?.min { $0.name < $1.name }
    }
}
