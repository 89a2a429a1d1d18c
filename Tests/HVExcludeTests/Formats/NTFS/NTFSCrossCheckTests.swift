import Foundation
import Testing

@testable import HVXBinary
@testable import HVXFormats
@testable import HVXVolume

/// The native NTFS reader against the independent readers, on an image with the structures that matter
/// (`scripts/make-ntfs-features`: sparse, fragmented, LZNT1-compressed, a non-resident `$ATTRIBUTE_LIST` from 41
/// hard links, named streams, a non-resident index, Unicode names, a symlink and a junction) and on the real
/// Windows VHDX: the same paths, kinds and sizes as Sleuth Kit's `fls -r -p -l` and as the ntfs-3g mount, and the
/// same bytes as `icat` and as reading through the mount, for every file.
@Suite(.serialized) struct NTFSCrossCheckTests {
    static let script = Fixtures.projectRoot.appendingPathComponent("scripts").path

    /// One listed entry: path below the root, folder or not, data size (0 for folders).
    struct Listed: Hashable, CustomStringConvertible {
        var path: String
        var isFolder: Bool
        var size: UInt64
        var description: String { "\(path) \(isFolder ? "d" : "f") \(size)" }
    }

    /// Everything the native reader lists below the root, with the record of each file.
    static func nativeListing(_ fs: NTFSFileSystem) -> (entries: Set<Listed>, records: [String: UInt64]) {
        var entries = Set<Listed>()
        var records: [String: UInt64] = [:]
        var stack: [(UInt64, String)] = [(NTFSVolume.rootRecord, "")]
        while let (folder, prefix) = stack.popLast() {
            for child in fs.children(of: folder) {
                let path = prefix.isEmpty ? child.name : prefix + "/" + child.name
                let node = fs.tree.node(child.record)
                entries.insert(Listed(path: path, isFolder: node.isDirectory, size: node.isDirectory ? 0 : node.size))
                records[path] = child.record
                if fs.tree.kind(of: child.record) == .directory { stack.append((child.record, path)) }
            }
        }
        return (entries, records)
    }

