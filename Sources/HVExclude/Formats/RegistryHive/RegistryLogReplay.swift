// Reference: msuhanov/regf "Windows registry file format specification": "Dirty state of a hive", "Multiple
// transaction log files" (old and new format), the notes under "Log entries" and "Dirty pages"; the yarp
// author's write-up "Missing log entries for a dirty primary file" (partial reconciliation).
import HVXBinary

/// Applies a dirty hive's transaction logs in memory, the way the Windows kernel recovers a hive on load.
///
/// New format (Windows 8.1+): entries of both logs are applied in sequence order — the log whose base block
/// copy has the lower sequence number first, then the other when its entries continue at N + 1. Each entry
/// is verified whole (Hash-1, Hash-2, size, page bounds) before any of its pages is copied, so the result is
/// always the hive as of some complete entry. A log that starts below the hive's secondary sequence number
/// was already reconciled and is skipped. With a torn primary base block only the log with the latest
/// entries is used, and the base block is rebuilt from its copy.
///
/// Old format: one log is applied (LOG1; LOG2 when LOG1 cannot be applied or LOG2 is newer), only when its base
/// block copy's timestamp is not older than the hive's; each hive bin the dirty pages rewrite is checked
/// before it is applied, and an invalid one stops the replay.
///
/// Stops that Windows makes silently on a healthy log (zeroes or an older entry after the last one, an
/// already reconciled log) are not warnings; a torn or corrupt entry, a sequence gap and a cut-off log are.
package struct RegistryLogReplay {
    /// What a replay did.
    package struct Outcome: Sendable, Equatable {
        /// The recovered base block (4096 bytes, file type 0, checksum recomputed); nil when nothing was applied.
        var baseBlock: [UInt8]?
        /// Entries (new format) or dirty pages (old format) applied, per log, in the order applied.
        package var applied: [(log: String, count: Int)]
        /// The log format used.
        package var format: RegistryTransactionLog.Format?
        /// The sequence number of the last entry applied (new format).
        var lastSequence: UInt32?
        /// Problems that stopped the replay early or made a log unusable.
        package var warnings: [Diagnostic]
        /// What the replay did that is worth a warning without stopping it (an entry shrinking the hive).
        package var notes: [Diagnostic] = []

        package static func == (lhs: Outcome, rhs: Outcome) -> Bool {
            lhs.baseBlock == rhs.baseBlock
                && lhs.applied.map { "\($0.log):\($0.count)" } == rhs.applied.map { "\($0.log):\($0.count)" }
                && lhs.format == rhs.format && lhs.lastSequence == rhs.lastSequence && lhs.warnings == rhs.warnings
                && lhs.notes == rhs.notes
        }

        /// "replayed 3 log entries from NewDirtyHive.LOG1 and 1 from NewDirtyHive.LOG2 (to sequence 5)".
        package var summary: String? {
            let used = applied.filter { $0.count > 0 }
            guard !used.isEmpty else { return nil }
            let unit = format == .dirtyVector ? "dirty page" : "log entr"
            func noun(_ count: Int) -> String {
                format == .dirtyVector ? (count == 1 ? unit : unit + "s") : (count == 1 ? unit + "y" : unit + "ies")
            }
            var parts: [String] = []
            for (index, item) in used.enumerated() {
                parts.append(
                    index == 0 ? "\(item.count) \(noun(item.count)) from \(item.log)" : "\(item.count) from \(item.log)"
                )
            }
            let sequence = lastSequence.map { " (to sequence \($0))" } ?? ""
            return "replayed " + parts.joined(separator: " and ") + sequence
        }
    }

    /// The primary file's base block bytes (4096).
    let primaryBase: [UInt8]
    /// The parsed primary base block.
    package let base: RegistryBaseBlock
    /// The hive's file name, for messages.
    package let hiveName: String
    /// The cap on the hive bins size a log may grow the hive to.
    let maximumHbinsSize: Int

    /// Replays `logs` (whole files with their names, LOG1 before LOG2 before LOG) onto `hbins`.
    package func replay(hbins: inout [UInt8], logs: [(name: String, bytes: [UInt8])]) -> Outcome {
        var outcome = Outcome(baseBlock: nil, applied: [], format: nil, lastSequence: nil, warnings: [])
        var usable: [RegistryTransactionLog] = []
        for (name, bytes) in logs {
            do {
                let log = try RegistryTransactionLog(name: name, bytes: bytes)
                if let foreign = foreignReason(log) {
                    outcome.warnings.append(
                        .regfLogForeign, at: .file(name, offset: nil),
                        "\(name): belongs to another hive (\(foreign)); not used")
                } else {
                    usable.append(log)
                }
            } catch {
                if !error.isUnused {
                    outcome.warnings.append(.regfLogUnusable, at: .file(name, offset: nil), "\(error); not used")
                }
            }
        }
        let newFormat = usable.filter { $0.format == .logEntries }
        let oldFormat = usable.filter { $0.format == .dirtyVector }
        if !newFormat.isEmpty {
            replayEntries(newFormat, hbins: &hbins, outcome: &outcome)
        } else if !oldFormat.isEmpty {
            replayDirtyVector(oldFormat, hbins: &hbins, outcome: &outcome)
        }
        // No log, or only empty ones (not in use): the hive's own dirty warning says so, once.
        return outcome
    }

    // MARK: Identity

    /// Why `log` is not this hive's log, or nil. The base block copy at its start is a copy of the hive's own
    /// (made from memory while the hive is loaded), so the fields a hive keeps for its life must match: the
    /// file name (offset 48) and, on Windows 10 and later, the RmId, LogId and TmId GUIDs (112, 128, 148).
    /// Windows itself goes by sequence numbers and (old format) the last-written time, which a foreign log
    /// can pass; these fields are what tells them apart. A torn primary base block is not compared.
    func foreignReason(_ log: RegistryTransactionLog) -> String? {
        guard base.checksumValid, primaryBase.count >= 512, log.bytes.count >= 512 else { return nil }
        var reasons: [String] = []
        let ours = base.fileName
        let theirs = log.baseBlock.fileName
        if !ours.isEmpty, !theirs.isEmpty, ours != theirs {
            reasons.append("its base block names \"\(theirs)\", \(hiveName)'s names \"\(ours)\"")
        }
        let ids = [(112, "RmId"), (128, "LogId"), (148, "TmId")].filter { at, _ in
            let mine = primaryBase[at..<at + 16]
            let other = log.bytes[at..<at + 16]
            return mine.contains { $0 != 0 } && other.contains { $0 != 0 } && !mine.elementsEqual(other)
        }
        if !ids.isEmpty { reasons.append("its \(ids.map(\.1).joined(separator: ", ")) differ from \(hiveName)'s") }
        return reasons.isEmpty ? nil : reasons.joined(separator: "; ")
    }

    // MARK: New format

    /// Whether sequence `a` comes before `b`, allowing for the 32-bit counter wrapping.
    static func precedes(_ a: UInt32, _ b: UInt32) -> Bool { a != b && b &- a <= 0x7FFF_FFFF }

    private func replayEntries(_ logs: [RegistryTransactionLog], hbins: inout [UInt8], outcome: inout Outcome) {
        outcome.format = .logEntries
        // Earliest entries first (a log's base block copy carries the sequence of its first entry).
        let ordered = logs.sorted {
            RegistryLogReplay.precedes($0.baseBlock.primarySequence, $1.baseBlock.primarySequence)
        }
        var flags = base.checksumValid ? baseFlags(primaryBase) : 0
        var baseSource: RegistryTransactionLog?
        if !base.checksumValid {
            // A torn primary base block: Windows takes the log with the latest entries only, and its base block.
            guard let latest = ordered.last else { return }
            outcome.warnings.append(
                .regfLogBaseRebuilt, at: .file(latest.name, offset: 0),
                "\(hiveName): base block checksum mismatch: rebuilt from \(latest.name), whose entries alone are replayed"
            )
            flags = baseFlags(latest.bytes)
            baseSource = latest
            apply(latest, hbins: &hbins, flags: &flags, outcome: &outcome)
        } else {
            for log in ordered {
                let start = log.baseBlock.primarySequence
                if let last = outcome.lastSequence {
                    if !RegistryLogReplay.precedes(last, start) { continue }  // older than what was applied
                    guard start == last &+ 1 else {
                        outcome.warnings.append(
                            .regfLogSequenceGap, at: .file(log.name, offset: nil),
                            "\(log.name): its entries start at sequence \(start), but the last entry applied is \(last): "
                                + "entries \(last &+ 1)–\(start &- 1) are missing; replay stopped at sequence \(last)")
                        break
                    }
                } else if RegistryLogReplay.precedes(start, base.secondarySequence) {
                    continue  // reconciled into the hive already
                }
                baseSource = baseSource ?? log
                guard apply(log, hbins: &hbins, flags: &flags, outcome: &outcome) else { break }
            }
        }
        guard let last = outcome.lastSequence, let source = baseSource else {
            if outcome.warnings.isEmpty {
                outcome.warnings.append(
                    .regfLogNoNewEntries,
                    "\(hiveName) is dirty (sequences \(base.primarySequence)/\(base.secondarySequence)) but "
                        + "\(logs.map(\.name).joined(separator: " and ")) hold no entry from sequence \(base.secondarySequence) on; "
                        + "the hive is read as it is")
            }
            return
        }
        outcome.baseBlock = rebuiltBase(from: source, sequence: last, hbinsSize: hbins.count, flags: flags)
    }

    /// Applies the consecutive valid entries of one log; false when it stopped on a problem worth a warning.
    @discardableResult
    private func apply(
        _ log: RegistryTransactionLog, hbins: inout [UInt8], flags: inout UInt32, outcome: inout Outcome
    ) -> Bool {
        var expected = log.baseBlock.primarySequence
        var position = RegistryTransactionLog.baseBlockSize
        var count = 0
        defer { outcome.applied.append((log.name, count)) }
        let bytes = log.bytes
        let reader = ByteReader(bytes, structure: "regf log")
        while position < bytes.count {
            let stored =
                position + 16 <= bytes.count && bytes[position..<position + 4].elementsEqual("HvLE".utf8)
                ? (try? reader.u32(at: position + 12, .little)) : nil
            // An older entry after the newest one is what the log held before it was reused: its normal end.
            if let stored, RegistryLogReplay.precedes(stored, expected) { return true }
            let entry: RegistryLogEntry
            do {
                entry = try RegistryLogEntry(log: bytes, at: position, maximumHbinsSize: maximumHbinsSize)
            } catch {
                let at = "\(log.name) at \(hex(position))"
                let place = DiagnosticLocation.file(log.name, offset: UInt64(position))
                let after = outcome.lastSequence.map { "replay stopped after sequence \($0)" } ?? "nothing was replayed"
                switch error {
                case .noEntry:
                    if count == 0 {
                        outcome.warnings.append(
                            .regfLogNoEntry, at: place,
                            "\(at): no log entry where sequence \(expected) should start; \(after)")
                        return false
                    }
                    return true
                case .truncated(let declared, let available):
                    outcome.warnings.append(
                        .regfLogEntryCutOff, at: place,
                        "\(at): log entry \(stored.map { "sequence \($0)" } ?? "") is cut off (declares \(declared) bytes, "
                            + "\(available) remain in the file); \(after)")
                case .malformed(let reason):
                    outcome.warnings.append(
                        .regfLogEntryMalformed, at: place,
                        "\(at): log entry \(stored.map { "sequence \($0)" } ?? ""): \(reason); \(after)")
                case .checksum(let reason):
                    outcome.warnings.append(
                        .regfLogEntryChecksum, at: place,
                        "\(at): log entry \(stored.map { "sequence \($0)" } ?? ""): \(reason); \(after)")
                }
                return false
            }
            guard entry.sequence == expected else {
                let after = outcome.lastSequence.map { "replay stopped after sequence \($0)" } ?? "nothing was replayed"
                outcome.warnings.append(
                    .regfLogEntrySequence, at: .file(log.name, offset: UInt64(position)),
                    "\(log.name) at \(hex(position)): log entry has sequence \(entry.sequence) where \(expected) was expected "
                        + "(entries are missing); \(after)")
                return false
            }
            if entry.hbinsSize != hbins.count {
                if entry.hbinsSize > hbins.count {
                    hbins += [UInt8](repeating: 0, count: entry.hbinsSize - hbins.count)
                } else {
                    let dropped = hex(hbins.count - entry.hbinsSize)
                    outcome.notes.append(
                        .regfLogShrinksHive, at: .file(log.name, offset: UInt64(position)),
                        "\(log.name) at \(hex(position)): log entry sequence \(entry.sequence) shrinks the hive bins "
                            + "from \(hex(hbins.count)) to \(hex(entry.hbinsSize)) bytes; the \(dropped) bytes "
                            + "past the new end are dropped, as Windows drops them")
                    hbins.removeSubrange(entry.hbinsSize...)
                }
            }
            // Checked copies: RegistryLogEntry has put every page inside the hive bins and inside its entry.
            for page in entry.pages {
                hbins[page.offset..<(page.offset + page.size)] = bytes[page.logOffset..<(page.logOffset + page.size)]
            }
            flags = flags & ~1 | entry.flags & 1
            outcome.lastSequence = entry.sequence
            count += 1
            expected = entry.sequence &+ 1
            position += entry.size
        }
        return true
    }

    // MARK: Old format

    private func replayDirtyVector(_ logs: [RegistryTransactionLog], hbins: inout [UInt8], outcome: inout Outcome) {
        outcome.format = .dirtyVector
        // The primary's timestamp, or its first bin's when the base block is torn (hbin offset 20).
        let primaryTime: UInt64
        if base.checksumValid {
            primaryTime = base.lastWritten
        } else if hbins.count >= 28 {
            primaryTime = (try? ByteReader(hbins, structure: "regf hive bins").u64(at: 20, .little)) ?? 0
        } else {
            primaryTime = 0
        }
        let eligible = logs.filter { $0.baseBlock.lastWritten >= primaryTime }
        for log in logs where !eligible.contains(where: { $0.name == log.name }) {
            outcome.warnings.append(
                .regfLogOlder, at: .file(log.name, offset: nil),
                "\(log.name): its base block is older than \(hiveName)'s (an earlier, already written log); not used")
        }
        // LOG1 unless it cannot be applied or the other log holds newer data (Windows 8 and the 2016 Windows 7 kernel).
        guard let chosen = eligible.max(by: { $0.baseBlock.lastWritten < $1.baseBlock.lastWritten }) else { return }
        let hbinsSize = Int(chosen.baseBlock.hbinsSize)
        guard hbinsSize >= 4096, hbinsSize % 4096 == 0, hbinsSize <= maximumHbinsSize else {
            outcome.warnings.append(
                .regfLogSizeUnusable, at: .file(chosen.name, offset: 0),
                "\(chosen.name): base block hive bins size \(hex(hbinsSize)) is not usable; not replayed")
            return
        }
        let vector: RegistryDirtyVector
        do {
            vector = try RegistryDirtyVector(log: chosen.bytes, hbinsSize: hbinsSize, name: chosen.name)
        } catch {
            outcome.warnings.append(.regfLogUnusable, at: .file(chosen.name, offset: nil), "\(error); not replayed")
            return
        }
        let original = hbins
        if hbins.count != hbinsSize {
            if hbinsSize > hbins.count {
                hbins += [UInt8](repeating: 0, count: hbinsSize - hbins.count)
            } else {
                hbins.removeSubrange(hbinsSize...)
            }
        }
        var applied = 0
        var index = 0
        let pages = vector.pageOffsets
        func isBinStart(_ bytes: [UInt8], _ at: Int) -> Bool {
            at + 4 <= bytes.count && bytes[at..<at + 4].elementsEqual("hbin".utf8)
        }
        // Dirty pages are applied one hive bin at a time: a group is the run of consecutive pages up to the next
        // bin header (in the log's pages or in the primary file).
        groups: while index < pages.count {
            var group: [(offset: Int, logOffset: Int)] = []
            repeat {
                let offset = pages[index]
                let logOffset = vector.pagesStart + index * 512
                if !group.isEmpty {
                    let contiguous = group.last!.offset + 512 == offset
                    let binBoundary =
                        offset % 4096 == 0 && (isBinStart(chosen.bytes, logOffset) || isBinStart(original, offset))
                    if !contiguous || binBoundary { break }
                }
                guard logOffset + 512 <= chosen.bytes.count else {
                    outcome.warnings.append(
                        .regfLogPagePastEnd, at: .file(chosen.name, offset: UInt64(logOffset)),
                        "\(chosen.name): cut off at dirty page \(index + 1) of \(pages.count) (log offset \(hex(logOffset)) past "
                            + "its end, \(chosen.bytes.count) bytes); replay stopped after \(applied) pages")
                    break groups
                }
                group.append((offset, logOffset))
                index += 1
            } while index < pages.count
            let first = group[0]
            if first.offset % 4096 == 0, isBinStart(chosen.bytes, first.logOffset) || isBinStart(original, first.offset)
            {
                let page = chosen.bytes
                let at = first.logOffset
                let reader = ByteReader(page, structure: "regf log page")
                let binOffset = try? reader.u32(at: at + 4, .little)
                let binSize = (try? reader.u32(at: at + 8, .little)) ?? 0
                let valid =
                    isBinStart(page, at) && binOffset == UInt32(first.offset) && binSize >= 4096 && binSize % 4096 == 0
                guard valid else {
                    outcome.warnings.append(
                        .regfLogBinInvalid, at: .file(chosen.name, offset: UInt64(at)),
                        "\(chosen.name) at \(hex(at)): the dirty hive bin for hive bins offset \(hex(first.offset)) is invalid "
                            + "(signature, offset or size); replay stopped after \(applied) pages")
                    break groups
                }
                // Bounded by the hive's size: a bin running past the end is invalid, and Windows stops there.
                guard Int(binSize) <= hbinsSize - first.offset else {
                    outcome.warnings.append(
                        .regfLogBinPastEnd, at: .file(chosen.name, offset: UInt64(at)),
                        "\(chosen.name) at \(hex(at)): the dirty hive bin for hive bins offset \(hex(first.offset)) "
                            + "has size \(hex(binSize)), past the end of the \(hex(hbinsSize))-byte hive bins; not "
                            + "applied, replay stopped after \(applied) pages")
                    break groups
                }
            }
            for page in group {
                hbins[page.offset..<(page.offset + 512)] = chosen.bytes[page.logOffset..<(page.logOffset + 512)]
            }
            applied += group.count
        }
        outcome.applied.append((chosen.name, applied))
        guard applied > 0 else {
            hbins = original
            return
        }
        outcome.baseBlock = rebuiltBase(
            from: chosen, sequence: chosen.baseBlock.primarySequence, hbinsSize: hbins.count,
            flags: baseFlags(chosen.bytes))
    }

    // MARK: Base block

    /// The base block after recovery: the log's copy of the first 512 bytes over the primary's block, as a primary
    /// file (type 0) with both sequence numbers `sequence`, the new hive bins size and a fresh checksum.
    private func rebuiltBase(
        from log: RegistryTransactionLog, sequence: UInt32, hbinsSize: Int, flags: UInt32
    ) -> [UInt8] {
        var block = primaryBase
        if block.count < RegistryBaseBlock.size {
            block += [UInt8](repeating: 0, count: RegistryBaseBlock.size - block.count)
        }
        block.replaceSubrange(
            0..<RegistryTransactionLog.baseBlockSize, with: log.bytes[0..<RegistryTransactionLog.baseBlockSize])
        func put(_ value: UInt32, _ at: Int) {
            for index in 0..<4 { block[at + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(index))) }
        }
        put(sequence, 4)
        put(sequence, 8)
        put(0, 28)
        put(UInt32(hbinsSize), 40)
        put(flags, 144)
        put(RegistryBaseBlock.checksum(block), 508)
        return block
    }

    private func baseFlags(_ bytes: [UInt8]) -> UInt32 {
        (try? ByteReader(bytes, structure: "regf base block").u32(at: 144, .little)) ?? 0
    }
}
