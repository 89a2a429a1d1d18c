import Foundation
import Testing

@testable import HVXBinary
@testable import HVXFormats

/// The EVTX reader against the real logs of ../shared/fixtures/evtx, evtxexport and python-evtx, and against
/// hand-built corrupt files.
@Suite struct EVTXLogTests {
    static let fixtureFiles = ["System.evtx", "System2.evtx", "LocalSessionManager.evtx", "System-log-cleared.evtx"]
    /// python-evtx, the second independent reader.
    static let pythonEvtx = Requirement.pip(module: "Evtx", package: "python-evtx")

    /// What evtxexport's `-f xml` view says of one record.
    struct Reference: Equatable, CustomStringConvertible {
        var provider: String, eventId: UInt32?, time: String, recordId: UInt64, values: [String]
        var description: String { "\(recordId) \(provider) \(eventId ?? 0) \(time) \(values)" }
    }

    /// evtxexport's 9-digit fractions (…T03:56:03.261233400Z) written as Windows's 7 digits.
    static func sevenDigits(_ text: String) -> String {
        guard text.hasSuffix("Z"), let dot = text.lastIndex(of: "."),
            text.distance(from: dot, to: text.endIndex) == 11, text.hasSuffix("00Z")
        else { return text }
        return String(text.dropLast(3)) + "Z"
    }

    static func references(_ file: String) throws -> [Reference] {
        let result = try runProcess("evtxexport", ["-f", "xml", file])
        guard let start = result.stdout.range(of: "<Event") else { return [] }
        let xml = "<Log>" + result.stdout[start.lowerBound...] + "</Log>"
        let root = try XMLDocumentParser.parse(Array(xml.utf8))
        return root.children.map { event in
            let system = event.children.first { $0.name == "System" }
            func child(_ name: String) -> XMLElementNode? { system?.children.first { $0.name == name } }
            var values: [String] = []
            // Every element's attributes are fields too (before its text, which an attribute-only element lacks).
            func attributes(_ node: XMLElementNode, except key: String? = nil) -> Int {
                let kept = node.attributes.filter {
                    $0.name != key && $0.name != "xmlns" && !$0.name.hasPrefix("xmlns:")
                }
                values += kept.map(\.value)
                return kept.count
            }
            func leaves(_ node: XMLElementNode) {
                let count = attributes(node)
                if node.children.isEmpty {
                    if count == 0 || !node.text.isEmpty { values.append(node.text) }
                } else {
                    node.children.forEach(leaves)
                }
            }
            for section in event.children {
                if section.name == "EventData" {
                    for item in section.children {
                        let count = attributes(item, except: "Name")
                        if count == 0 || !item.text.isEmpty || !item.children.isEmpty { values.append(item.text) }
                    }
                }
                if section.name == "UserData" {
                    for root in section.children {
                        _ = attributes(root)
                        root.children.forEach(leaves)
                    }
                }
            }
            return Reference(
                provider: child("Provider")?.attribute("Name") ?? "",
                eventId: child("EventID").flatMap { UInt32($0.text) },
                time: sevenDigits(child("TimeCreated")?.attribute("SystemTime") ?? ""),
                recordId: child("EventRecordID").flatMap { UInt64($0.text) } ?? 0,
                values: values.map { numericHex(sevenDigits($0)) })
        }
    }

    /// evtxexport zero-pads hex values (`0x00000004`), Windows does not (`0x4`): hex is compared by value.
    static func numericHex(_ text: String) -> String {
        guard text.hasPrefix("0x"), text.count > 2, let value = UInt64(text.dropFirst(2), radix: 16) else {
            return text
        }
        return "0x" + String(value, radix: 16)
    }

    static func ours(_ event: EVTXEvent) -> Reference {
        // XML parsers turn CR LF into LF (XML 1.0 §2.11); the raw value keeps CR LF.
        Reference(
            provider: event.provider, eventId: event.eventId, time: event.time.description, recordId: event.recordId,
            values: event.data.map { numericHex($0.value.replacingOccurrences(of: "\r\n", with: "\n")) })
    }

