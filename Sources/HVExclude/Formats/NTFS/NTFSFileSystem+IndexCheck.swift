import HVXBinary
import HVXWalk

#if canImport(Glibc)
import Glibc
#endif

/// The folder tree comes from the MFT's parent links; Windows and ntfs-3g list a folder from its `$I30` index.
/// For the folders on the way to every file the walk matched (the Hyper-V files among them), the two are compared
/// and each disagreement is a warning:
/// - a name in the MFT but not in its folder's index: Windows and ntfs-3g do not show it (chkdsk would put it
///   back into the index); it is still scanned where the MFT places it, since its exclusion is wanted the moment
///   it is visible again;
/// - a name in the index that the MFT does not place in that folder (the record is unused, names another folder,
///   or its parent reference is stale): not scanned there; a stale one is under `$Orphans`.
extension NTFSFileSystem {
    /// Cap on folders whose index is read in one walk.
    static let maximumIndexChecks = 4096

    /// The folders from each of `matchedFolders` (record → host path) up to the walk root, each once, by path.
    func foldersToCheck(_ matchedFolders: [UInt64: [UInt8]], parents: [UInt64: UInt64]) -> [(UInt64, String)] {
        var folders: [UInt64: String] = [:]
        for (start, pathBytes) in matchedFolders {
            var record = start
            var path = String(decoding: pathBytes, as: UTF8.self)
            while folders[record] == nil, record != tree.orphanFolder {
                folders[record] = path
                guard let parent = parents[record], let slash = path.lastIndex(of: "/") else { break }
                record = parent
                path = slash == path.startIndex ? "/" : String(path[..<slash])
            }
        }
        return folders.map { ($0.key, $0.value) }.sorted { $0.1 < $1.1 }
    }

    /// One issue per name the index and the MFT disagree on, in each of `folders`.
    func indexDisagreements(_ folders: [(UInt64, String)]) -> [WalkIssue] {
        var issues: [WalkIssue] = []
        func issue(_ path: String, _ diagnostic: DiagnosticCode, _ message: String) {
            issues.append(
                WalkIssue(
                    path: path, operation: "read index", code: EIO, message: "\(volume.name): \(message)",
                    diagnostic: diagnostic))
        }
        if folders.count > NTFSFileSystem.maximumIndexChecks {
            issue(
                root, .ntfsIndexCheckLimit,
                "\(folders.count) folders lead to matched files; only the indexes of the first "
                    + "\(NTFSFileSystem.maximumIndexChecks) are compared with the MFT")
        }
        for (folder, path) in folders.prefix(NTFSFileSystem.maximumIndexChecks) {
            let index: NTFSIndex
            do { index = try NTFSIndex(volume: volume, record: folder) } catch {
                issue(
                    path, .ntfsIndexUnreadable,
                    "the folder's index ($I30) cannot be read (\(error)); its MFT names are listed unchecked")
                continue
            }
            let listed = Set(index.entries.map { "\($0.record)/\($0.name)" })
            var placed: Set<String> = []
            for child in placedChildren(of: folder, index: index) where child.record != tree.orphanFolder {
                let key = "\(child.record)/\(child.name)"
                placed.insert(key)
                if !listed.contains(key) {
                    issue(
                        path, .ntfsIndexLacksName,
                        "MFT record \(child.record) (\"\(child.name)\") names this folder as its parent, but the "
                            + "folder's index ($I30) does not list it: Windows and ntfs-3g do not show it; scanned where the MFT places it"
                    )
                }
            }
            for entry in index.entries
            where !placed.contains("\(entry.record)/\(entry.name)") && entry.record != NTFSVolume.rootRecord {
                issue(
                    path, .ntfsIndexExtraName,
                    "the folder's index ($I30) lists \"\(entry.name)\" (record \(entry.record)), which the MFT does not place "
                        + "here (\(misplacement(entry, folder: folder))); not scanned here")
            }
        }
        return issues
    }

    /// Why the MFT does not put index entry `entry` in `folder`.
    private func misplacement(_ entry: NTFSIndex.Entry, folder: UInt64) -> String {
        guard entry.record < UInt64(tree.slots.count), tree.node(entry.record).inUse else {
            return "record \(entry.record) is not in use"
        }
        // A dropped file's sequence is in its record's header.
        let sequence =
            tree.isDropped(entry.record)
            ? (try? volume.recordBytes(entry.record)).flatMap {
                try? ByteReader($0, structure: "MFT record").u16(at: 16, .little)
            } ?? 0 : tree.node(entry.record).sequence
        if sequence != entry.sequence && entry.sequence != 0 {
            return "the entry names sequence \(entry.sequence), the record has \(sequence): a stale entry"
        }
        if tree.orphanFolder != nil
            && tree.names.contains(where: { $0.record == entry.record && $0.parent.record == tree.orphanFolder })
        {
            return "its $FILE_NAME's parent reference is broken; it is under \\\(NTFSTree.orphansName)"
        }
        return "its $FILE_NAME names another folder or name"
    }
}
