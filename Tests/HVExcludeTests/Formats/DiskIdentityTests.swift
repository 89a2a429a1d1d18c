import Foundation
import Testing

@testable import HVXBinary
@testable import HVXFormats
@testable import HVXReport
@testable import HVXScan
@testable import HVXVolume

/// The identities real Windows-written disks carry, as the report shows them (../shared/fixtures/README.md).
@Suite("Disk identities")
struct DiskIdentityTests {
    func gunzip(_ relative: String, into directory: TemporaryDirectory) throws -> String {
        try gunzipFixture(relative, into: directory)
    }

    @Test(.requires(Requirement.gzipFixture))
    func vhdxDataWriteGuidAndVirtualDiskID() throws {
        let directory = try TemporaryDirectory()
        let disk = try VirtualDiskReader.read(path: gunzip("vhdx/real/ws2022-gpt-ntfs.vhdx.gz", into: directory))
        #expect(disk.identity == GUID("26B79DF6-70E5-4A6B-BAA4-7A53A7C3C31C"))
        #expect(disk.virtualDiskID == GUID("8BB57038-35FA-4306-97BA-41AE4CAF0141"))
        #expect(disk.parent == nil)
        // A whole disk Windows wrote: its BAT names no block past the end of the file.
        #expect(disk.damage == [])
    }

    @Test(.requires(Requirement.gzipFixture))
    func vhdUniqueIDsAreReadAsWindowsGUIDs() throws {
        let directory = try TemporaryDirectory()
        let disk = try VirtualDiskReader.read(path: gunzip("vhd/real/win10-fat-differential.vhd.gz", into: directory))
        #expect(disk.type == .differencing)
        // Stored bytes f84f1636cd9e9041…; Windows's reading makes them a version-4 GUID.
        #expect(disk.identity == GUID("36164FF8-9ECD-4190-A69E-DCC2380E416A"))
        #expect(disk.parent?.expectedIdentities == [GUID("551AA25F-94F3-4DAA-9958-1951A67D5540")!])
        #expect(disk.virtualDiskID == nil)
        // A whole disk Windows wrote: its BAT names no block past the end of the file.
        #expect(disk.damage == [])
    }

    @Test(.requires(Requirement.gzipFixture))
    func theReportCarriesBothIDsAndTheParentsExpectedID() throws {
        let directory = try TemporaryDirectory()
        let child = try gunzip("vhd/real/win10-fat-differential.vhd.gz", into: directory)
        let report = Report(
            try HostScanner(
                options: ScanOptions(mappings: [.init(prefix: WindowsPath("C:\\")!, hostRoot: directory.path)])
            ).run())
        let artifact = try #require(report.artifacts.first { $0.hostPath == child })
        let disk = try #require(artifact.disk)
        #expect(disk.id?.description == "36164FF8-9ECD-4190-A69E-DCC2380E416A")
        #expect(disk.parentId?.description == "551AA25F-94F3-4DAA-9958-1951A67D5540")
        #expect(disk.virtualDiskId == nil)
        let json = try JSONExporter.render(report)
        #expect(json.contains("\"id\" : \"36164FF8-9ECD-4190-A69E-DCC2380E416A\""))
        #expect(json.contains("\"parentId\" : \"551AA25F-94F3-4DAA-9958-1951A67D5540\""))
    }
}
