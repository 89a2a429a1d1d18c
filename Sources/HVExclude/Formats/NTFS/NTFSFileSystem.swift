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
    /// Per folder looked up: its children by name (hidden metafiles left out), and whether the names of its
    /// dropped files are among them yet (they are added on the first miss).
    private let lookups = Mutex<[UInt64: (table: [String: UInt64], complete: Bool)]>([:])
    /// The tree with every name, made only when a folder's index does not name all of its dropped files (a damaged
    /// index): the MFT is read again, whole.
    private let fullTree = Mutex<NTFSTree?>(nil)

    /// Reads the MFT of `volume` and serves it under `root`.
    /// - Parameter keep: which files' names the tree keeps (``NTFSTree/KeepTest``): at least every name the walk's
    ///   `match` accepts. Other names are answered from their folder's `$I30` index, checked against the MFT.
    ///   `nil` keeps every name.
    package init(volume: NTFSVolume, root: String, keep: NTFSTree.KeepTest? = nil) {
        self.volume = volume
        var root = root
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        self.root = root
        self.tree = NTFSTree(volume: volume, keep: keep)
    }

    /// Problems met reading the volume and its MFT, each naming the record.
    package var warnings: [Diagnostic] { volume.warnings + tree.warnings }

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
        if let cached = lookups.withLock({ $0[folder] }), cached.complete || cached.table[name] != nil {
            return cached.table[name]
        }
        // The kept names first (folders, the files the scan wants); the folder's index only when they miss.
        var lookup: (table: [String: UInt64], complete: Bool) =
            lookups.withLock({ $0[folder] })
            ?? (table(keptChildren(of: folder), in: folder), tree.droppedCount(of: folder) == 0)
        if lookup.table[name] == nil && !lookup.complete {
            lookup = (table(placedChildren(of: folder), in: folder), true)
        }
        lookups.withLock { $0[folder] = lookup }
        return lookup.table[name]
    }

    /// `children` by name, hidden metafiles left out; of two children of one name, the later in the MFT.
    private func table(_ children: [(name: String, record: UInt64)], in folder: UInt64) -> [String: UInt64] {
        var table: [String: UInt64] = [:]
        for child in children where !(folder == NTFSVolume.rootRecord && NTFSTree.isHidden(child.record)) {
            table[child.name] = child.record
        }
        return table
    }

    /// The visible children of folder `record`: name and record number, in MFT order.
    package func children(of record: UInt64) -> [(name: String, record: UInt64)] {
        placedChildren(of: record).filter { !(record == NTFSVolume.rootRecord && NTFSTree.isHidden($0.record)) }
    }

    /// Folder `folder`'s kept children, hidden metafiles included, in MFT order.
    func keptChildren(of folder: UInt64) -> [(name: String, record: UInt64)] {
        tree.children(of: folder).map { (tree.name(Int($0)), tree.names[Int($0)].record) }
    }

    /// Every name the MFT places in folder `folder`, hidden metafiles included, by record: the kept names, and
    /// those of its dropped files, which the folder's `$I30` index lists and each file's record confirms (the MFT
    /// decides, as for the kept names). A dropped name the index does not list (a damaged index) is found by reading
    /// the MFT again, whole. `index` is the folder's index when the caller has read it.
    func placedChildren(of folder: UInt64, index: NTFSIndex? = nil) -> [(name: String, record: UInt64)] {
        var children = keptChildren(of: folder)
        let dropped = tree.droppedCount(of: folder)
        guard dropped > 0 else { return children }
        var found: [(name: String, record: UInt64)] = []
        if let index = index ?? (try? NTFSIndex(volume: volume, record: folder)) {
            var seen: Set<String> = []
            var fingerprints: UInt64 = 0
            for entry in index.entries where tree.isDropped(entry.record) {
                guard seen.insert("\(entry.record)/\(entry.name)").inserted else { continue }
                found.append((entry.name, entry.record))
                var name = entry.name
                fingerprints &+= name.withUTF8 { NTFSTree.fingerprint(record: entry.record, name: $0) }
            }
            // The index names exactly the dropped names (their count and fingerprint agree): no record to read.
            // Otherwise each entry is checked against its record, and what the index lacks comes from the MFT.
            if found.count != dropped || fingerprints != tree.droppedPrint(of: folder) {
                found = found.filter { record($0.record, places: $0.name, in: folder) }
            }
        }
        if found.count < dropped { found = droppedChildrenFromMFT(of: folder) }
        children += found
        return children.enumerated().sorted { ($0.element.record, $0.offset) < ($1.element.record, $1.offset) }.map(
            \.element)
    }

    /// Whether record `number` has a name `name` that the tree would link under `folder`.
    private func record(_ number: UInt64, places name: String, in folder: UInt64) -> Bool {
        guard let attributes = try? volume.attributes(ofRecord: number) else { return false }
        for attribute in attributes where attribute.type == NTFSAttribute.Kind.fileName.rawValue {
            guard let value = attribute.residentValue, let fileName = try? NTFSFileName(parsing: value) else {
                continue
            }
            if fileName.namespace != NTFSFileName.dosNamespace && fileName.parent.record == folder
                && fileName.name == name && tree.linkProblem(fileName.parent) == nil
            {
                return true
            }
        }
        return false
    }

    /// The names of dropped files the MFT places in `folder`, from a tree with every name (made once).
    private func droppedChildrenFromMFT(of folder: UInt64) -> [(name: String, record: UInt64)] {
        fullTree.withLock { full in
            let whole = full ?? NTFSTree(volume: volume)
            full = whole
            return whole.children(of: folder).compactMap { index in
                let record = whole.names[Int(index)].record
                return tree.isDropped(record) ? (whole.name(Int(index)), record) : nil
            }
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
        guard let record = record(atHostPath: hostPath), tree.node(record).reparseTag != 0 else { return nil }
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
                WalkIssue(
                    path: root, operation: "read MFT", code: EIO, message: "\(volume.name): \(warning)",
                    diagnostic: warning.code))
        }
        for walkRoot in roots {
            guard let start = record(atHostPath: walkRoot), tree.kind(of: start) == .directory else {
                throw SystemError("open", path: walkRoot, code: ENOENT)
            }
            var walk = RootWalk(root: walkRoot, start: start, folders: tree.keptNodes.count)
            if let slot = tree.slot(start) { walk.visited[slot] = true }
            while let (folder, depth) = walk.stack.popLast() {
                let path = walk.path(Int(folder), tree: tree)
                progress.started(directory: path)
                let listed = visit((Int(folder), path, depth), of: &walk, into: &result, match: match)
                progress.finished(entries: listed)
                result.entriesVisited += listed
                result.directoriesVisited += 1
            }
            result.issues += indexDisagreements(foldersToCheck(walk.matchedFolders, parents: walk.parentsOfMatched()))
        }
        result.entries.sort()
        result.issues.sort()
        return result
    }

    /// The walk below one root: the folders entered (each its parent and name: a path is made when the folder is
    /// listed, so the stack holds no path), those still to list, and what the index check needs.
    private struct RootWalk {
        var root: String
        /// Entered folders: record, parent (an index here, -1 for the walk root), name (an index into the tree's names).
        var folders: [(record: UInt64, parent: Int32, name: Int32)]
        /// Folders still to list: index into ``folders``, depth.
        var stack: [(Int32, Int)]
        /// Per slot of the tree: whether the folder was entered.
        var visited: [Bool]
        /// The folders holding a matched file: record → index into ``folders``, and their paths.
        var matchedFolders: [UInt64: [UInt8]] = [:]
        var matchedIndexes: [UInt64: Int] = [:]

        init(root: String, start: UInt64, folders count: Int) {
            self.root = root
            folders = [(start, -1, -1)]
            folders.reserveCapacity(count)  // never doubled; untouched room costs no memory
            stack = [(0, 0)]
            visited = [Bool](repeating: false, count: count)
        }

        /// The host path of entered folder `index`.
        func path(_ index: Int, tree: NTFSTree) -> [UInt8] {
            var names: [Int32] = []
            var current = index
            while folders[current].parent >= 0 {
                names.append(folders[current].name)
                current = Int(folders[current].parent)
            }
            var path = Array(root.utf8)
            for name in names.reversed() {
                if path != [UInt8(ascii: "/")] { path.append(UInt8(ascii: "/")) }
                tree.withNameBytes(Int(name)) { path.append(contentsOf: $0) }
            }
            return path
        }

        /// Each entered folder's parent, for the folders on the way to a matched file.
        func parentsOfMatched() -> [UInt64: UInt64] {
            var parents: [UInt64: UInt64] = [:]
            for var index in matchedIndexes.values {
                while folders[index].parent >= 0, parents[folders[index].record] == nil {
                    parents[folders[index].record] = folders[Int(folders[index].parent)].record
                    index = Int(folders[index].parent)
                }
            }
            return parents
        }
    }

    /// Lists one folder: its kept children go through `match` (dropped files are counted only: the tree's keep test
    /// holds every name `match` accepts), links and matched names into `result`, subfolders onto the stack.
    /// Returns how many visible children it has.
    private func visit(
        _ entered: (index: Int, path: [UInt8], depth: Int), of walk: inout RootWalk, into result: inout WalkResult,
        match: (UnsafeBufferPointer<UInt8>, EntryKind) -> Bool
    ) -> Int {
        let folder = (record: walk.folders[entered.index].record, path: entered.path, depth: entered.depth)
        var listed = tree.droppedCount(of: folder.record)
        for index in tree.children(of: folder.record) {
            let child = (record: tree.names[Int(index)].record, index: Int(index))
            if folder.record == NTFSVolume.rootRecord && NTFSTree.isHidden(child.record) { continue }
            listed += 1
            let kind = tree.kind(of: child.record)
            // The predicate sees the stored UTF-8 bytes: no String for the many names it rejects.
            let matched = tree.withNameBytes(child.index) { match($0, kind) }
            guard kind == .directory || matched || kind == .symlink else { continue }
            var pathBytes: [UInt8] {
                var bytes = folder.path
                if bytes != [UInt8(ascii: "/")] { bytes.append(UInt8(ascii: "/")) }
                tree.withNameBytes(child.index) { bytes.append(contentsOf: $0) }
                return bytes
            }
            if kind == .directory {
                // A folder reachable twice would be a corrupt tree (folders have one name): enter it once.
                // A folder's slot exists: the tree keeps every folder.
                if let slot = tree.slot(child.record), !walk.visited[slot] {
                    walk.visited[slot] = true
                    walk.folders.append((child.record, Int32(entered.index), Int32(child.index)))
                    walk.stack.append((Int32(walk.folders.count - 1), folder.depth + 1))
                } else {
                    result.issues.append(
                        WalkIssue(
                            path: String(decoding: pathBytes, as: UTF8.self), operation: "read MFT", code: ELOOP,
                            message:
                                "\(volume.name): MFT record \(child.record): folder reached a second time (corrupt parent references); not entered again",
                            diagnostic: .ntfsFolderReachedTwice))
                }
            }
            if matched && kind != .directory {
                walk.matchedFolders[folder.record] = folder.path
                walk.matchedIndexes[folder.record] = entered.index
            }
            if matched || kind == .symlink {
                let pathBytes = pathBytes
                result.entries.append(
                    WalkEntry(
                        root: walk.root, hostPath: String(decoding: pathBytes, as: UTF8.self), hostPathBytes: pathBytes,
                        name: tree.name(child.index), kind: kind, linkTarget: nil, depth: folder.depth + 1,
                        matched: matched))
            }
        }
        return listed
    }
}