    @Test(.requires(.sharedFixtures, .tool("evtxexport")), arguments: fixtureFiles)
    func everyRecordEqualsEvtxexport(_ name: String) throws {
        let path = Fixtures.path("evtx/\(name)")
        let log = try EVTXLog(path: path)
        let expected = try Self.references(path)
        #expect(!expected.isEmpty)
        // System2.evtx: evtxexport stops at the cut third chunk; we give its whole records too (checked below).
        let compared = Array(log.events.prefix(expected.count))
        #expect(compared.count == expected.count)
        var mismatches = 0
        for (event, reference) in zip(compared, expected) where Self.ours(event) != reference {
            mismatches += 1
            if mismatches <= 3 { Issue.record("\(name): ours \(Self.ours(event)) ≠ evtxexport \(reference)") }
        }
        #expect(mismatches == 0)
    }

    @Test(.requires(.sharedFixtures))
    func systemLogFacts() throws {
        let log = try EVTXLog(path: Fixtures.path("evtx/System.evtx"))
        #expect(log.events.count == 5009)
        #expect(log.events.filter { $0.eventId == 7036 }.count == 3434)
        #expect(log.events.filter { $0.eventId == 7040 }.count == 1018)
        #expect(log.warnings.isEmpty)
        #expect(log.recordsSkipped == 0)
        // `<IdleState Name="IdleState">` in EventData: the Name attribute names the field; it is no field itself.
        #expect(log.events.allSatisfy { $0.data.allSatisfy { !$0.name.contains("/@") } })
        let first = try #require(log.events.first)
        #expect(first.provider == "Service Control Manager")
        #expect(first.field("param1") == "Windows Event Log")
        #expect(first.field("Binary") == "6500760065006E0074006C006F0067002F0031000000")
        // An array of strings repeats its <Data> element (record 2, EventLog 6011).
        #expect(log.events[1].data.map(\.value) == ["37L4247F27-26", "WIN-NBRJP24VCHB"])
    }

