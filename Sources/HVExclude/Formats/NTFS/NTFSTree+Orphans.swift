// Reference: Sleuth Kit tsk/fs/ntfs_dent.cpp (orphan files: records no folder reaches, shown under $OrphanFiles);
// libyal libfsntfs, "New Technologies File System (NTFS)" (file references: record number and sequence).
import HVXBinary

/// Orphans: in-use records with names that the MFT's parent links do not connect to the root — the parent is
/// missing, not in use, not a folder, or of another sequence (stale), or the parents form a cycle. Each is placed
/// under one synthetic folder at the volume root, ``NTFSTree/orphansName``, with one warning naming the record and
/// why, so its subtree is scanned like any other (a Hyper-V disk there still needs its exclusion; the report shows
/// it as `X:\$Orphans\…`). Only the top of each lost subtree moves: what lies below it keeps its place.
extension NTFSTree {
    /// The synthetic folder at the volume root holding the orphans (Sleuth Kit shows them under `$OrphanFiles`).
    package static let orphansName = "$Orphans"

    /// Why `name` cannot be linked under the folder it names; `nil` when it can.
    func linkProblem(_ name: Name) -> String? {
        let parent = name.parent.record
        guard parent < UInt64(nodes.count) else { return "its parent, record \(parent), lies past the end of the MFT" }
        let node = nodes[Int(parent)]
        guard node.inUse else { return "its parent, record \(parent), is not in use" }
        guard node.isDirectory else { return "its parent, record \(parent), is not a folder" }
        guard node.sequence == name.parent.sequence || name.parent.sequence == 0 else {
            return "its parent reference names record \(parent) with sequence \(name.parent.sequence), but that record "
                + "has sequence \(node.sequence) (a stale reference)"
        }
        return nil
    }

    /// Records the root reaches through the names marked linked (after ``groupChildren(linked:)``).
    func reachableRecords() -> [Bool] {
        let root = Int(NTFSVolume.rootRecord)
        var reached = [Bool](repeating: false, count: nodes.count)
        reached[root] = true
        var stack = [root]
        while let folder = stack.popLast() {
            for index in children(of: UInt64(folder)) {
                let child = Int(names[Int(index)].record)
                guard !reached[child] else { continue }
                reached[child] = true
                if nodes[child].isDirectory { stack.append(child) }
            }
        }
        return reached
    }

    /// An orphan: the top record of a lost subtree, the name it is shown under, and why it is lost.
    struct Orphan {
        var record: Int
        var name: Int
        var reason: String
    }

    /// Finds the top of every lost subtree: from each unreached record, follows its linked names up until a record
    /// whose names are all unlinked (the top: its link is the damage) or one met before on the way (a cycle: that
    /// record is the top).
    func findOrphans(linked: [Bool]) -> [Orphan] {
        let reachable = reachableRecords()
        var firstName = [Int32](repeating: -1, count: nodes.count)
        var firstLinked = [Int32](repeating: -1, count: nodes.count)
        for (index, name) in names.enumerated() {
            let record = Int(name.record)
            if firstName[record] < 0 { firstName[record] = Int32(index) }
            if linked[index] && firstLinked[record] < 0 { firstLinked[record] = Int32(index) }
        }
        // 0: not seen; 1: on the chain being followed; 2: placed (below a top found before, or a top).
        var state = [UInt8](repeating: 0, count: nodes.count)
        var orphans: [Orphan] = []
        for record in nodes.indices where !reachable[record] && firstName[record] >= 0 && state[record] == 0 {
            var chain: [Int] = []
            var current = record
            while !reachable[current] && state[current] != 2 {
                if state[current] == 1 {
                    let loop = chain[chain.firstIndex(of: current)!...].map(String.init) + [String(current)]
                    orphans.append(
                        Orphan(
                            record: current, name: Int(firstLinked[current]),
                            reason: "its parent chain is a cycle (records \(loop.joined(separator: " → ")))"))
                    break
                }
                if firstName[current] < 0, let child = chain.last {
                    // A folder in use without a name of its own: its child is the top.
                    orphans.append(
                        Orphan(
                            record: child, name: Int(firstLinked[child]),
                            reason: "its parent, record \(current), is a folder with no name the root reaches"))
                    break
                }
                state[current] = 1
                chain.append(current)
                guard firstLinked[current] >= 0 else {
                    let name = Int(firstName[current])
                    orphans.append(Orphan(record: current, name: name, reason: linkProblem(names[name]) ?? "unlinked"))
                    break
                }
                current = Int(names[Int(firstLinked[current])].parent.record)
            }
            for member in chain { state[member] = 2 }
        }
        return orphans.sorted { $0.record < $1.record }
    }

    /// Places every orphan under the synthetic ``orphansName`` folder (made here, after the last record), one
    /// warning each; returns whether there was any (the children must then be grouped again).
    mutating func placeOrphans(linked: inout [Bool]) -> Bool {
        let orphans = findOrphans(linked: linked)
        guard !orphans.isEmpty else { return false }
        let folder = UInt64(nodes.count)
        var node = Node()
        node.inUse = true
        node.isDirectory = true
        nodes.append(node)
        orphanFolder = folder
        let stored = store(NTFSTree.orphansName)
        names.append(
            Name(
                record: folder, parent: NTFSReference(NTFSVolume.rootRecord), start: stored.start,
                length: stored.length))
        linked.append(true)
        // A top keeps one name (under the folder); its other names, into the lost subtree or elsewhere, are cut.
        let tops = Set(orphans.map(\.record))
        for (index, name) in names.enumerated() where tops.contains(Int(name.record)) { linked[index] = false }
        var taken: Set<String> = []
        for orphan in orphans {
            var text = name(orphan.name)
            if !taken.insert(text).inserted {
                // Before the extension, which classifies the file.
                let dot = text.lastIndex(of: ".").flatMap { $0 == text.startIndex ? nil : $0 } ?? text.endIndex
                text.insert(contentsOf: " (record \(orphan.record))", at: dot)
                let renamed = store(text)
                names[orphan.name].start = renamed.start
                names[orphan.name].length = renamed.length
                taken.insert(text)
            }
            names[orphan.name].parent = NTFSReference(folder)
            linked[orphan.name] = true
            let what = nodes[orphan.record].isDirectory ? "folder" : "file"
            warnings.append(
                "MFT record \(orphan.record) (\(what) \"\(text)\"): orphaned, \(orphan.reason); "
                    + "placed under \\\(NTFSTree.orphansName)\\\(text)")
        }
        return true
    }
}
