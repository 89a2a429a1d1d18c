import Foundation
import Testing

@testable import HVXBinary
@testable import HVXFormats
@testable import HVXInventory

@Suite("VHD reader")
struct VHDFileTests {
    func gunzip(_ name: String, into directory: TemporaryDirectory) throws -> String {
        try gunzipFixture("vhd/" + name, into: directory)
    }

    @Test(.requires(Requirement.gzipFixture))
    func windowsFixtures() throws {
        let directory = try TemporaryDirectory()
        let dynamic = try VirtualDiskReader.read(path: gunzip("dynamic.vhd.gz", into: directory))
        #expect(dynamic.format == .vhd && dynamic.type == .dynamic)
        #expect(dynamic.creator.hasPrefix("win "))
        #expect(dynamic.virtualSize == 10_485_760)
        // vhdiinfo prints the stored bytes 4b6a0d04-f946-d74e-…; read as a Windows GUID they are a version-4 GUID.
        #expect(dynamic.identity == GUID("040D6A4B-46F9-4ED7-836F-D3DC87E1816B"))
        #expect(dynamic.warnings.isEmpty)
        let fixed = try VirtualDiskReader.read(path: gunzip("fixed.vhd.gz", into: directory))
        #expect(fixed.type == .fixed && fixed.blockSize == nil && fixed.parent == nil)
        #expect(fixed.creator.hasPrefix("win "))
        #expect(fixed.identity == GUID("18E495B8-9438-44E7-9A88-9A420BE4E5CA"))  // stored b895e418-3894-e744-…
        #expect(fixed.warnings.isEmpty)
    }

    @Test(.requires(.sharedFixtures))
    func handEditedQemuPair() throws {
        let parentFile = try VHDFile(reading: FileReader(path: Fixtures.path("vhd/image.vhd")))
        #expect(parentFile.footer.checksum == 0xFFFF_F683 && !parentFile.footer.checksumMatches)
        let child = try VirtualDiskReader.read(path: Fixtures.path("vhd/image-differential.vhd"))
        #expect(child.type == .differencing)
        #expect(child.creator.hasPrefix("qemu"))
        #expect(child.warnings.map(\.code) == [.vhdFooterChecksum, .vhdDynamicHeaderChecksum])
        #expect(child.warnings.map(\.location) == [.offset(0x200A00), .offset(0x200)])
        #expect(
            child.warnings.last?.message.hasPrefix("VHD dynamic header at 0x200: checksum mismatch (stored 0xFFFFF476")
                == true)
        let parent = try #require(child.parent)
        #expect(parent.candidates == [.init(kind: .unicodeName, path: "image.vhd", source: "parent unicode name")])
        // Stored bytes d49c5c80-350a-4a89-… (qemu's random id), in the Windows GUID reading used for every VHD id.
        #expect(parent.expectedIdentities == [GUID("805C9CD4-0A35-894A-898A-5AD6D10F6578")!])

        let resolver = DiskChainResolver(map: .drives(["C": Fixtures.path("vhd")]))
        let chain = resolver.chain(hostPath: Fixtures.path("vhd/image-differential.vhd"))
        #expect(chain.map(\.status) == [.start, .verified])
        #expect(chain.last?.hostPath == Fixtures.path("vhd/image.vhd"))
        #expect(chain.last?.disk?.warnings.map(\.code).contains(.vhdFooterChecksum) == true)
    }

    @Test(
        .requires(Requirement.makeDisks),
        arguments: [
            ("vhd-truncated.avhd", "truncated"),
            ("vhd-bad-cookie.vhd", "neither a VHDX file identifier"),
            ("vhd-dynamic-header-bad-cookie.avhd", "cookie is not \"cxsparse\""),
            ("vhd-dynamic-header-past-eof.avhd", "VHD dynamic header at 0x10000000000: truncated"),
        ])
    func corruptErrors(name: String, message: String) throws {
        let tree = try GeneratedDisks.require()
        #expect { try VirtualDiskReader.read(path: tree.path("corrupt/" + name)) } throws: {
            "\($0)".contains(message)
        }
    }

    @Test(
        .requires(Requirement.makeDisks),
        arguments: [
            ("vhd-bad-footer-checksum.avhd", DiagnosticCode.vhdFooterChecksum),
            ("vhd-locator-past-eof.avhd", .vhdLocatorPastEnd),
            ("vhd-fixed-one-byte-short.vhd", .vhdFooterShort),
        ])
    func corruptWarnings(name: String, code: DiagnosticCode) throws {
        let tree = try GeneratedDisks.require()
        let disk = try VirtualDiskReader.read(path: tree.path("corrupt/" + name))
        #expect(disk.warnings.map(\.code).contains(code), "\(disk.warnings)")
    }

    @Test(.requires(Requirement.makeDisks)) func structureMatrix() throws {
        let tree = try GeneratedDisks.require()
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: tree.path("C/VHD/child.avhd"))))
        let footer = Array(bytes[0..<512])
        var good = ByteReader(footer, structure: "VHD footer")
        #expect(try VHDFooter(parsing: &good).checksumMatches)
        var badSum = footer
        badSum[100] ^= 1
        var reader = ByteReader(badSum, structure: "VHD footer")
        #expect(try VHDFooter(parsing: &reader).checksumMatches == false)
        for (data, text) in [
            ([UInt8](), "truncated"), (Array(footer.prefix(510)), "truncated"),
            ([0x43] + Array(footer.dropFirst()), "cookie"),
        ] {
            var reader = ByteReader(data, structure: "VHD footer")
            #expect { try VHDFooter(parsing: &reader) } throws: {
                ($0 as? BinaryFormatError)?.message.contains(text) == true
            }
        }
        let header = Array(bytes[512..<1536])
        for (data, text) in [
            ([UInt8](), "truncated"), (Array(header.dropLast()), "truncated"),
            ([0x43] + Array(header.dropFirst()), "cookie"),
        ] {
            var reader = ByteReader(data, baseOffset: 512, structure: "VHD dynamic header")
            #expect { try VHDDynamicHeader(parsing: &reader) } throws: {
                ($0 as? BinaryFormatError)?.message.contains(text) == true
            }
        }
        // Windows-style locators: UTF-16 little-endian.
        let disk = try VirtualDiskReader.read(
            path: tree.path(
                "D/VHD/"
                    + (try FileManager.default
                        .contentsOfDirectory(atPath: tree.path("D/VHD")).first { $0.hasSuffix(".avhd") }!)))
        let parent = try #require(disk.parent)
        #expect(parent.candidates.map(\.source) == ["W2ru", "W2ku", "parent unicode name"])
        #expect(parent.candidates.map(\.path) == [#".\base.vhd"#, #"D:\VHD\base.vhd"#, "base.vhd"])
        #expect(disk.warnings.isEmpty)
    }
}
