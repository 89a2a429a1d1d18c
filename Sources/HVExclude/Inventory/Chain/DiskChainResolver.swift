#if canImport(Glibc)
import Glibc
import HVXBinary
import HVXFormats
import HVXVolume
#endif

/// Follows a differencing disk to its base disk, verifying each link by identity.
///
/// Candidates are tried in the order the format prescribes (VHDX: `relative_path`, `volume_path`,
/// `absolute_win32_path`; VHD: `W2ru`, `W2ku`, then the parent unicode name in the child's folder). The first
/// candidate that exists and carries the expected identity wins; a found file with another identity is a broken
/// link, reported as such rather than followed.
package struct DiskChainResolver: Sendable {
    /// Turns Windows paths into host paths and back (case-insensitively; never leaving the mapped roots).
    package var map: VolumeMap
    /// Volume GUID → drive letter (the SYSTEM hive's `MountedDevices`), for `volume_path` candidates on a volume
    /// no `--map` names.
    var volumeLetters: [GUID: Character]
    /// Most disks in one chain.
    package var maximumDepth: Int
    /// Reads one disk (replaceable in tests).
    var readDisk: @Sendable (String) throws -> VirtualDisk

    /// Creates a resolver.
    /// - Parameters:
    ///   - map: the volume map.
    ///   - volumeLetters: volume GUID → drive letter, from the host's `MountedDevices`.
    ///   - maximumDepth: chain length cap (256).
    package init(map: VolumeMap, volumeLetters: [GUID: Character] = [:], maximumDepth: Int = 256) {
        self.map = map
        self.volumeLetters = volumeLetters
        self.maximumDepth = maximumDepth
        self.readDisk = { try VirtualDiskReader.read(file: map.openFile($0)) }
    }

    /// The chain of the disk at `hostPath`: that disk first, then each parent up to the base disk or the link
    /// that could not be followed.
    /// - Parameter windowsPath: the disk's Windows path when the caller knows it (else asked of the mapping).
    package func chain(hostPath: String, windowsPath: WindowsPath? = nil) -> [DiskChainLink] {
        let startWindows = windowsPath ?? map.windowsPath(forHostPath: hostPath)
        var links: [DiskChainLink] = []
        var disk: VirtualDisk
        do {
            disk = try readDisk(hostPath)
        } catch {
            let exists = map.kind(ofHostPath: hostPath) != nil
            return [
                DiskChainLink(
                    path: startWindows?.description ?? hostPath, hostPath: hostPath, exists: exists, verified: false,
                    status: exists ? .unreadable : .unresolved, reason: "\(error)")
            ]
        }
        links.append(
            DiskChainLink(
                path: startWindows?.description ?? hostPath, hostPath: hostPath, exists: true, verified: true,
                status: .start, disk: disk))
        var visited: Set<String> = [DiskChainResolver.canonical(hostPath)]
        var childHost = hostPath
        var childWindows = startWindows

        while disk.type == .differencing {
            guard let parent = disk.parent else {
                links.append(
                    DiskChainLink(
                        path: "", hostPath: nil, exists: false, verified: false, status: .unresolved,
                        reason: "the differencing disk records no parent locator", candidates: []))
                break
            }
            guard links.count < maximumDepth else {
                links.append(
                    DiskChainLink(
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
    package struct Step {
        package var link: DiskChainLink
        /// The parent disk when the chain goes on from it.
        package var disk: VirtualDisk?
        /// The parent's Windows path when known.
        package var windowsPath: WindowsPath?
    }

    func resolveParent(
        _ parent: VirtualDiskParent, childHost: String, childWindows: WindowsPath?, visited: Set<String>
    ) -> Step {
        var attempts: [String] = []
        var firstMismatch: Step?
        var firstUnreadable: Step?
        var firstLoop: Step?
        let expected = parent.expectedIdentities
        for candidate in parent.candidates {
            let found: String
            let target: WindowsPath
            switch locate(candidate, childWindows: childWindows) {
            case .success(let located): (target, found) = (located.windowsPath, located.hostPath)
            case .failure(let failure):
                attempts.append("\(candidate.source) \"\(candidate.path)\": \(failure.reason)")
                continue
            }
            let windowsPath = map.windowsPath(forHostPath: found) ?? target
            let windows = windowsPath.description
            // Another candidate may still name the real parent: a loop or an unreadable file is reported only
            // if none does (the first of each kind).
            func setBack(_ step: inout Step?, _ status: DiskChainLink.Status, attempt: String, reason: String) {
                attempts.append("\(candidate.source) \"\(candidate.path)\": \(attempt)")
                if step == nil {
                    step = Step(
                        link: DiskChainLink(
                            path: windows, hostPath: found, exists: true, verified: false, status: status,
                            reason: reason))
                }
            }
            if visited.contains(DiskChainResolver.canonical(found)) {
                setBack(
                    &firstLoop, .loop, attempt: "\(found) is already in the chain",
                    reason: "\(candidate.source) \"\(candidate.path)\" leads back to a disk already in the chain")
                continue
            }
            let disk: VirtualDisk
            do {
                disk = try readDisk(found)
            } catch {
                setBack(&firstUnreadable, .unreadable, attempt: "\(found) is unreadable: \(error)", reason: "\(error)")
                continue
            }
            if expected.isEmpty {
                return Step(
                    link: DiskChainLink(
                        path: windows, hostPath: found, exists: true, verified: false, status: .unverifiable,
                        reason: "found through \(candidate.source); the child records no parent identity to check",
                        disk: disk),
                    disk: disk, windowsPath: windowsPath)
            }
            if expected.contains(disk.identity) {
                return Step(
                    link: DiskChainLink(
                        path: windows, hostPath: found, exists: true, verified: true, status: .verified, disk: disk),
                    disk: disk, windowsPath: windowsPath)
            }
            let names = expected.map(\.description).joined(separator: " or ")
            let what = disk.format == .vhdx ? "DataWriteGuid" : "unique id"
            let reason =
                "found through \(candidate.source), but its \(what) \(disk.identity) does not match the "
                + "child's expected \(names): the link is broken (the parent was modified or replaced)"
            attempts.append("\(candidate.source) \"\(candidate.path)\": \(found) has identity \(disk.identity)")
            if firstMismatch == nil {
                firstMismatch = Step(
                    link: DiskChainLink(
                        path: windows, hostPath: found, exists: true, verified: false, status: .broken, reason: reason,
                        disk: disk))
            }
        }
        if let firstLoop { return firstLoop }
        if let firstMismatch { return firstMismatch }
        if let firstUnreadable { return firstUnreadable }
        let paths = orderedCandidatePaths(parent, childWindows: childWindows)
        let reason =
            parent.candidates.isEmpty
            ? "the child records no parent path"
            : "no candidate resolves: " + attempts.joined(separator: "; ")
        return Step(
            link: DiskChainLink(
                path: paths.first ?? "", hostPath: nil, exists: false, verified: false, status: .unresolved,
                reason: reason, candidates: paths))
    }

    /// Why a candidate did not lead to a file.
    package struct LocateFailure: Error {
        package var reason: String
    }

    /// The Windows path a candidate names and the host file it leads to.
    package func locate(
        _ candidate: VirtualDiskParent.Candidate, childWindows: WindowsPath?
    ) -> Result<(windowsPath: WindowsPath, hostPath: String), LocateFailure> {
        guard let target = targetPath(candidate, childWindows: childWindows) else {
            switch candidate.kind {
            case .absolute, .volume: return .failure(.init(reason: "not an absolute Windows path"))
            case .relative, .unicodeName:
                return .failure(
                    .init(
                        reason: childWindows == nil
                            ? "the child's Windows folder is unknown"
                            : "not a relative path, or it climbs above the volume root"))
            }
        }
        switch map.resolve(target) {
        case .found(let host, .file): return .success((target, host))
        case .found(_, let kind): return .failure(.init(reason: "\(target) is a \(kind.rawValue), not a disk file"))
        case .missing(let reason): return .failure(.init(reason: reason))
        case .unmapped: return .failure(.init(reason: "\(target) is on no mapped volume"))
        }
    }

    /// The Windows path a candidate names: absolute ones as written (a volume GUID translated to its drive
    /// letter when only `MountedDevices` knows it), relative ones joined to the child's folder.
    package func targetPath(_ candidate: VirtualDiskParent.Candidate, childWindows: WindowsPath?) -> WindowsPath? {
        switch candidate.kind {
        case .absolute, .volume:
            guard let path = WindowsPath(candidate.path) else { return nil }
            if case .volume(let guid) = path.root, map.mapping(for: path) == nil, let letter = volumeLetters[guid] {
                return WindowsPath(root: .drive(letter), components: path.components)
            }
            return path
        case .relative, .unicodeName:
            let text = candidate.path
            if text.hasPrefix("\\") || text.hasPrefix("/") || WindowsPath(text) != nil { return nil }
            if candidate.kind == .unicodeName && (text.contains("\\") || text.contains("/")) { return nil }
            return childWindows?.parent?.appending(text)
        }
    }

    /// Every candidate as a path to report, absolute ones first, relative ones joined to the child's Windows
    /// folder when it is known.
    func orderedCandidatePaths(_ parent: VirtualDiskParent, childWindows: WindowsPath?) -> [String] {
        let absolute = parent.candidates.filter { $0.kind == .absolute }
        let others = parent.candidates.filter { $0.kind != .absolute }
        var seen: Set<String> = []
        var paths: [String] = []
        for candidate in absolute + others {
            let text = targetPath(candidate, childWindows: childWindows)?.description ?? candidate.path
            if seen.insert(NTFSName.fold(text)).inserted { paths.append(text) }
        }
        return paths
    }

    /// `realpath` of `path`, or `path` itself when that fails (loops are detected on the canonical form).
    package static func canonical(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
