import Foundation
import Testing

@testable import HVXBinary
@testable import HVXDiagnosis
@testable import HVXFormats
@testable import HVXVolume

/// scripts/make-evtx writes logs that evtxexport, python-evtx and our reader all read the same way.
@Suite struct EVTXWriterCrossCheckTests {

    struct ManifestLog: Decodable {
        var file: String, channel: String, provider: String, providerGuid: String, records: Int, chunks: Int,
            eventIds: [UInt32]
    }

    @Test(.requires(.tool("python3"), .tool("evtxexport"), EVTXLogTests.pythonEvtx))
    func demoLogsReadAlikeEverywhere() throws {
        let folder = try TemporaryDirectory("evtx")
        // Without --no-check, make-evtx itself reads every log back with evtxexport and python-evtx.
        let made = try runProcess(
            Fixtures.projectRoot.appendingPathComponent("scripts/make-evtx").path, ["demo", folder.path])
        #expect(made.status == 0, "\(made.stderr)")
        let data = try Data(contentsOf: folder.url.appendingPathComponent("manifest.json"))
        let logs = try JSONDecoder().decode([String: [ManifestLog]].self, from: data)["logs"] ?? []
        #expect(logs.count == 5)
        for entry in logs {
            let path = folder.url.appendingPathComponent(entry.file).path
            let log = try EVTXLog(path: path)
            #expect(log.warnings.isEmpty, "\(entry.file): \(log.warnings)")
            #expect(entry.chunks >= 2, "\(entry.file) should span several chunks")
            #expect(log.chunksRead == entry.chunks)
            #expect(log.events.map { $0.eventId ?? 0 } == entry.eventIds)
            #expect(log.events.allSatisfy { $0.provider == entry.provider && $0.channel == entry.channel })
            #expect(log.events.allSatisfy { $0.providerGUID == GUID(entry.providerGuid) })
            #expect(log.events.map(\.recordId) == Array(1...UInt64(entry.records)))
            let references = try EVTXLogTests.references(path)
            #expect(log.events.map(EVTXLogTests.ours) == references)
        }
        // The signature events carry their codes and paths in UserData / EventData.
        let config = try EVTXLog(
            path: folder.url.appendingPathComponent("Microsoft-Windows-Hyper-V-Config-Admin.evtx").path)
        let hit = try #require(config.events.first { $0.eventId == 4096 })
        #expect(hit.field("ErrorCode") == "0x800704C8")
        #expect(hit.time.description == "2024-05-01T10:00:00.0000000Z")
        let defender = try EVTXLog(
            path: folder.url.appendingPathComponent("Microsoft-Windows-Windows Defender%4Operational.evtx").path)
        #expect(
            defender.events.first { $0.eventId == 1116 }?.field("Path")
                == "file:_D:\\VMs\\App01\\Virtual Hard Disks\\App01.vhdx")

        // The demo logs hold every signature of docs/diagnosis.md, and the engine finds each on the demo VMs.
        var events: [EVTXEvent] = []
        for entry in logs { events += try EVTXLog(path: folder.url.appendingPathComponent(entry.file).path).events }
        let vms = [
            DiagnosisVM(
                id: GUID("9A4D4BE0-3C39-4F0E-8D35-7B8B4A5C1D01")!, name: "App01",
                files: [WindowsPath("D:\\VMs\\App01")!]),
            DiagnosisVM(
                id: GUID("2B7E151C-28AE-4B8C-9F2E-6A1D3C4B5E02")!, name: "Db01", files: [WindowsPath("D:\\Db01.vhdx")!]),
        ]
        let diagnosis = DiagnosisEngine.diagnose(
            events: events, vms: vms, plannedEntry: { _ in nil }, configuredCovers: nil)
        #expect(Set(diagnosis.findings.flatMap(\.signatures)) == Set(LockSignature.allCases))
        #expect(diagnosis.exclusionChanges.count == 1)
        #expect(diagnosis.findings.allSatisfy { $0.vm != nil })
    }
}
