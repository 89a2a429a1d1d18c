// Reference: libyal libregf "Windows NT Registry File (REGF) format", sections 2 (base block), 3 (hive bins
// and cells), 4 (keys, lists, values, big data).
import HVXBinary
import HVXVolume
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// An offline Windows registry hive (regf): the base block, the hbins region read once, and keys read on demand.
///
/// File layout:
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 4096 | base block (``RegistryBaseBlock``) |
/// | 4096 | hbins size | hive bins: each a 32-byte `hbin` header then cells, sizes multiples of 4096 |
///
/// hbin header: 0 `hbin` · 4 u32 offset of this bin (relative to the first) · 8 u32 bin size · 12 reserved ·
/// 20 FILETIME (first bin only) · 28 spare. A cell is an i32 size (negative = allocated; size includes these
/// 4 bytes; 8-byte aligned) then its data. Cell offsets stored on disk are relative to the first hbin.
///
/// Looking up a path reads only the keys on that path. Structural problems met while reading throw
/// ``BinaryFormatError`` with the absolute offset; non-fatal oddities are appended to ``warnings``.
package final class RegistryHive: Sendable {
    /// Largest hbins region we accept; real SOFTWARE hives stay well below 200 MiB.
    static let maximumHbinsSize = 240 << 20
    /// Size of the `hbin` header at the start of each bin.
    static let binHeaderSize = 32
    /// Bytes one `db` segment carries.
    static let bigDataSegmentSize = 16344
    /// Deepest chain of `ri` lists followed.
    static let maximumListDepth = 16
    /// Deepest key tree ``walk(from:maximumDepth:_:)`` descends by default.
    static let defaultMaximumDepth = 512
    /// Marker for "no cell".
    static let noCell: UInt32 = 0xFFFF_FFFF

    /// Where the hive was read from (host path, or the name given for in-memory bytes).
    package let path: String
    /// The hive's file name (last path component), as used in messages ("SOFTWARE").
    package let name: String
    /// The parsed base block.
    let baseBlock: RegistryBaseBlock
    /// The hbins region (file offset 4096 onwards).
    private let hbins: [UInt8]
    /// Usable bins as ranges relative to the first bin, in file order.
    private let bins: [Range<Int>]
    private let collected: Mutex<(list: DiagnosticList, seen: Set<String>)>

    /// Most diagnostics kept for one hive (opening and reading it); the rest are counted.
    static let maximumWarnings = 1000

    /// Warnings so far: those found on open plus any met while reading keys and values.
    package var warnings: [Diagnostic] { collected.withLock { $0.list.finish() } }

    /// What to do with a dirty hive's transaction logs.
    package enum LogHandling: Sendable, Equatable {
        /// Apply `NAME.LOG1`/`.LOG2`/`.LOG` beside the file in memory, as Windows does when it loads the hive.
        case replay
        /// Read the file as it is (a dirty hive then lacks its most recent changes; a warning says so).
        case ignore
    }

    /// What a log replay did to this hive.
    package struct Recovery: Sendable, Equatable {
        /// "replayed 3 log entries from SYSTEM.LOG1 and 1 from SYSTEM.LOG2 (to sequence 5)".
        package var summary: String
        /// The logs applied, in order, with the number of entries (or old-format dirty pages) taken from each.
        package var logs: [String]
        /// Entries (or old-format pages) applied in all.
        package var count: Int
    }

    /// Largest transaction log read into memory.
    static let maximumLogSize = 256 << 20

    /// The result of replaying the transaction logs; nil when the hive was clean, logs were ignored, or none applied.
    package let recovery: Recovery?

    /// Opens a hive file and reads its hbins region once (capped at ``maximumHbinsSize``); when the hive is dirty
    /// and `logs` is `.replay`, applies its transaction logs from the same folder in memory (nothing is written).
    /// - Throws: ``SystemError`` when the file cannot be opened or read; ``BinaryFormatError`` when the base
    ///   block is short or not a regf base block, or the hbins size exceeds the cap.
    package convenience init(path: String, logs: LogHandling = .replay) throws {
        try self.init(file: try FileReader(path: path, readBudget: RegistryHive.readBudget), logs: logs)
    }

    /// Bytes one hive may read.
    package static var readBudget: UInt64 { UInt64(RegistryBaseBlock.size + RegistryHive.maximumHbinsSize) }

    /// Reads a hive through an open reader (a file inside a disk image), its logs beside it through `fileSystem`;
    /// see ``init(path:logs:)``.
    /// - Throws: as ``init(path:logs:)``.
    package convenience init(
        file: FileReader, logs: LogHandling = .replay, fileSystem: any VolumeFileSystem = POSIXFileSystem.shared
    ) throws {
        let path = file.path
        let name = path.split(separator: "/").last.map(String.init) ?? path
        var header = try file.reader(at: 0, count: RegistryBaseBlock.size, structure: "regf base block")
        let base = try RegistryBaseBlock(parsing: &header)
        let available = file.size > UInt64(RegistryBaseBlock.size) ? file.size - UInt64(RegistryBaseBlock.size) : 0
        let wanted = try RegistryHive.hbinsLength(base, available: available)
        let data = try file.read(at: UInt64(RegistryBaseBlock.size), count: wanted)
        guard logs == .replay, base.sequencesDiffer || !base.checksumValid else {
            try self.init(
                path: path, name: name, baseBlock: base, hbins: data, fileSize: file.size,
                logFiles: RegistryHive.logFiles(besideHiveAt: path, in: fileSystem))
            return
        }
        let found = RegistryHive.readLogs(besideHive: path, name: name, in: fileSystem)
        let result = try RegistryHive.replay(
            header: header.array, base: base, hbins: data, logs: found.logs, name: name)
        try self.init(
            path: path, name: name, baseBlock: result.base, hbins: result.hbins, fileSize: file.size,
            logFiles: found.names, logWarnings: found.warnings + result.warnings, recovery: result.recovery)
    }

    /// The transaction logs that exist beside the hive at `path` (`NAME.LOG`, `.LOG1`, `.LOG2`, any case), by
    /// their real names, so a warning names only files that are there.
    static func logFiles(
        besideHiveAt path: String, in fileSystem: any VolumeFileSystem = POSIXFileSystem.shared
    ) -> [String] {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { path[..<$0].isEmpty ? "/" : String(path[..<$0]) } ?? "."
        let stem = (slash.map { String(path[path.index(after: $0)...]) } ?? path).uppercased()
        guard let listed = try? fileSystem.listFolder(folder) else { return [] }
        return listed.map(\.name).filter { name in
            [".LOG", ".LOG1", ".LOG2"].contains(where: { stem + $0 == name.uppercased() })
        }.sorted()
    }

    /// Reads a hive already in memory and, when it is dirty, replays `logs` (whole log files with their names,
    /// LOG1 before LOG2) onto it, exactly as ``init(path:logs:)`` does with the files beside a hive.
    /// - Throws: as ``init(path:logs:)``.
    package convenience init(bytes: [UInt8], name: String, logs: [(name: String, bytes: [UInt8])]) throws {
        let (base, data) = try RegistryHive.split(bytes)
        guard base.sequencesDiffer || !base.checksumValid else {
            try self.init(path: name, name: name, baseBlock: base, hbins: data, fileSize: UInt64(bytes.count))
            return
        }
        let result = try RegistryHive.replay(
            header: Array(bytes.prefix(RegistryBaseBlock.size)), base: base, hbins: data, logs: logs, name: name)
        try self.init(
            path: name, name: name, baseBlock: result.base, hbins: result.hbins, fileSize: UInt64(bytes.count),
            logFiles: logs.map(\.name).sorted(), logWarnings: result.warnings, recovery: result.recovery)
    }

    /// Replays `logs` onto a dirty hive's bins: the base block and bins to read, the log warnings, and the record.
    private static func replay(
        header: [UInt8], base: RegistryBaseBlock, hbins: [UInt8], logs: [(name: String, bytes: [UInt8])], name: String
    ) throws -> (base: RegistryBaseBlock, hbins: [UInt8], warnings: [Diagnostic], recovery: Recovery?) {
        var data = hbins
        let replay = RegistryLogReplay(
            primaryBase: header, base: base, hiveName: name, maximumHbinsSize: maximumHbinsSize)
        let outcome = replay.replay(hbins: &data, logs: logs)
        var warnings = outcome.warnings + outcome.notes
        guard let rebuilt = outcome.baseBlock, let summary = outcome.summary else {
            return (base, data, warnings, nil)
        }
        var reader = ByteReader(rebuilt, structure: "regf base block (recovered)")
        let recovered = try RegistryBaseBlock(parsing: &reader)
        // Replay never makes a readable hive unreadable: when the result's root or its subkey list cannot be read
        // and the primary's can, the primary is read as it is.
        if !readable(base: recovered, hbins: data, name: name) && readable(base: base, hbins: hbins, name: name) {
            warnings.append(
                .regfLogReplayUndone,
                "\(name): after the replay (\(summary)) the root key or its subkey list cannot be read, while the file "
                    + "as it is reads; the logs are not used")
            return (base, hbins, warnings, nil)
        }
        let used = outcome.applied.filter { $0.count > 0 }
        if !outcome.warnings.isEmpty {
            warnings.append(.regfLogPartialReplay, "\(name): \(summary) before that problem; read on")
        }
        return (
            recovered, data, warnings,
            Recovery(summary: summary, logs: used.map(\.log), count: used.reduce(0) { $0 + $1.count })
        )
    }

    /// Whether a hive of these bins opens: its root key and the root's subkey list can be read.
    private static func readable(base: RegistryBaseBlock, hbins: [UInt8], name: String) -> Bool {
        guard let hive = try? RegistryHive(path: name, name: name, baseBlock: base, hbins: hbins, fileSize: 0),
            let root = try? hive.rootKey()
        else { return false }
        return (try? hive.subkeys(of: root)) != nil
    }

    /// Reads `NAME.LOG1`, `NAME.LOG2` and `NAME.LOG` (names matched case-insensitively, as on NTFS) from the folder
    /// of `path`; the folder is the hive's own, so nothing outside the scanned roots is read.
    static func readLogs(
        besideHive path: String, name: String, in fileSystem: any VolumeFileSystem = POSIXFileSystem.shared
    ) -> (logs: [(name: String, bytes: [UInt8])], names: [String], warnings: [Diagnostic]) {
        let folder = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let listing = DirectoryListing(reading: folder.isEmpty ? "/" : folder, in: fileSystem)
        var logs: [(name: String, bytes: [UInt8])] = []
        var names: [String] = []
        var warnings: [Diagnostic] = []
        for suffix in ["LOG1", "LOG2", "LOG"] {
            guard let entry = listing.find(name + "." + suffix), entry.kind == .file else { continue }
            names.append(entry.name)
            let logPath = (folder.isEmpty ? "" : folder) + "/" + entry.name
            do {
                let reader = try fileSystem.openFile(logPath, readBudget: UInt64(maximumLogSize))
                guard reader.size <= UInt64(maximumLogSize) else {
                    warnings.append(
                        .regfLogTooLarge, at: .file(entry.name, offset: nil),
                        "\(entry.name): \(reader.size) bytes exceed the \(maximumLogSize >> 20) MiB cap for a log; not used"
                    )
                    continue
                }
                logs.append((entry.name, try reader.read(at: 0, count: Int(reader.size))))
            } catch {
                warnings.append(
                    .regfLogUnreadable, at: .file(entry.name, offset: nil),
                    "\(entry.name): unreadable: \(error); not used")
            }
        }
        return (logs, names.sorted(), warnings)
    }

    /// A whole hive file in memory: its base block, parsed, and its hive bins (as many as the base block declares
    /// and the bytes hold).
    private static func split(_ bytes: [UInt8]) throws -> (RegistryBaseBlock, [UInt8]) {
        var header = ByteReader(
            Array(bytes.prefix(RegistryBaseBlock.size)), baseOffset: 0, structure: "regf base block")
        let base = try RegistryBaseBlock(parsing: &header)
        let available = UInt64(bytes.count - RegistryBaseBlock.size)
        let wanted = try RegistryHive.hbinsLength(base, available: available)
        return (base, Array(bytes[RegistryBaseBlock.size..<RegistryBaseBlock.size + wanted]))
    }

    /// Reads a hive already in memory (the whole file, base block first); its logs are not looked for.
    /// - Throws: as ``init(path:logs:)``.
    package convenience init(bytes: [UInt8], name: String) throws {
        let (base, data) = try RegistryHive.split(bytes)
        try self.init(path: name, name: name, baseBlock: base, hbins: data, fileSize: UInt64(bytes.count))
    }

    private init(
        path: String, name: String, baseBlock: RegistryBaseBlock, hbins: [UInt8], fileSize: UInt64,
        logFiles: [String] = [], logWarnings: [Diagnostic] = [], recovery: Recovery? = nil
    ) throws {
        self.path = path
        self.name = name
        self.baseBlock = baseBlock
        self.hbins = hbins
        self.recovery = recovery
        var warnings = DiagnosticList(limit: RegistryHive.maximumWarnings)
        warnings.add(contentsOf: logWarnings)
        let logNote =
            logFiles.isEmpty
            ? "(no transaction log \(name).LOG1/.LOG2 beside it)"
            : logWarnings.isEmpty
                ? "that live in " + logFiles.joined(separator: " and ")
                : "(read without its logs: " + logFiles.joined(separator: " and ") + " could not be applied)"
        // A recovered hive's base block is the rebuilt one: it is clean by construction.
        if recovery == nil && baseBlock.sequencesDiffer {
            warnings.add(
                .regfSequencesDiffer, at: .offset(0),
                "regf base block at 0x0: sequence numbers differ (primary \(baseBlock.primarySequence), secondary "
                    + "\(baseBlock.secondarySequence)): hive may be missing recent changes \(logNote); read on")
        }
        if recovery == nil && !baseBlock.checksumValid {
            warnings.add(
                .regfBaseBlockChecksum, at: .offset(0x1FC),
                "regf base block at 0x1FC: checksum mismatch (stored \(hex(baseBlock.storedChecksum)), computed "
                    + "\(hex(baseBlock.computedChecksum)))"
                    + (baseBlock.sequencesDiffer ? "" : ": hive may be missing recent changes \(logNote)")
                    + "; read on")
        }
        if !(2...6).contains(baseBlock.minorVersion) {
            warnings.add(
                .regfMinorVersion, at: .offset(0x18),
                "regf base block at 0x18: unexpected minor version \(baseBlock.minorVersion); read on")
        }
        if baseBlock.fileType != 0 {
            warnings.add(
                .regfFileType, at: .offset(0x1C),
                "regf base block at 0x1C: file type \(baseBlock.fileType) is not a primary hive file; read on")
        }
        bins = RegistryHive.scanBins(hbins, warnings: &warnings)
        warnings.add(
            contentsOf: RegistryHive.sizeWarnings(
                baseBlock, read: hbins.count, binsEnd: bins.last?.upperBound ?? 0, fileSize: fileSize))
        collected = Mutex((warnings, Set(warnings.items.map(\.message))))
    }

    /// How many bytes of the hbins region to read: the declared size when the base block is sound, else (a torn
    /// base block, a size that is not a positive multiple of 4096) all the file holds, where the bins themselves
    /// say how far the hive goes (as yarp, dissect.regf and regipy read it); capped.
    private static func hbinsLength(_ base: RegistryBaseBlock, available: UInt64) throws -> Int {
        var wanted = UInt64(base.hbinsSize)
        if wanted == 0 || wanted % 4096 != 0 || !base.checksumValid { wanted = available }
        wanted = min(wanted, available)
        guard wanted <= UInt64(maximumHbinsSize) else {
            throw BinaryFormatError(
                "regf base block", at: 40,
                "hbins size \(hex(wanted)) exceeds the \(maximumHbinsSize >> 20) MiB cap for one hive")
        }
        return Int(wanted)
    }

    /// What the base block's hbins size says against what was read: a size that is not a positive multiple of
    /// 4096, one past the end of the file, or (a torn base block) bins that go on past it.
    private static func sizeWarnings(
        _ base: RegistryBaseBlock, read: Int, binsEnd: Int, fileSize: UInt64
    ) -> [Diagnostic] {
        let declared = Int(base.hbinsSize)
        if declared == 0 || declared % 4096 != 0 {
            return [
                Diagnostic(
                    .regfHbinsSizeInvalid, at: .offset(0x28),
                    "regf base block at 0x28: hbins size \(hex(declared)) is not a positive multiple of 4096; "
                        + "the bins found run to \(hex(binsEnd)) bytes: all are read")
            ]
        }
        if !base.checksumValid && binsEnd > declared {
            return [
                Diagnostic(
                    .regfHbinsSizeUntrusted, at: .offset(0x28),
                    "regf base block at 0x28: hbins size \(hex(declared)) is not trusted (the base block's checksum "
                        + "fails); the bins found run to \(hex(binsEnd)) bytes: all are read")
            ]
        }
        if declared > read {
            return [
                Diagnostic(
                    .regfHbinsSizePastEnd, at: .offset(0x28),
                    "regf base block at 0x28: hbins size \(hex(declared)) runs past the end of the file "
                        + "(file size \(fileSize)); reading the \(read) bytes present")
            ]
        }
        return []
    }

    /// The bins of the hbins region: the chain of `hbin` headers, each sane bin as its header says. A damaged
    /// header (signature, size, zeroed) does not end the hive: the next `hbin` is looked for at the following 4 KiB
    /// boundaries, and the bytes up to it are kept as one bin (cell offsets are absolute, so the cells in it and
    /// after it stay addressable), with one warning naming the offset and what was kept. Zeroes after the last
    /// bin are padding.
    private static func scanBins(_ data: [UInt8], warnings: inout DiagnosticList) -> [Range<Int>] {
        var bins: [Range<Int>] = []
        var position = 0
        while position + binHeaderSize <= data.count {
            let absolute = hex(position + RegistryBaseBlock.size)
            let problem: String
            switch binHeader(data, at: position) {
            case .sane(let size):
                let stored = readU32(data, position + 4)
                if Int(stored) != position {
                    warnings.add(
                        .regfBinOffset, at: .offset(UInt64(position + RegistryBaseBlock.size)),
                        "hbin at \(absolute): stored offset \(hex(stored)) differs from its position \(hex(position)); "
                            + "read on")
                }
                bins.append(position..<position + size)
                position += size
                continue
            case .damaged(let reason):
                problem = reason
            }
            let next = nextBin(data, after: position)
            let end = next ?? data.count
            if next == nil, !bins.isEmpty, data[position..<end].allSatisfy({ $0 == 0 }) { break }
            let kept =
                next.map { "up to the next hbin at \(hex($0 + RegistryBaseBlock.size))" }
                ?? "to the end of the hbins data"
            warnings.add(
                .regfBinHeaderDamaged, at: .offset(UInt64(position + RegistryBaseBlock.size)),
                "hbin at \(absolute): \(problem); the \(hex(end - position)) bytes \(kept) are read as one bin "
                    + "(cell offsets are absolute)")
            bins.append(position..<end)
            position = end
        }
        return bins
    }

    private enum BinHeader { case sane(Int), damaged(String) }

    /// Whether the header at `position` starts a usable bin, and its size; else what is wrong with it.
    private static func binHeader(_ data: [UInt8], at position: Int) -> BinHeader {
        let signature = Array(data[position..<position + 4])
        guard signature.elementsEqual("hbin".utf8) else {
            if data[position..<position + binHeaderSize].allSatisfy({ $0 == 0 }) { return .damaged("header is zeroed") }
            return .damaged("signature is \(RegistryBaseBlock.printable(signature)), expected \"hbin\"")
        }
        let size = Int(readU32(data, position + 8))
        guard size >= 4096, size % 4096 == 0 else {
            return .damaged("size \(hex(size)) is not a positive multiple of 4096")
        }
        guard size <= data.count - position else {
            let left = hex(data.count - position)
            return .damaged("size \(hex(size)) runs past the end of the hbins data (\(left) bytes left)")
        }
        return .sane(size)
    }

    /// The next 4 KiB boundary after `position` where a sane bin starts, if any.
    private static func nextBin(_ data: [UInt8], after position: Int) -> Int? {
        var candidate = (position / 4096 + 1) * 4096
        while candidate + binHeaderSize <= data.count {
            if data[candidate..<candidate + 4].elementsEqual("hbin".utf8), case .sane = binHeader(data, at: candidate) {
                return candidate
            }
            candidate += 4096
        }
        return nil
    }

    /// The little-endian 32-bit integer at `at`, which the caller has checked lies inside `data` (0 if not).
    private static func readU32(_ data: [UInt8], _ at: Int) -> UInt32 {
        (try? ByteReader(data, structure: "regf hive bins").u32(at: at, .little)) ?? 0
    }

    /// Records a non-fatal problem once (by its message: the same cell read twice is one problem).
    package func warn(_ code: DiagnosticCode, at location: DiagnosticLocation, _ message: String) {
        collected.withLock { state in
            if state.seen.insert(message).inserted { state.list.add(code, at: location, message) }
        }
    }

    // MARK: Cells

    /// The data of the cell at `offset` (relative to the first hbin), bounds-checked against its bin.
    /// - Throws: ``BinaryFormatError`` naming `structure` when the offset or size is impossible.
    package func cell(at offset: UInt32, structure: String) throws -> ByteReader {
        let absolute = UInt64(offset) + UInt64(RegistryBaseBlock.size)
        guard offset != RegistryHive.noCell else {
            throw BinaryFormatError(structure, at: absolute, "cell offset is 0xFFFFFFFF (none)")
        }
        guard offset % 8 == 0 else {
            throw BinaryFormatError(structure, at: absolute, "cell offset \(hex(offset)) is not 8-byte aligned")
        }
        let start = Int(offset)
        guard let bin = binContaining(start) else {
            throw BinaryFormatError(
                structure, at: absolute,
                "cell offset \(hex(offset)) lies outside every readable hbin (hbins data is \(hex(hbins.count)) bytes)")
        }
        guard start >= bin.lowerBound + RegistryHive.binHeaderSize, start + 4 <= bin.upperBound else {
            throw BinaryFormatError(structure, at: absolute, "cell offset \(hex(offset)) points into an hbin header")
        }
        let rawSize = Int32(bitPattern: RegistryHive.readU32(hbins, start))
        let size = Int(rawSize).magnitude
        if rawSize > 0 {
            warn(
                .regfCellFree, at: .offset(absolute),
                "\(structure) at \(hex(absolute)): cell is marked free (size \(rawSize)) but still referenced; read on")
        }
        guard size >= 8 else {
            throw BinaryFormatError(structure, at: absolute, "cell size \(rawSize) is smaller than 8 bytes")
        }
        guard size <= bin.upperBound - start else {
            throw BinaryFormatError(
                structure, at: absolute,
                "cell size \(size) runs past the end of its hbin at \(hex(bin.lowerBound + RegistryBaseBlock.size)) "
                    + "(\(bin.upperBound - start) bytes left in the bin)")
        }
        return ByteReader(
            Array(hbins[start + 4..<start + Int(size)]), baseOffset: absolute + 4, structure: structure)
    }

    private func binContaining(_ position: Int) -> Range<Int>? {
        var low = 0
        var high = bins.count
        while low < high {
            let middle = (low + high) / 2
            if bins[middle].upperBound <= position {
                low = middle + 1
            } else if bins[middle].lowerBound > position {
                high = middle
            } else {
                return bins[middle]
            }
        }
        return nil
    }

    // MARK: Keys

    /// The root key.
    /// - Throws: ``BinaryFormatError`` when the root cell is unreadable.
    func rootKey() throws -> RegistryKey {
        let key = try key(atCell: baseBlock.rootCellOffset)
        if key.flags & RegistryKey.rootFlag == 0 {
            warn(
                .regfRootFlag, at: .offset(key.fileOffset),
                "root key at \(hex(key.fileOffset)): the root flag (0x4) is not set; read on")
        }
        return key
    }

    /// The key stored at cell `offset`.
    /// - Throws: ``BinaryFormatError`` when the cell is not a readable `nk` record.
    package func key(atCell offset: UInt32) throws -> RegistryKey {
        var reader = try cell(at: offset, structure: "regf key (nk)")
        let key = try RegistryKey(parsing: &reader, cellOffset: offset)
        if key.nameIsCut {
            warn(
                .regfKeyNameCut, at: .offset(key.fileOffset),
                "regf key (nk) at \(hex(key.fileOffset)): name length \(key.declaredNameLength) runs past the cell "
                    + "(\(key.storedNameLength) bytes in it); the key is read with the name cut there, "
                    + RegistryBaseBlock.printable(Array(key.name.utf8)))
        }
        return key
    }

    /// The key at a backslash-separated `path` below the root (`""` is the root), matched case-insensitively;
    /// `nil` when some component does not exist. Reads only the keys on the path.
    /// - Throws: ``BinaryFormatError`` when a structure on the path is corrupt.
    package func key(_ path: String) throws -> RegistryKey? {
        var current = try rootKey()
        for component in RegistryName.components(of: path) {
            guard let next = try subkey(component, of: current) else { return nil }
            current = next
        }
        return current
    }

    /// The direct subkey of `parent` called `name` (case-insensitive), or `nil`. An unreadable entry of the list
    /// is skipped with a warning.
    /// - Throws: ``BinaryFormatError`` when the subkey list itself is corrupt.
    package func subkey(_ name: String, of parent: RegistryKey) throws -> RegistryKey? {
        let entries = try subkeyEntries(of: parent)
        let wanted = RegistryName.uppercased(name)
        let hash = RegistrySubkeyList.hash(ofUppercased: wanted)
        var tried = Set<UInt32>()
        // lh hashes narrow the search; if none matches (a hash computed with a different upper-case table),
        // every entry is still compared by name.
        for (index, entry) in entries.enumerated() where entry.hash == hash {
            tried.insert(entry.offset)
            let key = readableKey(entry.offset, entry: index, of: entries.count, parent: parent)
            if let key, RegistryName.uppercased(key.name) == wanted { return key }
        }
        for (index, entry) in entries.enumerated() where !tried.contains(entry.offset) {
            let key = readableKey(entry.offset, entry: index, of: entries.count, parent: parent)
            if let key, RegistryName.uppercased(key.name) == wanted { return key }
        }
        return nil
    }

    /// All readable direct subkeys of `key`, in stored order; an entry that is not a readable key is skipped with
    /// a warning naming it (the others are still listed, as dissect.regf lists them).
    /// - Throws: ``BinaryFormatError`` when the key's subkey list itself is unreadable.
    package func subkeys(of key: RegistryKey) throws -> [RegistryKey] {
        let entries = try subkeyEntries(of: key)
        return entries.enumerated().compactMap { readableKey($1.offset, entry: $0, of: entries.count, parent: key) }
    }

    /// The key at `offset`, entry `index` of `count` in `parent`'s subkey lists; nil with a warning when unreadable.
    private func readableKey(_ offset: UInt32, entry index: Int, of count: Int, parent: RegistryKey) -> RegistryKey? {
        do {
            return try key(atCell: offset)
        } catch {
            warn(
                .regfSubkeyUnreadable, at: .offset(parent.fileOffset),
                "regf key (nk) at \(hex(parent.fileOffset)) \"\(parent.name)\": subkey entry \(index + 1) of \(count) "
                    + "(cell \(hex(offset))) is unreadable: \(error); skipped, the other entries are listed")
            return nil
        }
    }

    /// Subkey cell offsets (with `lh` hashes) of `key`, flattening `ri` lists; a nested list that is unreadable
    /// or reached twice is skipped with a warning.
    private func subkeyEntries(of key: RegistryKey) throws -> [(offset: UInt32, hash: UInt32?)] {
        guard key.subkeyCount > 0, key.subkeyListOffset != RegistryHive.noCell else { return [] }
        var entries: [(offset: UInt32, hash: UInt32?)] = []
        var visited = Set<UInt32>()
        try collectEntries(list: key.subkeyListOffset, depth: 0, visited: &visited, into: &entries)
        if entries.count != Int(key.subkeyCount) {
            warn(
                .regfSubkeyCount, at: .offset(key.fileOffset),
                "regf key (nk) at \(hex(key.fileOffset)) \"\(key.name)\": declares \(key.subkeyCount) subkeys, "
                    + "its lists hold \(entries.count); read on")
        }
        return entries
    }

    private func collectEntries(
        list offset: UInt32, depth: Int, visited: inout Set<UInt32>,
        into entries: inout [(offset: UInt32, hash: UInt32?)]
    ) throws {
        let absolute = UInt64(offset) + UInt64(RegistryBaseBlock.size)
        guard visited.insert(offset).inserted else {
            throw BinaryFormatError(
                "regf subkey list", at: absolute, "list \(hex(offset)) is reached twice (a cycle in the ri lists)")
        }
        guard depth < RegistryHive.maximumListDepth else {
            throw BinaryFormatError(
                "regf subkey list", at: absolute, "ri lists nest deeper than \(RegistryHive.maximumListDepth) levels")
        }
        var reader = try cell(at: offset, structure: "regf subkey list")
        let list = try RegistrySubkeyList(parsing: &reader)
        switch list.kind {
        case .ri:
            for (index, child) in list.offsets.enumerated() {
                do {
                    try collectEntries(list: child, depth: depth + 1, visited: &visited, into: &entries)
                } catch {
                    warn(
                        .regfSubkeyListEntryUnreadable, at: .offset(absolute),
                        "regf subkey list (ri) at \(hex(absolute)): entry \(index + 1) of \(list.offsets.count) "
                            + "(list \(hex(child))) is unreadable: \(error); skipped, the other lists are read")
                }
            }
        case .lf, .lh, .li:
            for (index, child) in list.offsets.enumerated() { entries.append((child, list.hashes?[index])) }
        }
    }

    // MARK: Values

    /// All values of `key`, in stored order, with their data.
    /// - Throws: ``BinaryFormatError`` when the value list, a `vk` record or its data is corrupt.
    package func values(of key: RegistryKey) throws -> [RegistryValue] {
        // Distinct values own distinct data cells, so one key's values never hold more than the hbins region;
        // more means list entries share one big value, which would multiply memory by the entry count.
        var total = 0
        return try valueOffsets(of: key).map { offset in
            let value = try value(atCell: offset)
            total += value.raw.count
            guard total <= hbins.count else {
                throw BinaryFormatError(
                    "regf value list", at: UInt64(key.valueListOffset) + UInt64(RegistryBaseBlock.size),
                    "key \"\(key.name)\": its values hold more data than the whole hbins region (\(hbins.count) bytes); "
                        + "entries share data cells")
            }
            return value
        }
    }

    /// The values of `key` that can be read, in stored order: an unreadable value list (or one shorter than the
    /// count the key declares) and each unreadable value are warnings naming the offset, and the rest is read.
    package func readableValues(of key: RegistryKey) -> [RegistryValue] {
        guard key.valueCount > 0, key.valueListOffset != RegistryHive.noCell else { return [] }
        let offsets: [UInt32]
        do {
            var reader = try cell(at: key.valueListOffset, structure: "regf value list")
            let count = min(Int(key.valueCount), reader.count / 4)
            if count < Int(key.valueCount) {
                warn(
                    .regfValueCount, at: .offset(reader.baseOffset),
                    "regf value list at \(hex(reader.baseOffset)): key \"\(key.name)\" declares \(key.valueCount) "
                        + "values, the list cell holds room for \(count); those \(count) are read")
            }
            offsets = try (0..<count).map { _ in try reader.u32(.little) }
        } catch {
            warn(
                .regfValueListUnreadable, at: .offset(key.fileOffset),
                "regf key (nk) at \(hex(key.fileOffset)) \"\(key.name)\": value list unreadable: \(error); "
                    + "no value read")
            return []
        }
        return offsets.enumerated().compactMap { index, offset in
            do {
                return try value(atCell: offset)
            } catch {
                warn(
                    .regfValueUnreadable, at: .offset(key.fileOffset),
                    "regf key (nk) at \(hex(key.fileOffset)) \"\(key.name)\": value \(index + 1) of \(offsets.count) "
                        + "(cell \(hex(offset))) is unreadable: \(error); skipped")
                return nil
            }
        }
    }

    /// The value of `key` called `name` (case-insensitive; `""` is the default value), or `nil`.
    /// - Throws: ``BinaryFormatError`` when the value list or a `vk` record is corrupt.
    package func value(_ name: String, of key: RegistryKey) throws -> RegistryValue? {
        let wanted = RegistryName.uppercased(name)
        for offset in try valueOffsets(of: key) {
            var reader = try cell(at: offset, structure: "regf value (vk)")
            let header = try RegistryValueHeader(parsing: &reader)
            if RegistryName.uppercased(header.name) == wanted {
                return try gather(header, cellOffset: offset, fileOffset: reader.baseOffset)
            }
        }
        return nil
    }

    /// The value `name` of the key at `keyPath`, or `nil` when either is absent.
    /// - Throws: ``BinaryFormatError`` when a structure on the way is corrupt.
    package func value(_ name: String, at keyPath: String) throws -> RegistryValue? {
        guard let key = try key(keyPath) else { return nil }
        return try value(name, of: key)
    }

    /// The value stored at cell `offset`, with its data.
    /// - Throws: ``BinaryFormatError`` when the record or its data is corrupt.
    package func value(atCell offset: UInt32) throws -> RegistryValue {
        var reader = try cell(at: offset, structure: "regf value (vk)")
        let header = try RegistryValueHeader(parsing: &reader)
        return try gather(header, cellOffset: offset, fileOffset: reader.baseOffset)
    }

    private func valueOffsets(of key: RegistryKey) throws -> [UInt32] {
        guard key.valueCount > 0, key.valueListOffset != RegistryHive.noCell else { return [] }
        var reader = try cell(at: key.valueListOffset, structure: "regf value list")
        let count = Int(key.valueCount)
        guard count <= reader.count / 4 else {
            throw reader.error(
                "key \"\(key.name)\" declares \(count) values, the list cell holds room for \(reader.count / 4)", at: 0)
        }
        return try (0..<count).map { _ in try reader.u32(.little) }
    }

    /// Collects a value's data: inline, one data cell, or the segments of a `db` record.
    private func gather(_ header: RegistryValueHeader, cellOffset: UInt32, fileOffset: UInt64) throws -> RegistryValue {
        let type = RegistryValueType(rawValue: header.type)
        let length = Int(header.dataLength)
        var raw: [UInt8]
        if header.isInline {
            if length > 4 {
                throw BinaryFormatError(
                    "regf value (vk)", at: fileOffset + 4,
                    "value \"\(header.name)\": inline data length \(length) exceeds 4 bytes")
            }
            raw = Array(header.inlineBytes.prefix(length))
        } else if length == 0 {
            raw = []
        } else {
            guard length <= hbins.count else {
                throw BinaryFormatError(
                    "regf value (vk)", at: fileOffset + 4,
                    "value \"\(header.name)\": data length \(length) exceeds the whole hbins region (\(hbins.count) bytes)"
                )
            }
            let structure = "regf value data"
            var data = try cell(at: header.dataOffset, structure: structure)
            let isBigData =
                try length > RegistryHive.bigDataSegmentSize && baseBlock.minorVersion >= 4
                && data.count >= 8 && data.u8(at: 0) == 0x64 && data.u8(at: 1) == 0x62
            if isBigData {
                raw = try bigData(&data, length: length, name: header.name)
            } else {
                guard length <= data.count else {
                    throw data.error(
                        "value \"\(header.name)\": data length \(length) runs past its cell (\(data.count) bytes)",
                        at: 0)
                }
                raw = try data.bytes(count: length)
            }
        }
        return RegistryValue(name: header.name, type: type, raw: raw, cellOffset: cellOffset, fileOffset: fileOffset)
    }

    /// Reads a `db` record: 0 `db` · 2 u16 segment count · 4 u32 segment-list cell offset.
    private func bigData(_ record: inout ByteReader, length: Int, name: String) throws -> [UInt8] {
        try record.seek(to: 2)
        let count = Int(try record.u16(.little))
        let listOffset = try record.u32(.little)
        let needed = (length + RegistryHive.bigDataSegmentSize - 1) / RegistryHive.bigDataSegmentSize
        guard count >= needed else {
            throw record.error(
                "value \"\(name)\": \(count) big-data segments cannot hold \(length) bytes (needs \(needed))", at: 2)
        }
        var list = try cell(at: listOffset, structure: "regf big data segment list")
        guard count * 4 <= list.count else {
            throw list.error("\(count) segment offsets run past the cell (\(list.count) bytes)", at: 0)
        }
        var out: [UInt8] = []
        out.reserveCapacity(length)
        for _ in 0..<needed {
            let segmentOffset = try list.u32(.little)
            var segment = try cell(at: segmentOffset, structure: "regf big data segment")
            let part = min(RegistryHive.bigDataSegmentSize, length - out.count)
            guard part <= segment.count else {
                throw segment.error("segment needs \(part) bytes, the cell holds \(segment.count)", at: 0)
            }
            out += try segment.bytes(count: part)
        }
        return out
    }

    // MARK: Walking

    /// Visits `key` (default: the root) and every key below it depth-first with its path relative to `key`.
    /// Keys reached twice (a cycle), levels deeper than `maximumDepth` and keys whose subkey list is unreadable
    /// are not descended, with a warning; unreadable entries of a list are skipped with a warning.
    /// - Throws: whatever `body` throws, and ``BinaryFormatError`` when the starting key is unreadable.
    package func walk(
        from key: RegistryKey? = nil, maximumDepth: Int = RegistryHive.defaultMaximumDepth,
        _ body: (_ path: [String], _ key: RegistryKey) throws -> Void
    ) throws {
        let start = try key ?? rootKey()
        var visited: Set<UInt32> = [start.cellOffset]
        // A key listed under two parents (dissect.regf lists it under both) is read again under the second, within
        // a budget, so crafted sharing cannot multiply the walk; a key among its own ancestors is a cycle.
        var revisits = 0
        var stack: [(path: [String], cells: [UInt32], again: Bool, key: RegistryKey)] = [
            ([], [start.cellOffset], false, start)
        ]
        while let (path, cells, again, current) = stack.popLast() {
            try body(path, current)
            guard path.count < maximumDepth else {
                warn(
                    .regfTooDeep, at: .offset(current.fileOffset),
                    "regf key (nk) at \(hex(current.fileOffset)): deeper than \(maximumDepth) levels; not descended")
                continue
            }
            let children: [RegistryKey]
            do {
                children = try subkeys(of: current)
            } catch {
                warn(
                    .regfSubkeyListUnreadable, at: .offset(current.fileOffset),
                    "regf key (nk) at \(hex(current.fileOffset)) \"\(current.name)\": subkey list unreadable: "
                        + "\(error); its subkeys are not listed")
                continue
            }
            for child in children.reversed() {
                let at = "regf key (nk) at \(hex(child.fileOffset)) \"\(child.name)\""
                if cells.contains(child.cellOffset) {
                    warn(
                        .regfKeyCycle, at: .offset(child.fileOffset),
                        "\(at): listed below itself under \"\(current.name)\" (a cycle); not descended again")
                    continue
                }
                let shared = !visited.insert(child.cellOffset).inserted
                if shared || again {
                    revisits += 1
                    guard revisits <= max(visited.count, 10_000) else {
                        warn(
                            .regfSharedKeyBudget, at: .offset(current.fileOffset),
                            "regf key (nk) at \(hex(current.fileOffset)): keys listed under several parents exceed the "
                                + "walk's budget; \"\(current.name)\"'s shared subkeys are not read again")
                        break
                    }
                    if !again {
                        warn(
                            .regfSharedKey, at: .offset(child.fileOffset),
                            "\(at): also listed under \"\(current.name)\" (a key with two parents); read there too")
                    }
                }
                stack.append((path + [child.name], cells + [child.cellOffset], again || shared, child))
            }
        }
    }
}