    /// `fls -r -p -l` without metafiles and named streams (which ntfs-3g does not list either).
    static func sleuthKitListing(_ image: String, offset: Int = 0) throws -> Set<Listed> {
        let result = try runProcess("fls", ["-r", "-p", "-l", "-o", String(offset), image])
        try #require(result.status == 0, "fls failed: \(result.stderr)")
        var entries = Set<Listed>()
        for line in result.stdout.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 7 else { continue }
            let type = fields[0].split(separator: " ").first.map(String.init) ?? ""
            let name = fields[1]
            // "r/r 42-128-1:": the record number leads the address; metafiles (below 16) and $Extend are hidden.
            let address = fields[0].split(separator: " ").last.map(String.init) ?? ""
            let record = Int(address.split(separator: "-").first ?? "") ?? 0
            if record < 16 || name.hasPrefix("$Extend/") || name.contains(":") || fields[0].contains("*")
                || type == "V/V"
            {
                continue
            }
            entries.insert(
                Listed(path: name, isFolder: type == "d/d", size: type == "d/d" ? 0 : UInt64(fields[6]) ?? 0))
        }
        return entries
    }

    static func featureImage(in folder: TemporaryDirectory) throws -> String {
        let image = folder.path + "/features.img"
        let made = try runProcess(script + "/make-ntfs-features", [image])
        try #require(made.status == 0, "make-ntfs-features failed: \(made.stderr)")
        return image
    }

    @Test(.requires(.tool("fls"), .tool("icat"), .ntfsMount))
    func sameListingSizesAndBytesAsSleuthKitAndTheMount() throws {
        let folder = try TemporaryDirectory("hvx-ntfs-features")
        let image = try Self.featureImage(in: folder)
        let file = try FileReader(path: image)
        let volume = try NTFSVolume(source: FileBytes(reader: file), name: "features")
        let fs = NTFSFileSystem(volume: volume, root: "/features")
        #expect(fs.warnings.isEmpty, "\(fs.warnings)")
        let (native, records) = Self.nativeListing(fs)
        let sleuthKit = try Self.sleuthKitListing(image)
        #expect(native.count > 1500)
        #expect(
            native.subtracting(sleuthKit).isEmpty,
            "only native: \(native.subtracting(sleuthKit).sorted { $0.path < $1.path }.prefix(10))")
        #expect(
            sleuthKit.subtracting(native).isEmpty,
            "only fls: \(sleuthKit.subtracting(native).sorted { $0.path < $1.path }.prefix(10))")

        // The structures the image was built to hold really are there.
        let links = try volume.record(try #require(records["Links/original.vmcx"]))
        #expect(
            links.attributes.contains { $0.type == NTFSAttribute.Kind.attributeList.rawValue && $0.nonResident != nil })
        #expect(fs.tree.node(try #require(records["Compressed/notes.xml"])).isCompressed)
        #expect(Set(fs.tree.streams[try #require(records["Streams/ads.txt"])] ?? []) == ["Zone.Identifier", "second"])
        #expect(
            fs.kind(of: "/features/Reparse/disk-link.vhdx") == .symlink
                && fs.kind(of: "/features/Reparse/junction") == .symlink)
        let target = LinkReader.target(
            ofLinkAt: "/features/Reparse/disk-link.vhdx", linkPath: WindowsPath("C:\\Reparse\\disk-link.vhdx"),
            map: VolumeMap([.init(prefix: WindowsPath("C:")!, hostRoot: "/features", fileSystem: fs)]))
        #expect(target.windowsPath == WindowsPath("D:\\VMs\\x.vhdx") && target.source == .reparseData)

        // Every file's bytes equal icat's, read through the same record.
        for entry in native
        where !entry.isFolder && !entry.path.hasPrefix("Many/") && fs.kind(of: "/features/" + entry.path) == .file {
            let record = try #require(records[entry.path])
            let expected = try runProcessData("icat", [image, String(record)])
            let reader = try fs.openFile("/features/" + entry.path, readBudget: 1 << 30)
            let actual = try reader.read(at: 0, count: Int(reader.size))
            #expect(
                actual.count == expected.count && actual == [UInt8](expected),
                "\(entry.path): \(actual.count) bytes natively, \(expected.count) from icat")
        }

        // The ntfs-3g mount lists the same and reads the same bytes.
        let mount = folder.path + "/m"
        try #require(try runProcess(Self.script + "/ntfs-volume", ["mount", image, mount]).status == 0)
        defer { _ = try? runProcess("umount", [mount]) }
        var mounted = Set<Listed>()
        let enumerator = try #require(FileManager.default.enumerator(atPath: mount))
        while let path = enumerator.nextObject() as? String {
            let attributes = try FileManager.default.attributesOfItem(atPath: mount + "/" + path)
            let type = attributes[.type] as? FileAttributeType
            let isFolder =
                type == .typeDirectory
                || (type == .typeSymbolicLink && fs.tree.node(records[path] ?? 0).isDirectory)
            let size =
                isFolder
                ? 0
                : (type == .typeSymbolicLink
                    ? fs.tree.node(records[path] ?? 0).size : (attributes[.size] as? UInt64 ?? 0))
            mounted.insert(Listed(path: path, isFolder: isFolder, size: size))
            if type == .typeSymbolicLink { #expect(fs.kind(of: "/features/" + path) == .symlink, "\(path)") }
            if type == .typeRegular && !path.hasPrefix("Many/") {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: mount + "/" + path))
                let reader = try fs.openFile("/features/" + path, readBudget: 1 << 30)
                #expect(
                    try reader.read(at: 0, count: Int(reader.size)) == [UInt8](bytes), "\(path) differs from the mount")
            }
        }
        #expect(
            mounted == native,
            "only mounted: \(mounted.subtracting(native).prefix(5)); only native: \(native.subtracting(mounted).prefix(5))"
        )
    }

    @Test(.requires(Requirement.gzipFixture + [.tool("sh"), .tool("fls"), .tool("icat"), .tool("qemu-img")]))
    func realWindowsVolumeMatchesSleuthKit() throws {
        let folder = try TemporaryDirectory("hvx-ntfs-real")
        let raw = folder.path + "/disk.raw"
        try #require(try runProcess("qemu-img", ["convert", "-O", "raw", NTFSRealVolumeTests.image, raw]).status == 0)
        let fs = try NTFSRealVolumeTests.fileSystem()
        let (native, records) = Self.nativeListing(fs)
        let sleuthKit = try Self.sleuthKitListing(raw, offset: 128)
        #expect(
            native == sleuthKit,
            "only native: \(native.subtracting(sleuthKit)); only fls: \(sleuthKit.subtracting(native))")
        for entry in native where !entry.isFolder {
            let expected = try runProcessData("icat", ["-o", "128", raw, String(try #require(records[entry.path]))])
            let reader = try fs.openFile("/img#p1/" + entry.path, readBudget: 1 << 20)
            #expect(try reader.read(at: 0, count: Int(reader.size)) == [UInt8](expected), "\(entry.path)")
        }
    }
}

/// Runs a program and returns its raw stdout.
func runProcessData(_ program: String, _ arguments: [String]) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [program] + arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return data
}
