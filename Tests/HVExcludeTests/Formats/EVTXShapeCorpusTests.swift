import Foundation
import Testing

@testable import HVXBinary
@testable import HVXDiagnosis
@testable import HVXDiskImage
@testable import HVXExclusions
@testable import HVXFormats
@testable import HVXInventory
@testable import HVXReport
@testable import HVXScan
@testable import HVXVolume
@testable import HVXWalk

/// Every record shape scripts/make-evtx writes (`shapes`): direct elements with and without dependency ids, both
/// in one chunk, the forwarded shape, zero and wrong chunk header checksums over intact records, UserData elements
/// with attributes — each log read whole, with the generator's counts.
@Suite struct EVTXShapeCorpusTests {
    struct ManifestLog: Decodable {
        var file: String, records: Int, chunks: Int, eventIds: [UInt32], userDataAttributes: Int, checkedBy: String
    }

    static func shapes() throws -> (TemporaryDirectory, [ManifestLog]) {
        let folder = try TemporaryDirectory("evtx-shapes")
        // Without --no-check, make-evtx reads back with evtxexport / python-evtx the shapes they can read.
        let made = try runProcess(
            Fixtures.projectRoot.appendingPathComponent("scripts/make-evtx").path, ["shapes", folder.path])
        #expect(made.status == 0, "\(made.stderr)")
        let data = try Data(contentsOf: folder.url.appendingPathComponent("manifest.json"))
        return (folder, try JSONDecoder().decode([String: [ManifestLog]].self, from: data)["logs"] ?? [])
    }

    @Test(.requires(.tool("python3"), .tool("evtxexport"), EVTXLogTests.pythonEvtx))
    func everyShapeReadsEveryRecord() throws {
        let (folder, logs) = try Self.shapes()
        #expect(
            Set(logs.map(\.file)) == [
                "direct-dependency.evtx", "direct-no-dependency.evtx", "direct-mixed.evtx", "forwarded.evtx",
                "checksum-zero.evtx", "checksum-wrong.evtx", "userdata-attributes.evtx",
            ])
        for entry in logs {
            let log = try EVTXLog(path: folder.url.appendingPathComponent(entry.file).path)
            #expect(log.recordsRead == entry.records, "\(entry.file): \(log.warnings.prefix(3))")
            #expect(log.recordsSkipped == 0, "\(entry.file)")
            #expect(log.chunksRead == entry.chunks, "\(entry.file)")
            #expect(log.events.map { $0.eventId ?? 0 } == entry.eventIds, "\(entry.file)")
            #expect(log.events.map(\.recordId) == Array(1...UInt64(entry.records)), "\(entry.file)")
            let attributes = log.events.reduce(0) { $0 + $1.data.filter { $0.name.contains("/@") }.count }
            #expect(attributes == entry.userDataAttributes, "\(entry.file)")
            if entry.file.hasPrefix("checksum-") {
                // One warning per chunk, saying its header checksum failed; nothing else.
                #expect(log.warnings.count == entry.chunks, "\(log.warnings)")
                #expect(log.warnings.allSatisfy { $0.code == .evtxChunkHeaderChecksum })
            } else {
                #expect(log.warnings.isEmpty, "\(entry.file): \(log.warnings.prefix(3))")
            }
        }
    }

    @Test(.requires(.tool("python3"), .tool("evtxexport"), EVTXLogTests.pythonEvtx))
    func shapesKeepTheirFields() throws {
        let (folder, _) = try Self.shapes()
        func first(_ file: String) throws -> EVTXEvent {
            try #require(EVTXLog(path: folder.url.appendingPathComponent(file).path).events.first)
        }
        for file in ["direct-dependency.evtx", "direct-no-dependency.evtx", "forwarded.evtx"] {
            let event = try first(file)
            #expect(event.provider == "Microsoft-Windows-Windows Defender")
            #expect(event.eventId == 1116 && event.level == 3)
            #expect(event.field("Threat Name") == "Trojan:Win32/Wacatac.B!ml")
            #expect(event.field("Path") == "file:_D:\\VMs\\Vm000.vhdx")
            #expect(event.time.description == "2024-05-01T10:00:00.0000000Z")
        }
        let capi = try first("userdata-attributes.evtx")
        #expect(capi.field("EventAuxInfo/@ProcessName") == "Setup.exe")
        #expect(capi.field("CorrelationAuxInfo/@SeqNumber") == "1")
        #expect(capi.field("EventAuxInfo") == nil)
        #expect(capi.field("ErrorCode") == "0x80070020")
    }
}
