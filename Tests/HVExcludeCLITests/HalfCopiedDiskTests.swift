import Foundation
import Testing

@testable import HVXBinary
@testable import HVXFormats
@testable import HVXSession

/// A virtual disk found on a scanned host whose block allocation table points past the end of its file (a
/// half-copied `.avhd`, a copy that stopped early): the inventory reads its header, so the disk stays in its chain
/// and in the plan, and its missing blocks are an error finding that names them (exit 1), as they are when the
/// same disk is given as ROOT. Before, only the header was read and the damage went unnamed.
@Suite struct HalfCopiedDiskTests {
    static let checkpoint =
        #"C:\Users\Public\Documents\Hyper-V\Virtual Hard Disks\Sql01_7E5D3C1A-2B4F-4A86-9C0D-E1F2A3B4C5D6.avhd"#

    /// The sample host ws2012r2-default copied into `folder`; returns its C: root.
    static func sampleHost(in folder: TemporaryFolder) throws -> String {
        let result = try CLI.runTool("cp", ["-a", CLI.testTree("ws2012r2-default") + "/.", folder.path])
        try #require(result.status == 0, "\(result.stderr)")
        return folder.path + "/C"
    }

    static func scan(_ root: String) throws -> (outcome: ScanOutcome, json: JSONValue) {
        var request = ScanRequest(.scan, root: root)
        request.format = .json
        let outcome = try ScanSession.run(request)
        return (outcome, try JSONValue.parse(String(decoding: outcome.bytes, as: UTF8.self)))
    }

    static func warnings(_ json: JSONValue, path: String) -> [(message: String, severity: String)] {
        json["scan"]!["warnings"]!.arrayValue.compactMap {
            guard $0["path"]?.stringValue == path, let message = $0["message"]?.stringValue else { return nil }
            return (message, $0["severity"]?.stringValue ?? "")
        }
    }

    @Test func aCheckpointDiskWhoseBATPointsPastItsEndIsAnErrorNamingTheBlock() throws {
        let folder = try TemporaryFolder()
        let root = try Self.sampleHost(in: folder)
        let hostPath =
            root + "/Users/Public/Documents/Hyper-V/Virtual Hard Disks/"
            + "Sql01_7E5D3C1A-2B4F-4A86-9C0D-E1F2A3B4C5D6.avhd"
        let before = try Self.scan(root)
        #expect(!Self.warnings(before.json, path: Self.checkpoint).contains { $0.message.contains("past the end") })
        let verdictBefore = before.outcome.verdict

        // Point the differencing disk's first BAT entry 64 sectors past the end of the file.
        let header = try VHDFile(reading: FileReader(path: hostPath))
        let table = try #require(header.dynamicHeader?.tableOffset)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: hostPath)[.size] as? NSNumber)
        let sector = UInt32(size.uint64Value / 512 + 64)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: hostPath))
        try handle.seek(toOffset: table)
        try handle.write(contentsOf: Data((0..<4).map { UInt8(truncatingIfNeeded: sector >> (24 - 8 * $0)) }))
        try handle.close()

        let after = try Self.scan(root)
        let named = Self.warnings(after.json, path: Self.checkpoint).filter { $0.message.contains("past the end") }
        #expect(named.count == 1)
        let finding = try #require(named.first)
        #expect(finding.severity == "error")
        #expect(
            finding.message.hasPrefix("1 BAT entry points past the end of the file (file size \(size.uint64Value)"),
            "\(finding.message)")
        #expect(finding.message.contains("VHD data block 0 at \(hex(UInt64(sector) * 512))"), "\(finding.message)")
        #expect(!finding.message.contains(hostPath))
        #expect(verdictBefore == .success)
        #expect(after.outcome.verdict == .finishedWithErrors)
        // Still read from its header: the chain goes on to its parent, and the plan is the one before.
        let planned = { (json: JSONValue) in
            json["exclusions"]!["paths"]!.arrayValue.map {
                "\($0["path"]?.stringValue ?? "") \($0["form"]?.stringValue ?? "")"
            }
        }
        #expect(planned(after.json) == planned(before.json))
        #expect(planned(after.json).contains(#"C:\Users\Public\Documents\Hyper-V\Virtual Hard Disks folder"#))
        let chains = after.json["virtualMachines"]!.arrayValue.flatMap { $0["disks"]?.arrayValue ?? [] }
        let chain = try #require(
            chains.first { $0["chain"]?.arrayValue.first?["path"]?.stringValue == Self.checkpoint })
        #expect(chain["chain"]!.arrayValue.count == 2)
    }
}
