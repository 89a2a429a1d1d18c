import Testing

@testable import HVXBinary
@testable import HVXVolume

@Suite struct ReparsePointTests {
    /// The symlink to `D:\VMs\x.xml` exactly as FORMATS.md shows it was read from an ntfs-3g mount.
    static let symlinkToD: [UInt8] = {
        var bytes: [UInt8] = [
            0x0C, 0x00, 0x00, 0xA0, 0x44, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x20, 0x00, 0x18, 0x00, 0, 0, 0, 0,
        ]
        bytes += UTF16Text.encode("\\??\\D:\\VMs\\x.xml", .little)
        bytes += UTF16Text.encode("D:\\VMs\\x.xml", .little)
        return bytes
    }()

    @Test func parsesTheDocumentedSymlink() throws {
        let point = try ReparsePoint(parsing: Self.symlinkToD)
        #expect(point.kind == .symlink)
        #expect(point.substituteName == "\\??\\D:\\VMs\\x.xml")
        #expect(point.printName == "D:\\VMs\\x.xml")
        #expect(!point.isRelative)
        #expect(point.absoluteTarget?.description == "D:\\VMs\\x.xml")
    }

    @Test func parsesAJunction() throws {
        let substitute = UTF16Text.encode("\\??\\C:\\Users", .little)
        let print = UTF16Text.encode("C:\\Users", .little)
        var bytes: [UInt8] = [0x03, 0x00, 0x00, 0xA0]
        let dataLength = 8 + substitute.count + 2 + print.count + 2
        bytes += [UInt8(dataLength & 0xFF), UInt8(dataLength >> 8), 0, 0]
        bytes += [0, 0, UInt8(substitute.count), 0, UInt8(substitute.count + 2), 0, UInt8(print.count), 0]
        bytes += substitute + [0, 0] + print + [0, 0]
        let point = try ReparsePoint(parsing: bytes)
        #expect(point.kind == .junction)
        #expect(point.absoluteTarget?.description == "C:\\Users")
    }

    @Test(arguments: [
        ("empty", [UInt8]()),
        ("other tag", [0x17, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00]),
        ("length past the end", [0x0C, 0x00, 0x00, 0xA0, 0xFF, 0x00, 0x00, 0x00]),
        ("name past the buffer", Array(symlinkToD.prefix(30))),
    ])
    func rejectsBrokenData(name: String, bytes: [UInt8]) {
        #expect(throws: BinaryFormatError.self, "\(name)") { try ReparsePoint(parsing: bytes) }
    }

    @Test func linkTextForms() throws {
        let map = VolumeMap([
            .init(prefix: try #require(WindowsPath("C:")), hostRoot: "/mnt/c"),
            .init(prefix: try #require(WindowsPath("D:")), hostRoot: "/mnt/d"),
        ])
        let link = try #require(WindowsPath("C:\\ProgramData\\Microsoft\\Windows\\Hyper-V\\Virtual Machines\\A.xml"))
        #expect(
            LinkTarget(text: "/mnt/c/.NTFS-3G/D:/VMs/x.xml", linkPath: link, map: map).windowsPath?.description
                == "D:\\VMs\\x.xml")
        #expect(
            LinkTarget(text: "/mnt/d/VMs/x.xml", linkPath: link, map: map).windowsPath?.description == "D:\\VMs\\x.xml")
        #expect(
            LinkTarget(text: "../../x.xml", linkPath: link, map: map).windowsPath?.description
                == "C:\\ProgramData\\Microsoft\\Windows\\x.xml")
        let outside = LinkTarget(text: "/etc/passwd", linkPath: link, map: map)
        #expect(outside.windowsPath == nil)
        #expect(outside.problem?.contains("outside the mapped roots") == true)
    }
}
