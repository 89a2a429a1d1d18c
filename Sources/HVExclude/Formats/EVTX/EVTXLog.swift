// Reference: libyal/libevtx, documentation/Windows XML Event Log (EVTX).asciidoc ("File header", "Chunk",
// "Event record") and its notes on dirty files and corruption.
import HVXBinary

/// A whole EVTX file read chunk by chunk: its header, the events that passed the filter, and a warning for
/// everything that could not be read whole.
///
/// Recovery rules: a file header with a bad checksum or the dirty flag is read on (the chunks carry their own
/// checksums); every 64 KiB block with a chunk signature is read, including those past the header's chunk count
/// (a dirty log's header lags behind); a chunk whose header checksum fails (or was never written) is read record by record,
/// with one warning; a chunk whose records'
/// checksum fails is read record by record, each record checked on its own; a file that ends inside a chunk gives
/// the records that are whole. One bad record costs that record only.
package struct EVTXLog: Sendable {
    /// The file header.
    package var header: EVTXFileHeader
    /// The events, in file order.
    package var events: [EVTXEvent] = []
    /// What could not be read whole: one diagnostic per problem, capped at ``maximumWarnings``.
    package var warnings: [Diagnostic] { problems.finish() }
    /// Most diagnostics kept for one log; the rest are counted.
    static let maximumWarnings = 1000
    /// The diagnostics met so far.
    private var problems = DiagnosticList(limit: EVTXLog.maximumWarnings)
    /// Chunks read.
    package var chunksRead = 0
    /// Records read (before filtering).
    package internal(set) var recordsRead = 0
    /// Records found but not read (each named in ``warnings`` with its offset and reason).
    package internal(set) var recordsSkipped = 0

    /// Reads the log at `path` with the default limits, keeping the events `include` accepts (`hvexclude events`).
    /// - Throws: ``SystemError`` when the file cannot be opened or read, a format error when it is no EVTX file.
    package init(path: String, include: (EVTXEvent) -> Bool = { _ in true }) throws {
        try self.init(path: path, limits: EVTXLimits(), include: include)
    }

    /// Reads the log at `path`, keeping the events `include` accepts.
    /// - Throws: ``SystemError`` when the file cannot be opened or read, ``BinaryFormatError`` when it is no EVTX file.
    package init(path: String, limits: EVTXLimits, include: (EVTXEvent) -> Bool = { _ in true }) throws {
        try self.init(
            file: try FileReader(path: path, readBudget: EVTXLog.readBudget(limits)), limits: limits, include: include)
    }

    /// Bytes one log may read under `limits`.
    package static func readBudget(_ limits: EVTXLimits) -> UInt64 {
        UInt64(limits.maxChunks) * UInt64(EVTXChunkHeader.chunkSize) + 0x10000
    }

    /// Reads the log through an open reader (a file inside a disk image), keeping the events `include` accepts.
    /// - Throws: as ``init(path:limits:include:)``.
    package init(
        file: FileReader, limits: EVTXLimits = EVTXLimits(), include: (EVTXEvent) -> Bool = { _ in true }
    ) throws {
        try self.init(size: file.size, limits: limits, include: include) { offset, count in
            try file.read(at: offset, count: count)
        }
    }

    /// Reads a log held in memory (tests, fuzzing).
    package init(bytes: [UInt8], limits: EVTXLimits = EVTXLimits(), include: (EVTXEvent) -> Bool = { _ in true }) throws
    {
        try self.init(size: UInt64(bytes.count), limits: limits, include: include) { offset, count in
            guard offset < UInt64(bytes.count) else { return [] }
            let start = Int(offset)
            return Array(bytes[start..<min(bytes.count, start + count)])
        }
    }

    private init(
        size: UInt64, limits: EVTXLimits, include: (EVTXEvent) -> Bool,
        read: (UInt64, Int) throws -> [UInt8]
    ) throws {
        let headerBytes = try read(0, EVTXFileHeader.size)
        var reader = ByteReader(headerBytes, baseOffset: 0, structure: "EVTX file header")
        header = try EVTXFileHeader(parsing: &reader)
        if !header.checksumMatches {
            problems.add(
                .evtxHeaderChecksum, at: .offset(0),
                "file header checksum mismatch (stored \(hex(header.checksum)), computed \(hex(header.computedChecksum))); reading the chunks on their own checksums"
            )
        }
        if header.isDirty {
            problems.add(
                .evtxDirty, at: .offset(0),
                "the file header's dirty flag is set (the log was not closed cleanly): its chunk count may lag; every chunk present is read"
            )
        }
        let first = UInt64(header.blockSize)
        let chunkSize = UInt64(EVTXChunkHeader.chunkSize)
        let available = size > first ? (size - first + chunkSize - 1) / chunkSize : 0
        if available > UInt64(limits.maxChunks) {
            problems.add(
                .evtxChunkLimit,
                "the file holds \(available) chunks; only the first \(limits.maxChunks) are read (limit)")
        }
        for index in 0..<Int(min(available, UInt64(limits.maxChunks))) {
            let offset = first + UInt64(index) * chunkSize
            let bytes = try read(offset, EVTXChunkHeader.chunkSize)
            readChunk(index: index, offset: offset, bytes: bytes, limits: limits, include: include)
        }
    }

    /// The chunk offset of the first whole record header after `position`, if any.
    private static func nextRecord(in bytes: [UInt8], after position: Int, limit: Int) -> Int? {
        var candidate = position + 1
        while candidate + 24 <= limit {
            if bytes[candidate] == 0x2A, bytes[candidate + 1] == 0x2A, bytes[candidate + 2] == 0,
                bytes[candidate + 3] == 0,
                (try? EVTXRecordHeader(chunk: bytes, at: candidate, limit: limit)) != nil
            {
                return candidate
            }
            candidate += 1
        }
        return nil
    }

    /// The header of chunk `index` with its checks (signature, header and records checksums, declared count), each
    /// problem a warning; `nil` when the chunk cannot be read at all. `cut`: the file ends inside the chunk.
    private mutating func chunkHeader(
        index: Int, offset: UInt64, bytes: [UInt8]
    )
        -> (chunk: EVTXChunkHeader, place: String, cut: Bool, recordsEnd: Int)?
    {
        let declared = index < Int(header.chunkCount)
        let place = "chunk \(index) at \(hex(offset))"
        guard bytes.count >= EVTXChunkHeader.size else {
            if bytes.contains(where: { $0 != 0 }) {
                problems.add(
                    .evtxChunkCutOff, at: .offset(offset),
                    "\(place): the file ends \(bytes.count) bytes into the chunk, inside its header; nothing read")
            }
            return nil
        }
        guard bytes.starts(with: EVTXChunkHeader.signature) else {
            // Space past the declared chunks is normally zero-filled preallocation, not a finding.
            if declared || bytes.contains(where: { $0 != 0 }) {
                problems.add(.evtxChunkSignature, at: .offset(offset), "\(place): no chunk signature; skipped")
            }
            return nil
        }
        var reader = ByteReader(bytes, baseOffset: offset, structure: "EVTX \(place)")
        let chunk: EVTXChunkHeader
        do {
            chunk = try EVTXChunkHeader(parsing: &reader)
        } catch {
            problems.add(.evtxChunkUnreadable, at: .offset(offset), "\(error); chunk skipped")
            return nil
        }
        // A failed (or never written, 0) header checksum guards tables that record parsing re-derives: each record
        // has its own size, signature and copy of the size, and the binary XML's offsets are checked one by one.
        let headerChecksumFailed = !chunk.headerChecksumMatches
        if headerChecksumFailed {
            problems.add(
                .evtxChunkHeaderChecksum, at: .offset(offset),
                "\(place): header checksum mismatch (stored \(hex(chunk.headerChecksum)), computed \(hex(chunk.computedHeaderChecksum))); each record is checked on its own"
            )
        }
        if !declared {
            problems.add(
                .evtxChunkPastDeclared, at: .offset(offset),
                "\(place) lies past the \(header.chunkCount) chunks the file header declares; read anyway")
        }
        let cut = bytes.count < EVTXChunkHeader.chunkSize
        let recordsEnd = Int(chunk.freeSpaceOffset)
        if cut {
            // The records' checksum cannot be checked without all of them.
        } else {
            let computed = CRC32.ieee.checksum(bytes[EVTXChunkHeader.size..<recordsEnd])
            if computed != chunk.recordsChecksum && !headerChecksumFailed {
                problems.add(
                    .evtxChunkChecksum, at: .offset(offset),
                    "\(place): event records checksum mismatch (stored \(hex(chunk.recordsChecksum)), computed \(hex(computed))); each record is checked on its own"
                )
            }
        }
        return (chunk, place, cut, recordsEnd)
    }

    /// Renders one record and keeps its event when `include` takes it; a record that cannot be rendered is
    /// counted and named. Returns whether it was read.
    private mutating func read(
        _ record: EVTXRecordHeader, at position: Int, parser: BinXMLParser, renderer: inout BinXMLRenderer,
        include: (EVTXEvent) -> Bool, place: String, offset: UInt64
    ) -> Bool {
        do {
            let nodes = try parser.parseFragment(record.binXMLRange)
            let elements = try renderer.render(nodes)
            guard let event = elements.first(where: { $0.name == "Event" }) ?? elements.first else {
                throw EVTXError.badRecord("no event element", offset: position)
            }
            let parsed = EVTXEvent(xml: event, recordIdentifier: record.identifier, written: record.written)
            recordsRead += 1
            if include(parsed) { events.append(parsed) }
            return true
        } catch {
            recordsSkipped += 1
            problems.add(
                .evtxRecordUnreadable, at: .logRecord(record.identifier),
                "\(place): record \(record.identifier) at \(hex(offset + UInt64(position))): \(error); record skipped")
            return false
        }
    }

    /// Reads the records of chunk `index` (at `offset`, `bytes` long: less when the file ends inside it) one by one,
    /// resuming at the next whole record header after a damaged one; each record lost is counted and named.
    private mutating func readChunk(
        index: Int, offset: UInt64, bytes: [UInt8], limits: EVTXLimits, include: (EVTXEvent) -> Bool
    ) {
        guard let (chunk, place, cut, recordsEnd) = chunkHeader(index: index, offset: offset, bytes: bytes) else {
            return
        }
        chunksRead += 1
        let parser = BinXMLParser(chunk: bytes, limits: limits)
        let limit = min(recordsEnd, bytes.count)
        var position = EVTXChunkHeader.size
        var span = ReadSpan()
        var elementsLeft = limits.maxElementsPerChunk
        var bytesLeft = limits.maxOutputBytesPerChunk
        while position < limit {
            let record: EVTXRecordHeader
            do {
                record = try EVTXRecordHeader(chunk: bytes, at: position, limit: limit)
            } catch {
                let resume = recordHeaderFailed(
                    error, at: position, in: bytes, limit: limit, cut: cut, place: place, offset: offset, span: span)
                guard let resume else { return }
                position = resume
                continue
            }
            guard elementsLeft > 0, bytesLeft > 0 else {
                recordsSkipped +=
                    chunk.lastRecordIdentifier >= record.identifier
                    ? Int(min(chunk.lastRecordIdentifier - record.identifier, 1 << 20)) + 1 : 1
                problems.add(
                    .evtxChunkExpansionLimit, at: .logRecord(record.identifier),
                    "\(place): its records expand beyond the chunk's limits (\(limits.maxElementsPerChunk) elements, \(limits.maxOutputBytesPerChunk) bytes); the rest of the chunk from record \(record.identifier) is skipped"
                )
                return
            }
            var renderer = BinXMLRenderer(
                limits: limits, recordOffset: position, chunk: bytes,
                prunedSystemChildren: EVTXEvent.unusedSystemElements,
                chunkElementsLeft: elementsLeft, chunkBytesLeft: bytesLeft)
            defer {
                elementsLeft -= max(1, renderer.elements)
                bytesLeft -= renderer.outputBytes
            }
            if read(
                record, at: position, parser: parser, renderer: &renderer, include: include, place: place,
                offset: offset)
            {
                span.add(record.identifier)
            }
            position += record.size
        }
        if cut {
            problems.add(
                .evtxChunkCutOff, at: .offset(offset),
                "\(place): the file ends \(bytes.count) of \(EVTXChunkHeader.chunkSize) bytes into the chunk; records \(span.text) read whole"
            )
        }
    }

    /// The identifiers of the first and last records of a chunk read whole.
    private struct ReadSpan {
        var first: UInt64?
        var last: UInt64?

        mutating func add(_ identifier: UInt64) {
            if first == nil { first = identifier }
            last = identifier
        }

        /// "195–283", or "none".
        var text: String { first.map { "\($0)–\(last ?? $0)" } ?? "none" }
    }

    /// A record header at `position` that cannot be read: the end of a cut chunk, zero fill, or a damaged header
    /// (the record is lost and counted). Returns where reading resumes (the next whole record header), or nil.
    private mutating func recordHeaderFailed(
        _ error: any Error, at position: Int, in bytes: [UInt8], limit: Int, cut: Bool, place: String, offset: UInt64,
        span: ReadSpan
    ) -> Int? {
        if cut {
            let lost = (try? EVTXValue.le(bytes, position + 8, 8)).map { " from record \($0)" } ?? ""
            problems.add(
                .evtxChunkCutOff, at: .offset(offset),
                "\(place): the file ends \(bytes.count) of \(EVTXChunkHeader.chunkSize) bytes into the chunk; records \(span.text) read whole, the rest\(lost) cut off"
            )
        } else if (try? EVTXValue.le(bytes, position, 4)) == 0 {
            // Zero fill after the last record where the free space offset says more: nothing lost.
        } else {
            // The record header is damaged: this record is lost; the next record signature whose header is whole
            // starts the rest.
            recordsSkipped += 1
            problems.add(
                .evtxRecordHeaderDamaged, at: .offset(offset + UInt64(position)),
                "\(place): record at \(hex(offset + UInt64(position))): \(error); record skipped")
            return EVTXLog.nextRecord(in: bytes, after: position, limit: limit)
        }
        return nil
    }
}
