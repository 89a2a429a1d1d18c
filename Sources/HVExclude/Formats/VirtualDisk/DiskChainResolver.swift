#if canImport(Glibc)
import Glibc
#endif

/// Follows a differencing disk to its base disk, verifying each link by identity.
///
/// Candidates are tried in the order the format prescribes (VHDX: `relative_path`, `volume_path`,
/// `absolute_win32_path`; VHD: `W2ru`, `W2ku`, then the parent unicode name in the child's folder). The first
/// candidate that exists and carries the expected identity wins; a found file with another identity is a broken
/// link, reported as such rather than followed.
public struct DiskChainResolver: Sendable {
    /// Turns Windows paths into host paths and back.
    public var mapping: WindowsPathMapping
    /// Host folders relative candidates must not climb above (the innermost one holding the child applies;
    /// with none, the child's own folder).
    public var roots: [String]
    /// Most disks in one chain.
    public var maximumDepth: Int
    /// Reads one disk (replaceable in tests).
    public var readDisk: @Sendable (String) throws -> VirtualDisk

    /// Creates a resolver.
    /// - Parameters:
    ///   - mapping: the volume map's two directions.
    ///   - roots: host folders (drive roots) relative candidates stay within.
    ///   - maximumDepth: chain length cap (256).
    public init(mapping: WindowsPathMapping, roots: [String], maximumDepth: Int = 256) {
        self.mapping = mapping
        self.roots = roots.map(HostPath.trimmingTrailingSlash)
        self.maximumDepth = maximumDepth
        self.readDisk = { try VirtualDiskReader.read(path: $0) }
    }

    /// The chain of the disk at `hostPath`: that disk first, then each parent up to the base disk or the link
    /// that could not be followed.
    /// - Parameter windowsPath: the disk's Windows path when the caller knows it (else asked of the mapping).
    public func chain(hostPath: String, windowsPath: String? = nil) -> [DiskChainLink] {
        let startWindows = windowsPath ?? mapping.windowsPathForHost(hostPath)
        var links: [DiskChainLink] = []
        var disk: VirtualDisk
        do {
            disk = try readDisk(hostPath)
        } catch {
            let exists = CaseInsensitivePath.exists(hostPath)
            return [DiskChainLink(
                path: startWindows ?? hostPath, hostPath: hostPath, exists: exists, verified: false,
                status: exists ? .unreadable : .unresolved, reason: "\(error)")]
        }
        links.append(DiskChainLink(
            path: startWindows ?? hostPath, hostPath: hostPath, exists: true, verified: true, status: .start, disk: disk))
        var visited: Set<String> = [DiskChainResolver.canonical(hostPath)]
        var childHost = hostPath
        var childWindows = startWindows

        while disk.type == .differencing {
            guard let parent = disk.parent else {
                links.append(DiskChainLink(
                    path: "", hostPath: nil, exists: false, verified: false, status: .unresolved,
                    reason: "the differencing disk records no parent locator", candidates: []))
                break
            }
            guard links.count < maximumDepth else {
                links.append(DiskChainLink(
                    path: "", hostPath: nil, exists: false, verified: false, status: .tooDeep,
                    reason: "the chain is longer than \(maximumDepth) disks; not followed further"))
                break
            }
            let step = resolveParent(parent, childHost: childHost, childWindows: childWindows, visited: visited)
            links.append(step.link)
            guard let next = step.disk, let nextHost = step.link.hostPath else { break }
            disk = next
            visited.insert(DiskChainResolver.canonical(nextHost))
            childHost = nextHost
            childWindows = step.windowsPath
        }
        return links
    }

    /// The outcome of looking for one parent.
    struct Step {
        var link: DiskChainLink
        /// The parent disk when the chain goes on from it.
        var disk: VirtualDisk?
        /// The parent's Windows path when known.
        var windowsPath: String?
    }

