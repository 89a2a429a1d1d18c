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

    /// Why a name whose folder is `reference` cannot be linked under it (the kind, as an orphan's code, and the
    /// words); `nil` when it can.
    func linkProblem(_ reference: NTFSReference) -> (code: DiagnosticCode, reason: String)? {
        let parent = reference.record
        guard parent < UInt64(slots.count) else {
            return (.ntfsOrphanParentPastEnd, "its parent, record \(parent), lies past the end of the MFT")
        }
        let node = node(parent)
        guard node.inUse else { return (.ntfsOrphanMissingParent, "its parent, record \(parent), is not in use") }
        guard node.isDirectory else {
            return (.ntfsOrphanParentNotFolder, "its parent, record \(parent), is not a folder")
        }
        guard node.sequence == reference.sequence || reference.sequence == 0 else {
            return (
                .ntfsOrphanStaleSequence,
                "its parent reference names record \(parent) with sequence \(reference.sequence), but that record "
                    + "has sequence \(node.sequence) (a stale reference)"
            )
        }
        return nil
    }

    /// Slots of the records the root reaches through the names marked linked (after ``groupChildren(linked:)``).
    func reachableSlots() -> [Bool] {
        var reached = [Bool](repeating: false, count: keptNodes.count)
        guard let root = slot(NTFSVolume.rootRecord) else { return reached }
        reached[root] = true
        var stack = [root]
        while let folder = stack.popLast() {
            for index in children(of: UInt64(keptRecords[folder])) {
                let child = Int(slots[Int(names[Int(index)].record)])
                guard !reached[child] else { continue }
                reached[child] = true
                if keptNodes[child].isDirectory { stack.append(child) }
            }
        }
        return reached
    }

    /// An orphan: the top record of a lost subtree, the name it is shown under, and why it is lost.
    struct Orphan {
        var record: Int
        var name: Int
        /// The kind of damage, the code of the orphan's warning.
        var code: DiagnosticCode
        var reason: String
    }

    /// Finds the top of every lost subtree: from each unreached record, follows its linked names up until a record
    /// whose names are all unlinked (the top: its link is the damage) or one met before on the way (a cycle: that
    /// record is the top). Only kept records can be lost: a dropped file's names were linked to a folder.
    func findOrphans(linked: [Bool]) -> [Orphan] {
        let reachable = reachableSlots()
        var firstName = [Int32](repeating: -1, count: keptNodes.count)
        var firstLinked = [Int32](repeating: -1, count: keptNodes.count)
        for (index, name) in names.enumerated() {
            let slot = Int(slots[Int(name.record)])
            if firstName[slot] < 0 { firstName[slot] = Int32(index) }
            if linked[index] && firstLinked[slot] < 0 { firstLinked[slot] = Int32(index) }
        }
        // By slot, 0: not seen; 1: on the chain being followed; 2: placed (below a top found before, or a top).
        var state = [UInt8](repeating: 0, count: keptNodes.count)
        var orphans: [Orphan] = []
        // In record order (slots are in the order records were first met).
        for first in slots.indices where slots[first] >= 0 {
            let start = Int(slots[first])
            guard !reachable[start] && firstName[start] >= 0 && state[start] == 0 else { continue }
            var chain: [Int] = []
            var current = start
            func record(_ slot: Int) -> Int { Int(keptRecords[slot]) }
            while !reachable[current] && state[current] != 2 {
                if state[current] == 1 {
                    let loop =
                        chain[chain.firstIndex(of: current)!...].map { String(record($0)) } + [String(record(current))]
                    orphans.append(
                        Orphan(
                            record: record(current), name: Int(firstLinked[current]), code: .ntfsOrphanCycle,
                            reason: "its parent chain is a cycle (records \(loop.joined(separator: " → ")))"))
                    break
                }
                if firstName[current] < 0, let child = chain.last {
                    // A folder in use without a name of its own: its child is the top.
                    orphans.append(
                        Orphan(
                            record: record(child), name: Int(firstLinked[child]), code: .ntfsOrphanParentUnnamed,
                            reason: "its parent, record \(record(current)), is a folder with no name the root reaches"))
                    break
                }
                state[current] = 1
                chain.append(current)
                guard firstLinked[current] >= 0 else {
                    let name = Int(firstName[current])
                    let problem = linkProblem(names[name].parent) ?? (.ntfsOrphanUnlinked, "unlinked")
                    orphans.append(
                        Orphan(record: record(current), name: name, code: problem.code, reason: problem.reason))
                    break
                }
                current = Int(slots[Int(names[Int(firstLinked[current])].parent.record)])
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
        let folder = UInt64(slots.count)
        slots.append(NTFSTree.notInUse)
        let slot = makeSlot(folder)
        keptNodes[slot].inUse = true
        keptNodes[slot].isDirectory = true
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
            let what = node(UInt64(orphan.record)).isDirectory ? "folder" : "file"
            warnings.append(
                orphan.code, at: .mftRecord(UInt64(orphan.record)),
                "MFT record \(orphan.record) (\(what) \"\(text)\"): orphaned, \(orphan.reason); "
                    + "placed under \\\(NTFSTree.orphansName)\\\(text)")
        }
        return true
    }
}