    @Test(.requires(.sharedFixtures))
    func cutSecurityLogGivesItsWholeRecordsAndAWarning() throws {
        let log = try EVTXLog(path: Fixtures.path("evtx/System2.evtx"))
        // We return records 1–283: the 194 of the two whole chunks and the 89 whole ones of the cut chunk.
        #expect(log.events.map(\.recordId) == Array(1...283))
        #expect(log.events.allSatisfy { $0.channel == "Security" })
        #expect(log.events.filter { $0.provider == "Microsoft-Windows-Security-Auditing" }.count > 250)
        #expect(log.warnings.codes == [.evtxDirty, .evtxChunkCutOff])
        #expect(
            log.warnings.last?.message
                == "chunk 2 at 0x21000: the file ends 64832 of 65536 bytes into the chunk; records 195–283 read whole, "
                + "the rest from record 284 cut off")
    }

    @Test(.requires(.sharedFixtures))
    func dirtyLogIsReadWithAWarning() throws {
        let log = try EVTXLog(path: Fixtures.path("evtx/LocalSessionManager.evtx"))
        #expect(log.header.isDirty)
        #expect(log.events.count == 17)
        #expect(log.warnings.has(.evtxDirty))
        #expect(log.events.first?.data.map(\.name) == ["User", "SessionID"])
    }

    @Test(.requires(.sharedFixtures))
    func clearedLogTakesIdAndTimeFromTheXML() throws {
        let log = try EVTXLog(path: Fixtures.path("evtx/System-log-cleared.evtx"))
        let event = try #require(log.events.first)
        #expect(log.events.count == 1)
        #expect(event.eventId == 104)
        #expect(event.recordId == 27736)
        #expect(event.time.description == "2019-03-19T23:34:25.8943413Z")
        #expect(event.field("SubjectUserName") == "user01")
        #expect(event.field("BackupPath") == "")
    }

    @Test(
        .requires(.sharedFixtures, pythonEvtx),
        arguments: ["LocalSessionManager.evtx", "System2.evtx", "System-log-cleared.evtx"])
    func recordsAgreeWithPythonEvtx(_ name: String) throws {
        let path = Fixtures.path("evtx/\(name)")
        let script = """
            import sys, re, Evtx.Evtx as e
            with e.Evtx(sys.argv[1]) as log:
                for r in log.records():
                    x = r.xml()
                    eid = re.search(r'<EventID[^>]*>(\\d+)<', x).group(1)
                    rid = re.search(r'<EventRecordID>(\\d+)<', x).group(1)
                    prov = re.search(r'<Provider Name="([^"]*)"', x).group(1)
                    print(rid, eid, prov)
            """
        let result = try runProcess("python3", ["-c", script, path])
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(!lines.isEmpty)
        let log = try EVTXLog(path: path)
        let ours = log.events.prefix(lines.count).map { "\($0.recordId) \($0.eventId ?? 0) \($0.provider)" }
        #expect(ours == lines)
    }

    // MARK: - Hand-built files

    static func file(_ chunks: [[UInt8]], flags: Int = 0, declared: Int? = nil) -> [UInt8] {
        EVTXBuilder.fileHeader(chunks: declared ?? chunks.count, flags: flags) + chunks.joined()
    }

    static func twoRecordChunk() -> [UInt8] {
        let first = EVTXBuilder.templatedRecord(recordStart: 512, eventId: 4096)
        let second = EVTXBuilder.templatedRecord(recordStart: 512 + 28 + first.count, eventId: 19060)
        return EVTXBuilder.chunk([first, second])
    }

    @Test func builtChunkReads() throws {
        let log = try EVTXLog(bytes: Self.file([Self.twoRecordChunk()]))
        #expect(log.events.map(\.eventId) == [4096, 19060])
        #expect(log.warnings.isEmpty)
    }

    @Test(arguments: [0, 1, 100, 127])
    func tooShortOrNotEVTXThrows(_ length: Int) {
        let bytes = Array(Self.file([Self.twoRecordChunk()]).prefix(length))
        #expect(throws: BinaryFormatError.self) { try EVTXLog(bytes: bytes) }
    }

    @Test func badSignatureThrows() {
        var bytes = Self.file([Self.twoRecordChunk()])
        bytes[0] = UInt8(ascii: "X")
        #expect(throws: BinaryFormatError.self) { try EVTXLog(bytes: bytes) }
    }

    @Test func badFileHeaderChecksumIsAWarning() throws {
        var bytes = Self.file([Self.twoRecordChunk()])
        bytes[124] ^= 0xFF
        let log = try EVTXLog(bytes: bytes)
        #expect(log.events.count == 2)
        #expect(log.warnings.has(.evtxHeaderChecksum, at: .offset(0)))
    }

    @Test(arguments: ["wrong", "zero"])
    func badChunkHeaderChecksumIsReadRecordByRecord(_ kind: String) throws {
        var chunk = Self.twoRecordChunk()
        if kind == "wrong" { chunk[8] ^= 0x01 } else { chunk.replaceSubrange(124..<128, with: [0, 0, 0, 0]) }
        let log = try EVTXLog(bytes: Self.file([chunk, Self.twoRecordChunk()]))
        #expect(log.events.count == 4)
        #expect(log.recordsSkipped == 0)
        #expect(log.warnings.codes == [.evtxChunkHeaderChecksum])
        #expect(log.warnings.first?.location == .offset(0x1000))
    }

    @Test func badChunkHeaderChecksumStillChecksEachRecord() throws {
        var chunk = Self.twoRecordChunk()
        chunk[8] ^= 0x01
        // The first record's signature: that record is lost, named with its offset and reason; the second is read.
        chunk[512] = 0
        let log = try EVTXLog(bytes: Self.file([chunk]))
        #expect(log.events.count == 1)
        #expect(log.recordsSkipped == 1)
        #expect(log.warnings.has(.evtxRecordHeaderDamaged, at: .offset(0x1200)))
    }

    @Test func badRecordsChecksumIsAWarningAndRecordsAreCheckedOneByOne() throws {
        var chunk = Self.twoRecordChunk()
        // A byte of the first template's GUID: covered by the records' checksum, used by nothing else.
        #expect(chunk[560] == 0xAB)
        chunk[560] ^= 0x01
        let log = try EVTXLog(bytes: Self.file([chunk]))
        #expect(log.events.count == 2)
        #expect(log.warnings.codes == [.evtxChunkChecksum])
    }

    @Test func chunkPastTheDeclaredCountIsReadWithAWarning() throws {
        let log = try EVTXLog(bytes: Self.file([Self.twoRecordChunk(), Self.twoRecordChunk()], flags: 1, declared: 1))
        #expect(log.events.count == 4)
        #expect(log.warnings.has(.evtxChunkPastDeclared, at: .offset(0x11000)))
        #expect(log.warnings.has(.evtxDirty))
    }

    @Test func fileEndingMidChunkGivesTheWholeRecords() throws {
        let chunk = Self.twoRecordChunk()
        let firstSize = Int(try EVTXValue.le(chunk, 512 + 4, 4))
        let bytes = Array(Self.file([chunk]).prefix(4096 + 512 + firstSize + 10))
        let log = try EVTXLog(bytes: bytes)
        #expect(log.events.map(\.eventId) == [4096])
        #expect(log.warnings.has(.evtxChunkCutOff, at: .offset(0x1000)))
    }

    /// A record whose template definition instantiates itself.
    @Test func templateLoopIsAWarning() throws {
        let base = 512 + 24
        var p: [UInt8] = [0x0F, 1, 1, 0]
        let defOffset = base + p.count + 10
        p += [0x0C, 1] + EVTXBuilder.le32(1) + EVTXBuilder.le32(defOffset)
        // The definition's fragment is a template instance pointing back at the definition itself.
        let body: [UInt8] =
            [0x0F, 1, 1, 0, 0x0C, 1] + EVTXBuilder.le32(1) + EVTXBuilder.le32(defOffset) + EVTXBuilder.le32(0) + [0x00]
        p +=
            EVTXBuilder.le32(0) + [UInt8](repeating: 0, count: 16) + EVTXBuilder.le32(body.count) + body
            + EVTXBuilder.le32(0) + [0x00]
        let log = try EVTXLog(bytes: Self.file([EVTXBuilder.chunk([p])]))
        #expect(log.events.isEmpty)
        #expect(log.warnings.codes == [.evtxRecordUnreadable])
        #expect(log.warnings.first?.message.contains("instantiates itself") == true)
    }

    @Test func hugeSubstitutionCountIsAWarning() throws {
        var p = EVTXBuilder.templatedRecord(recordStart: 512, eventId: 1)
        // The value count sits just before the one descriptor: 4 + 2 value bytes + the EOF token from the end.
        let countAt = p.count - 1 - 2 - 4 - 4
        p.replaceSubrange(countAt..<countAt + 4, with: [0xFF, 0xFF, 0xFF, 0xFF])
        let log = try EVTXLog(bytes: Self.file([EVTXBuilder.chunk([p])]))
        #expect(log.events.isEmpty)
        #expect(log.warnings.codes == [.evtxRecordUnreadable])
        #expect(log.warnings.first?.message.contains("declares 4294967295 values") == true)
    }

    @Test func deepNestingIsAWarning() throws {
        var p: [UInt8] = [0x0F, 1, 1, 0]
        for _ in 0..<200 {
            let at = 512 + 24 + p.count + 11
            p +=
                [0x01] + EVTXBuilder.le16(0xFFFF) + EVTXBuilder.le32(0) + EVTXBuilder.le32(at) + EVTXBuilder.name("a")
                + [0x02]
        }
        p += [UInt8](repeating: 0x04, count: 200) + [0x00]
        let log = try EVTXLog(bytes: Self.file([EVTXBuilder.chunk([p])]))
        #expect(log.events.isEmpty)
        #expect(log.warnings.codes == [.evtxRecordUnreadable])
        #expect(log.warnings.first?.message.contains("nested more than 64 levels") == true)
    }

    /// Records that each stay under the per-record caps still cannot make one chunk expand without end.
    @Test func chunkBudgetStopsTheChunkWithAWarning() throws {
        var limits = EVTXLimits()
        limits.maxElementsPerChunk = 3  // one record of the built chunk: Event, System, EventID
        let log = try EVTXLog(bytes: Self.file([Self.twoRecordChunk(), Self.twoRecordChunk()]), limits: limits)
        #expect(log.events.map(\.eventId) == [4096, 4096])
        #expect(log.warnings.count(.evtxChunkExpansionLimit) == 2)
    }

    @Test func timestampsRoundTrip() throws {
        let time = try #require(EVTXTimestamp(iso8601: "2019-03-19T23:34:25.8943413Z"))
        #expect(time.description == "2019-03-19T23:34:25.8943413Z")
        #expect(EVTXTimestamp(fileTime: 0).description == "1601-01-01T00:00:00.0000000Z")
        #expect(EVTXTimestamp(iso8601: "2024-02-29")?.description == "2024-02-29T00:00:00.0000000Z")
        #expect(EVTXTimestamp(iso8601: "2024-13-01") == nil)
        #expect(EVTXTimestamp(iso8601: "2024-05-01T12:00:00Zjunk") == nil)
    }
}