    func resolveParent(
        _ parent: VirtualDiskParent, childHost: String, childWindows: String?, visited: Set<String>
    ) -> Step {
        var attempts: [String] = []
        var firstMismatch: Step?
        var firstUnreadable: Step?
        var firstLoop: Step?
        let expected = parent.expectedIdentities
        for candidate in parent.candidates {
            let found: String
            switch locate(candidate, childHost: childHost) {
            case .success(let host): found = host
            case .failure(let failure):
                attempts.append("\(candidate.source) \"\(candidate.path)\": \(failure)")
                continue
            }
            let windows = windowsPath(for: candidate, host: found, childWindows: childWindows)
            if visited.contains(DiskChainResolver.canonical(found)) {
                // Another candidate may still name the real parent; report the loop only if none does.
                attempts.append("\(candidate.source) \"\(candidate.path)\": \(found) is already in the chain")
                if firstLoop == nil {
                    firstLoop = Step(link: DiskChainLink(
                        path: windows, hostPath: found, exists: true, verified: false, status: .loop,
                        reason: "\(candidate.source) \"\(candidate.path)\" leads back to a disk already in the chain"))
                }
                continue
            }
            let disk: VirtualDisk
            do {
                disk = try readDisk(found)
            } catch {
                attempts.append("\(candidate.source) \"\(candidate.path)\": \(found) is unreadable: \(error)")
                if firstUnreadable == nil {
                    firstUnreadable = Step(link: DiskChainLink(
                        path: windows, hostPath: found, exists: true, verified: false, status: .unreadable,
                        reason: "\(error)"))
                }
                continue
            }
            if expected.isEmpty {
                return Step(
                    link: DiskChainLink(
                        path: windows, hostPath: found, exists: true, verified: false, status: .unverifiable,
                        reason: "found through \(candidate.source); the child records no parent identity to check",
                        disk: disk),
                    disk: disk, windowsPath: windows)
            }
            if expected.contains(disk.identity) {
                return Step(
                    link: DiskChainLink(
                        path: windows, hostPath: found, exists: true, verified: true, status: .verified, disk: disk),
                    disk: disk, windowsPath: windows)
            }
            let names = expected.map(\.description).joined(separator: " or ")
            let what = disk.format == .vhdx ? "DataWriteGuid" : "unique id"
            let reason = "found through \(candidate.source), but its \(what) \(disk.identity) does not match the "
                + "child's expected \(names): the link is broken (the parent was modified or replaced)"
            attempts.append("\(candidate.source) \"\(candidate.path)\": \(found) has identity \(disk.identity)")
            if firstMismatch == nil {
                firstMismatch = Step(link: DiskChainLink(
                    path: windows, hostPath: found, exists: true, verified: false, status: .broken, reason: reason,
                    disk: disk))
            }
        }
        if let firstLoop { return firstLoop }
        if let firstMismatch { return firstMismatch }
        if let firstUnreadable { return firstUnreadable }
        let paths = orderedCandidatePaths(parent, childWindows: childWindows)
        let reason = parent.candidates.isEmpty
            ? "the child records no parent path"
            : "no candidate resolves: " + attempts.joined(separator: "; ")
        return Step(link: DiskChainLink(
            path: paths.first ?? "", hostPath: nil, exists: false, verified: false, status: .unresolved,
            reason: reason, candidates: paths))
    }

    /// The host path a candidate leads to.
    func locate(_ candidate: VirtualDiskParent.Candidate, childHost: String) -> Result<String, CaseInsensitivePath.Failure> {
        switch candidate.kind {
        case .absolute, .volume:
            if let host = mapping.resolveWindowsPath(candidate.path) { return .success(host) }
            return .failure(.init(description: "not found on any mapped volume"))
        case .relative, .unicodeName:
            let parts = WindowsPathText.components(candidate.path)
            if candidate.kind == .unicodeName && parts.count != 1 {
                return .failure(.init(description: "not a plain file name"))
            }
            if WindowsPathText.splitDrive(candidate.path) != nil || candidate.path.hasPrefix("\\") {
                return .failure(.init(description: "not a relative path"))
            }
            let folder = HostPath.folder(childHost)
            return CaseInsensitivePath.resolve(parts, from: folder, within: boundary(for: folder))
        }
    }

    /// The innermost root holding `folder`, or `folder` itself.
    func boundary(for folder: String) -> String {
        roots.filter { HostPath.isInside(folder, $0) }.max { $0.count < $1.count } ?? folder
    }

    /// The Windows path to report for a parent found at `host`.
    func windowsPath(for candidate: VirtualDiskParent.Candidate, host: String, childWindows: String?) -> String {
        if let mapped = mapping.windowsPathForHost(host) { return mapped }
        switch candidate.kind {
        case .absolute, .volume: return candidate.path
        case .relative, .unicodeName:
            if let childWindows, let joined = WindowsPathText.join(folderOf: childWindows, candidate.path) { return joined }
            return host
        }
    }

    /// Every candidate as a path to report, absolute ones first, relative ones joined to the child's Windows
    /// folder when it is known.
    func orderedCandidatePaths(_ parent: VirtualDiskParent, childWindows: String?) -> [String] {
        let absolute = parent.candidates.filter { $0.kind == .absolute }
        let others = parent.candidates.filter { $0.kind != .absolute }
        var seen: Set<String> = []
        var paths: [String] = []
        for candidate in absolute + others {
            var text = candidate.path
            if candidate.kind == .relative || candidate.kind == .unicodeName, let childWindows,
                let joined = WindowsPathText.join(folderOf: childWindows, candidate.path)
            {
                text = joined
            }
            if seen.insert(text.lowercased()).inserted { paths.append(text) }
        }
        return paths
    }

    /// `realpath` of `path`, or `path` itself when that fails (loops are detected on the canonical form).
    static func canonical(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
