import HVXBinary
import HVXVolume
import HVXWalk
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// An NTFS volume read natively (no mount, no root), answering a scan's file-system questions under a synthetic
/// host root such as `/backups/host.vhdx#p2`, which exists nowhere on the host.
///
/// The tree comes from one pass over the MFT (``NTFSTree``); names below the root are the on-disk spellings,
/// metafiles are hidden as ntfs-3g hides them, NTFS symlinks and junctions are links whose reparse data is
/// handed to the same link resolution a mounted volume uses, and names compare through the volume's `$UpCase`.
package final class NTFSFileSystem: VolumeFileSystem {
    /// The volume.
    package let volume: NTFSVolume
    /// The synthetic host root.
    package let root: String
    /// The tree.
    package let tree: NTFSTree
    private let lookups = Mutex<[UInt64: [String: UInt64]]>([:])

    /// Reads the MFT of `volume` and serves it under `root`.
    package init(volume: NTFSVolume, root: String) {
        self.volume = volume
        var root = root
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        self.root = root
        self.tree = NTFSTree(volume: volume)
    }

    /// Problems met reading the volume and its MFT, each naming the record.
    package var warnings: [Diagnostic] { volume.warnings + tree.warnings.map { Diagnostic(.ntfsTree, $0) } }

    // MARK: paths

    /// The record at `hostPath` (exact on-disk spelling), `nil` outside this volume or when nothing is there.
    package func record(atHostPath hostPath: String) -> UInt64? {
        guard hostPath == root || hostPath.hasPrefix(root + "/") else { return nil }
        var record = NTFSVolume.rootRecord
        for component in hostPath.dropFirst(root.count).split(separator: "/", omittingEmptySubsequences: true) {
            guard tree.kind(of: record) == .directory, let child = child(named: String(component), of: record) else {
                return nil
            }
            record = child
        }
        return record
    }

    private func child(named name: String, of folder: UInt64) -> UInt64? {
        if let cached = lookups.withLock({ $0[folder] }) { return cached[name] }
        var table: [String: UInt64] = [:]
        for index in tree.children(of: folder) {
            let entry = tree.names[Int(index)]
            if folder == NTFSVolume.rootRecord && NTFSTree.isHidden(entry.record) { continue }
            table[tree.name(Int(index))] = entry.record
        }
        lookups.withLock { $0[folder] = table }
        return table[name]
    }

    /// The visible children of folder `record`: name and record number.
    package func children(of record: UInt64) -> [(name: String, record: UInt64)] {
        tree.children(of: record).compactMap { index in
            let entry = tree.names[Int(index)]
            if record == NTFSVolume.rootRecord && NTFSTree.isHidden(entry.record) { return nil }
            return (tree.name(Int(index)), entry.record)
        }
    }

    // MARK: VolumeFileSystem

    package func listFolder(_ hostPath: String) throws -> [(name: String, kind: EntryKind)] {
        guard let record = record(atHostPath: hostPath) else {
            throw SystemError("opendir", path: hostPath, code: ENOENT)
        }
        guard tree.kind(of: record) == .directory else { throw SystemError("opendir", path: hostPath, code: ENOTDIR) }
        return children(of: record).map { ($0.name, tree.kind(of: $0.record)) }
    }

    package func kind(of hostPath: String) -> EntryKind? {
        record(atHostPath: hostPath).map { tree.kind(of: $0) }
    }

    package func openFile(_ hostPath: String, readBudget: UInt64) throws -> FileReader {
        guard let record = record(atHostPath: hostPath) else { throw SystemError("open", path: hostPath, code: ENOENT) }
        switch tree.kind(of: record) {
        case .directory: throw SystemError("open", path: hostPath, code: EISDIR)
        case .symlink: throw SystemError("open", path: hostPath, code: ELOOP)
        default: break
        }
        let stream = try volume.dataStream(try volume.attributes(ofRecord: record), record: record)
        return FileReader(path: hostPath, source: stream, readBudget: readBudget)
    }

    package func reparseData(_ hostPath: String) -> [UInt8]? {
        guard let record = record(atHostPath: hostPath), tree.nodes[Int(record)].reparseTag != 0 else { return nil }
        return try? volume.reparseData(ofRecord: record)
    }

    /// An Interix symlink's target (ntfs-3g shows it as the link text); NTFS symlinks have reparse data instead.
    package func linkText(_ hostPath: String) -> String? {
        guard let record = record(atHostPath: hostPath), tree.kind(of: record) == .symlink else { return nil }
        return tree.interixTargets[record]
    }

    package func fold(_ name: String) -> String { volume.upcase.fold(name) }

    package func walk(
        roots: [String], options: WalkOptions, progress: WalkProgress,
        match: @escaping @Sendable (UnsafeBufferPointer<UInt8>, EntryKind) -> Bool
    ) throws -> WalkResult {
        var result = WalkResult(
            roots: roots, entries: [], issues: [], entriesVisited: 0, directoriesVisited: 0, cancelled: false)
        for warning in warnings {
            result.issues.append(
                WalkIssue(path: root, operation: "read MFT", code: EIO, message: "\(volume.name): \(warning)"))
        }
        for walkRoot in roots {
            guard let start = record(atHostPath: walkRoot), tree.kind(of: start) == .directory else {
                throw SystemError("open", path: walkRoot, code: ENOENT)
            }
            var stack: [(record: UInt64, path: [UInt8], depth: Int)] = [(start, Array(walkRoot.utf8), 0)]
            var visited: Set<UInt64> = [start]
            // For the index check: each entered folder's parent, and the folders holding a matched file.
            var parents: [UInt64: UInt64] = [:]
            var matchedFolders: [UInt64: [UInt8]] = [:]
            while let folder = stack.popLast() {
                progress.started(directory: folder.path)
                var listed = 0
                for index in tree.children(of: folder.record) {
                    let child = (record: tree.names[Int(index)].record, index: Int(index))
                    if folder.record == NTFSVolume.rootRecord && NTFSTree.isHidden(child.record) { continue }
                    listed += 1
                    let kind = tree.kind(of: child.record)
                    // The predicate sees the stored UTF-8 bytes: no String for the many names it rejects.
                    let matched = tree.withNameBytes(child.index) { match($0, kind) }
                    guard kind == .directory || matched || kind == .symlink else { continue }
                    var pathBytes = folder.path
                    if pathBytes != [UInt8(ascii: "/")] { pathBytes.append(UInt8(ascii: "/")) }
                    tree.withNameBytes(child.index) { pathBytes.append(contentsOf: $0) }
                    if kind == .directory {
                        // A folder reachable twice would be a corrupt tree (folders have one name): enter it once.
                        if visited.insert(child.record).inserted {
                            parents[child.record] = folder.record
                            stack.append((child.record, pathBytes, folder.depth + 1))
                        } else {
                            let path = String(decoding: pathBytes, as: UTF8.self)
                            result.issues.append(
                                WalkIssue(
                                    path: path, operation: "read MFT", code: ELOOP,
                                    message:
                                        "\(volume.name): MFT record \(child.record): folder reached a second time (corrupt parent references); not entered again"
                                ))
                        }
                    }
                    if matched && kind != .directory { matchedFolders[folder.record] = folder.path }
                    if matched || kind == .symlink {
                        result.entries.append(
                            WalkEntry(
                                root: walkRoot, hostPath: String(decoding: pathBytes, as: UTF8.self),
                                hostPathBytes: pathBytes,
                                name: tree.name(child.index), kind: kind, linkTarget: nil, depth: folder.depth + 1,
                                matched: matched))
                    }
                }
                progress.finished(entries: listed)
                result.entriesVisited += listed
                result.directoriesVisited += 1
            }
            result.issues += indexDisagreements(foldersToCheck(matchedFolders, parents: parents))
        }
        result.entries.sort()
        result.issues.sort()
        return result
    }
}
