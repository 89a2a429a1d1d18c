// Reference: FORMATS.md "VMCX" (the HyperVStorage container as a whole)
import HVXBinary

/// A "HyperVStorage" container (.vmcx, .vmrs, data.vmcx) read into a key tree.
///
/// Reading order: both headers (the valid one with the higher sequence wins), the object table at 0x2000,
/// the key tables it lists as allocated, their entries, file objects for long values, then the key tree.
/// Free objects and the replay-log area are never scanned: they hold stale tables that would resurrect
/// deleted keys. Damage inside key tables becomes warnings; a file with no valid header or no object
/// table is an error.
///
/// | off | size | region |
/// |-----|------|--------|
/// | 0x0000 | 0x1000 | header 1 (``VMCXHeader``) |
/// | 0x1000 | 0x1000 | header 2 |
/// | 0x2000 | … | object table (``VMCXObjectTable``) |
/// | object offsets | object sizes | key tables (``VMCXKeyTable``), file objects, free space, replay log |
package struct VMCXFile: Sendable {
    /// Cap on live key tables.
    static let maximumKeyTables = 4096
    /// Cap on key entries over all tables.
    static let maximumEntries = 1 << 20
    /// Cap on one value stored in a file object.
    static let maximumFileObjectValue: UInt32 = 16 << 20
    /// Cap on key nesting depth.
    package static let maximumDepth = 128
    /// Cap on warnings kept (the rest are counted).
    static let maximumWarnings = 100

    /// The header in use.
    package var header: VMCXHeader
    /// The object table at 0x2000.
    var objectTable: VMCXObjectTable
    /// The live key tables, by index (the higher sequence when an index repeats).
    var keyTables: [VMCXKeyTable]
    /// The replay-log header, when it could be read.
    var replayLog: VMCXReplayLog?
    /// The key tree with every warning met while reading.
    package var tree: ConfigTree

    /// Non-fatal problems.
    package var warnings: [Diagnostic] { tree.warnings }

    /// Opens and reads `path`.
    /// - Throws: ``SystemError`` when the file cannot be opened, ``BinaryFormatError`` when it is not a readable
    ///   HyperVStorage container.
    package static func read(path: String) throws -> VMCXFile {
        try VMCXFile(file: try FileReader(path: path))
    }

    /// Reads a container from an open file.
    /// - Throws: ``BinaryFormatError`` when no header is valid, the version is unsupported or the object table is
    ///   unreadable.
    package init(file: FileReader) throws {
        var warnings = DiagnosticList(limit: VMCXFile.maximumWarnings)
        let minimum = VMCXObjectTable.standardOffset + 8
        guard file.size >= minimum else {
            throw BinaryFormatError(
                "VMCX file", at: 0,
                "file of \(file.size) bytes is too small for a HyperVStorage container (needs at least \(hex(minimum)))"
            )
        }
        header = try VMCXFile.chooseHeader(file, warnings: &warnings)
        objectTable = try VMCXObjectTable(file: file, offset: VMCXObjectTable.standardOffset)
        let objects = try VMCXFile.allObjects(objectTable, file: file, warnings: &warnings)
        keyTables = try VMCXFile.liveKeyTables(objects, file: file, warnings: &warnings)
        let entries = try VMCXFile.keyEntries(keyTables, warnings: &warnings)
        let values = try VMCXFile.values(of: entries, objects: objects, file: file, warnings: &warnings)
        let root = VMCXFile.buildTree(entries: entries, values: values, warnings: &warnings)
        replayLog = try VMCXFile.readReplayLog(header, file: file, warnings: &warnings)
        tree = ConfigTree(format: .vmcx, root: root, warnings: warnings.finish())
    }

    /// Both headers; the valid one with the higher sequence.
    /// - Throws: ``BinaryFormatError`` when neither is valid or the version is unsupported.
    static func chooseHeader(_ file: FileReader, warnings: inout DiagnosticList) throws -> VMCXHeader {
        var valid: [VMCXHeader] = []
        var problems: [BinaryFormatError] = []
        for (number, offset) in [(1, UInt64(0)), (2, UInt64(0x1000))] {
            do {
                var reader = try file.reader(at: offset, count: VMCXHeader.size, structure: "VMCX header \(number)")
                valid.append(try VMCXHeader(parsing: &reader))
            } catch let error as BinaryFormatError {
                problems.append(error)
            }
        }
        guard let chosen = valid.max(by: { $0.sequence < $1.sequence }) else {
            throw BinaryFormatError(
                "VMCX headers", at: 0, "neither header is valid: " + problems.map(\.description).joined(separator: "; ")
            )
        }
        for problem in problems {
            warnings.add(
                .vmcxHeaderDamaged, at: .offset(problem.offset),
                "\(problem); using the header at \(hex(chosen.offset)) (sequence \(chosen.sequence))")
        }
        guard chosen.version == VMCXHeader.supportedVersion else {
            throw BinaryFormatError(
                "VMCX header", at: chosen.offset,
                "unsupported format version \(hex(chosen.version)) (only \(hex(VMCXHeader.supportedVersion)) is known)")
        }
        return chosen
    }

    /// The entries of the object table at 0x2000 and of any allocated further tables it lists (none in the samples).
    static func allObjects(
        _ objectTable: VMCXObjectTable, file: FileReader, warnings: inout DiagnosticList
    ) throws -> [VMCXObjectTable.Entry] {
        var objects = objectTable.entries
        var tablesRead: Set<UInt64> = [VMCXObjectTable.standardOffset]
        var scan = 0
        while scan < objects.count {
            let entry = objects[scan]
            scan += 1
            guard entry.allocated, entry.type == .objectTable, !tablesRead.contains(entry.offset) else { continue }
            tablesRead.insert(entry.offset)
            guard tablesRead.count <= 16, objects.count < VMCXObjectTable.maximumEntries else {
                warnings.add(
                    .vmcxObjectTableLimit, at: .offset(entry.offset),
                    "VMCX object table at \(hex(entry.offset)): too many object tables; not read")
                continue
            }
            do {
                objects += try VMCXObjectTable(file: file, offset: entry.offset).entries
            } catch let error as BinaryFormatError {
                warnings.add(
                    .vmcxObjectTableUnreadable, at: .offset(error.offset),
                    "\(error.description); objects it lists were not read")
            }
        }
        let badObjectChecksums = objects.filter { !$0.checksumValid }
        if let first = badObjectChecksums.first {
            warnings.add(
                .vmcxObjectChecksum, at: .offset(first.entryOffset),
                "VMCX object table: \(badObjectChecksums.count) entr\(badObjectChecksums.count == 1 ? "y has" : "ies have") a checksum mismatch"
                    + " (first at \(hex(first.entryOffset))); read on")
        }

        return objects
    }

    /// The live key tables: allocated KeyTable objects only; the higher sequence wins per index.
    static func liveKeyTables(
        _ objects: [VMCXObjectTable.Entry], file: FileReader, warnings: inout DiagnosticList
    ) throws -> [VMCXKeyTable] {
        var tablesByIndex: [UInt16: VMCXKeyTable] = [:]
        var keyTableObjects = 0
        for entry in objects where entry.allocated && entry.type == .keyTable {
            keyTableObjects += 1
            guard keyTableObjects <= VMCXFile.maximumKeyTables else {
                warnings.add(
                    .vmcxKeyTableLimit,
                    "VMCX object table: more than \(VMCXFile.maximumKeyTables) key tables; the rest were not read")
                break
            }
            guard entry.size <= VMCXKeyTable.maximumSize else {
                warnings.add(
                    .vmcxKeyTableTooLarge, at: .offset(entry.offset),
                    "VMCX key table at \(hex(entry.offset)): size \(hex(entry.size)) exceeds the cap of \(hex(VMCXKeyTable.maximumSize)); not read"
                )
                continue
            }
            let (end, overflow) = entry.offset.addingReportingOverflow(UInt64(entry.size))
            guard !overflow, end <= file.size else {
                warnings.add(
                    .vmcxKeyTablePastEnd, at: .offset(entry.offset),
                    "VMCX key table at \(hex(entry.offset)) (size \(hex(entry.size))) lies past the end of the file (\(hex(file.size))); not read"
                )
                continue
            }
            do {
                let reader = try file.reader(at: entry.offset, count: Int(entry.size), structure: "VMCX key table")
                let table = try VMCXKeyTable(parsing: reader)
                if !table.checksumValid {
                    warnings.add(
                        .vmcxKeyTableChecksum, at: .offset(table.offset),
                        "VMCX key table \(table.index) at \(hex(table.offset)): header checksum mismatch; read on")
                }
                if let other = tablesByIndex[table.index] {
                    let keep = table.sequence > other.sequence ? table : other
                    let drop = table.sequence > other.sequence ? other : table
                    warnings.add(
                        .vmcxKeyTableDuplicate, at: .offset(drop.offset),
                        "VMCX key table \(table.index): allocated twice (at \(hex(other.offset)) and \(hex(table.offset)));"
                            + " using sequence \(keep.sequence) at \(hex(keep.offset)), ignoring sequence \(drop.sequence) at \(hex(drop.offset))"
                    )
                    tablesByIndex[table.index] = keep
                } else {
                    tablesByIndex[table.index] = table
                }
            } catch let error as BinaryFormatError {
                warnings.add(.vmcxKeyTableUnreadable, at: .offset(error.offset), "\(error.description); table not read")
            }
        }
        return tablesByIndex.keys.sorted().compactMap { tablesByIndex[$0] }

    }

    /// Every key entry of the live tables, with their damage as warnings.
    /// - Throws: ``BinaryFormatError`` past ``maximumEntries``.
    static func keyEntries(_ keyTables: [VMCXKeyTable], warnings: inout DiagnosticList) throws -> [VMCXKeyEntry] {
        var entries: [VMCXKeyEntry] = []
        for table in keyTables {
            warnings.add(contentsOf: table.warnings)
            let bad = table.entries.filter { !$0.checksumValid }
            if let first = bad.first {
                warnings.add(
                    .vmcxKeyEntryChecksum, at: .offset(first.absoluteOffset),
                    "VMCX key table \(table.index) at \(hex(table.offset)): \(bad.count) entr\(bad.count == 1 ? "y has" : "ies have")"
                        + " a checksum mismatch (first '\(first.name)' at \(hex(first.absoluteOffset))); read on")
            }
            entries += table.entries
            guard entries.count <= VMCXFile.maximumEntries else {
                throw BinaryFormatError(
                    "VMCX key tables", at: table.offset, "more than \(VMCXFile.maximumEntries) key entries")
            }
        }

        return entries
    }

    /// Each entry's value (inline, or from its file object); nil for an entry whose value cannot be read.
    package static func values(
        of entries: [VMCXKeyEntry], objects: [VMCXObjectTable.Entry], file: FileReader, warnings: inout DiagnosticList
    ) throws -> [ConfigValue?] {
        let fileObjects = Dictionary(
            objects.filter { $0.allocated && $0.type == .file }.map { ($0.offset, $0.size) },
            uniquingKeysWith: { a, _ in a })
        var values: [ConfigValue?] = []
        values.reserveCapacity(entries.count)
        for entry in entries {
            do {
                let raw: [UInt8]
                switch entry.payload {
                case .inline(let bytes):
                    raw = bytes
                case .fileObject(let size, let offset):
                    guard let objectSize = fileObjects[offset] else {
                        throw BinaryFormatError(
                            "VMCX key entry '\(entry.name)'", at: entry.absoluteOffset,
                            "value points at \(hex(offset)), which is not an allocated file object")
                    }
                    guard size <= objectSize, size <= VMCXFile.maximumFileObjectValue else {
                        throw BinaryFormatError(
                            "VMCX key entry '\(entry.name)'", at: entry.absoluteOffset,
                            "value of \(size) bytes exceeds its file object (\(objectSize) bytes) or the cap of \(VMCXFile.maximumFileObjectValue)"
                        )
                    }
                    raw = try file.reader(at: offset, count: Int(size), structure: "VMCX file object").array
                }
                values.append(try entry.decode(raw))
            } catch let error as BinaryFormatError {
                warnings.add(.vmcxValueUnreadable, at: .offset(error.offset), "\(error.description); entry skipped")
                values.append(nil)
            }
        }

        return values
    }

    /// The replay-log header: outstanding entries mean the tables may be older than what Hyper-V last wrote.
    static func readReplayLog(
        _ chosen: VMCXHeader, file: FileReader, warnings: inout DiagnosticList
    ) throws -> VMCXReplayLog? {
        var replayLog: VMCXReplayLog?
        if chosen.replayLogOffset != 0 || chosen.replayLogSize != 0 {
            let (end, overflow) = chosen.replayLogOffset.addingReportingOverflow(chosen.replayLogSize)
            if overflow || end > file.size {
                warnings.add(
                    .vmcxReplayLogPastEnd, at: .offset(chosen.replayLogOffset),
                    "VMCX replay log at \(hex(chosen.replayLogOffset)) (size \(hex(chosen.replayLogSize))) runs past the end of the file"
                        + " (\(hex(file.size))): the file is cut short inside its replay-log area; the key tables before it were read"
                )
            }
            do {
                var reader = try file.reader(
                    at: chosen.replayLogOffset, count: VMCXReplayLog.size, structure: "VMCX replay log")
                let log = try VMCXReplayLog(parsing: &reader)
                replayLog = log
                if log.entryCount > 0 {
                    warnings.add(
                        .vmcxReplayLogOutstanding, at: .offset(log.offset),
                        "VMCX replay log at \(hex(log.offset)): \(log.entryCount) outstanding entr\(log.entryCount == 1 ? "y was" : "ies were")"
                            + " not replayed; values may be older than what Hyper-V last wrote")
                }
            } catch let error as BinaryFormatError {
                warnings.add(
                    .vmcxReplayLogUnreadable, at: .offset(error.offset), "\(error.description); replay log not checked")
            }
        }

        return replayLog
    }

    /// Links entries to their parents and builds the tree; entries under missing parents or in cycles are dropped
    /// with a warning.
    static func buildTree(entries: [VMCXKeyEntry], values: [ConfigValue?], warnings: inout DiagnosticList) -> ConfigNode
    {
        func key(_ table: UInt16, _ offset: UInt32) -> UInt64 { UInt64(table) << 32 | UInt64(offset) }
        var indexByKey: [UInt64: Int] = [:]
        for (index, entry) in entries.enumerated() where values[index] != nil {
            indexByKey[key(entry.tableIndex, entry.offset)] = index
        }
        let tables = Set(entries.map(\.tableIndex))
        var children: [Int: [Int]] = [:]
        var roots: [Int] = []
        var parentOf: [Int: Int] = [:]
        for (index, entry) in entries.enumerated() where values[index] != nil {
            let at = hex(entry.absoluteOffset)
            if entry.parentTable == 0 {
                roots.append(index)
                continue
            }
            guard let parent = indexByKey[key(entry.parentTable, entry.parentOffset)] else {
                let reason =
                    tables.contains(entry.parentTable)
                    ? "table \(entry.parentTable) has no key entry at offset \(hex(entry.parentOffset))"
                    : "key table \(entry.parentTable) does not exist"
                warnings.add(
                    .vmcxParentMissing, at: .offset(entry.absoluteOffset),
                    "VMCX key entry '\(entry.name)' at \(at): its parent is missing (\(reason)); entry and its children dropped"
                )
                continue
            }
            guard values[parent] == .node else {
                warnings.add(
                    .vmcxParentNotNode, at: .offset(entry.absoluteOffset),
                    "VMCX key entry '\(entry.name)' at \(at): its parent '\(entries[parent].name)' at \(hex(entries[parent].absoluteOffset))"
                        + " is a \(values[parent]!.typeName), not a node; entry dropped")
                continue
            }
            children[parent, default: []].append(index)
            parentOf[index] = parent
        }

        var reached = Set<Int>()
        func ordered(_ list: [Int]) -> [Int] {
            list.sorted {
                let a = entries[$0]
                let b = entries[$1]
                if a.insertionSequence != b.insertionSequence { return a.insertionSequence < b.insertionSequence }
                return (a.tableIndex, a.offset) < (b.tableIndex, b.offset)
            }
        }
        func build(_ index: Int, depth: Int) -> ConfigNode {
            reached.insert(index)
            let entry = entries[index]
            var node = ConfigNode(name: entry.name, value: values[index]!, location: hex(entry.absoluteOffset))
            let kids = ordered(children[index] ?? [])
            if depth >= VMCXFile.maximumDepth, !kids.isEmpty {
                warnings.add(
                    .vmcxTooDeep, at: .offset(entry.absoluteOffset),
                    "VMCX key entry '\(entry.name)' at \(hex(entry.absoluteOffset)): nesting deeper than \(VMCXFile.maximumDepth); children dropped"
                )
                return node
            }
            for child in kids where !reached.contains(child) {
                node.children.append(build(child, depth: depth + 1))
            }
            return node
        }
        var root = ConfigNode(name: "", value: .node, location: "")
        for index in ordered(roots) {
            root.children.append(build(index, depth: 1))
        }

        // Entries never reached whose parent chain loops back on itself form a cycle.
        var reported = Set<Int>()
        for start in parentOf.keys.sorted() where !reached.contains(start) && !reported.contains(start) {
            var seen: [Int] = []
            var seenSet = Set<Int>()
            var current: Int? = start
            while let node = current, !seenSet.contains(node), !reported.contains(node) {
                seen.append(node)
                seenSet.insert(node)
                current = parentOf[node]
            }
            guard let loopStart = current, seenSet.contains(loopStart) else {
                reported.formUnion(seen)
                continue
            }
            let cycle = seen[seen.firstIndex(of: loopStart)!...]
            let names = cycle.prefix(4).map { "'\(entries[$0].name)' at \(hex(entries[$0].absoluteOffset))" }
            warnings.add(
                .vmcxParentCycle, at: .offset(entries[loopStart].absoluteOffset),
                "VMCX key entries form a parent cycle (\(names.joined(separator: " → "))\(cycle.count > 4 ? " …" : "")); \(cycle.count) entries and their children dropped"
            )
            reported.formUnion(seen)
        }
        return root
    }
}
