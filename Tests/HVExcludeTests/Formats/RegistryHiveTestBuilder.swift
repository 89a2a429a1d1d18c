import Foundation

@testable import HVXFormats

/// Builds small regf files cell by cell, for structures hivexsh cannot write (db, li, ri, corrupt cells).
/// Files it writes are cross-checked with regfexport where they are meant to be valid.
struct RegistryHiveTestBuilder {
    private(set) var cells: [UInt8] = []
    var minorVersion: UInt32 = 5
    var primarySequence: UInt32 = 1
    var secondarySequence: UInt32 = 1
    var rootOffset: UInt32 = 0x20

    /// Appends a cell (allocated, 8-byte aligned) and returns its offset relative to the first hbin.
    @discardableResult
    mutating func cell(_ data: [UInt8], declaredSize: Int32? = nil) -> UInt32 {
        let offset = UInt32(0x20 + cells.count)
        var size = data.count + 4
        size = (size + 7) / 8 * 8
        cells += le32(UInt32(bitPattern: declaredSize ?? -Int32(size)))
        cells += data
        cells += [UInt8](repeating: 0, count: size - 4 - data.count)
        return offset
    }

    /// The offset the next cell will get.
    var nextOffset: UInt32 { UInt32(0x20 + cells.count) }

    static func nk(
        _ name: String, flags: UInt16 = 0x20, subkeys: UInt32 = 0, subkeyList: UInt32 = 0xFFFF_FFFF,
        values: UInt32 = 0, valueList: UInt32 = 0xFFFF_FFFF, nameLength: UInt16? = nil
    ) -> [UInt8] {
        let nameBytes = Array(name.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) })
        var out: [UInt8] = Array("nk".utf8) + le16(flags) + [UInt8](repeating: 0, count: 8) + le32(0) + le32(0x20)
        out += le32(subkeys) + le32(0) + le32(subkeyList) + le32(0xFFFF_FFFF)
        out += le32(values) + le32(valueList) + le32(0xFFFF_FFFF) + le32(0xFFFF_FFFF)
        out += [UInt8](repeating: 0, count: 20)
        out += le16(nameLength ?? UInt16(nameBytes.count)) + le16(0)
        return out + nameBytes
    }

    static func vk(_ name: String, type: UInt32, length: UInt32, dataOffset: UInt32) -> [UInt8] {
        let nameBytes = Array(name.utf8)
        return Array("vk".utf8) + le16(UInt16(nameBytes.count)) + le32(length) + le32(dataOffset) + le32(type)
            + le16(1) + le16(0) + nameBytes
    }

    static func list(_ signature: String, _ offsets: [UInt32], hashes: Bool = false) -> [UInt8] {
        var out = Array(signature.utf8) + le16(UInt16(offsets.count))
        for offset in offsets {
            out += le32(offset)
            if hashes { out += le32(0) }
        }
        return out
    }

    /// The whole file: base block (valid checksum), one hbin holding the cells, a free cell filling the bin.
    func bytes(binSizeOverride: UInt32? = nil) -> [UInt8] {
        var bin = Array("hbin".utf8) + le32(0)
        let used = 0x20 + cells.count
        let binSize = max(4096, (used + 8 + 4095) / 4096 * 4096)
        bin += le32(binSizeOverride ?? UInt32(binSize)) + [UInt8](repeating: 0, count: 20)
        bin += cells
        let free = binSize - bin.count
        bin += le32(UInt32(free)) + [UInt8](repeating: 0, count: free - 4)
        var base =
            Array("regf".utf8) + le32(primarySequence) + le32(secondarySequence) + [UInt8](repeating: 0, count: 8)
        base += le32(1) + le32(minorVersion) + le32(0) + le32(1) + le32(rootOffset) + le32(UInt32(binSize)) + le32(1)
        base += [UInt8](repeating: 0, count: 508 - base.count)
        base += le32(RegistryBaseBlock.checksum(base))
        base += [UInt8](repeating: 0, count: 4096 - base.count)
        return base + bin
    }
}

func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }

/// Runs scripts/make-hives into a fresh temporary folder (hives for 2012r2…2025 and manifest.json).
func makeStandardHives() throws -> (TemporaryDirectory, [String: [String: [String: [String: Any]]]]) {
    let folder = try TemporaryDirectory("hives")
    let script = Fixtures.projectRoot.appendingPathComponent("scripts/make-hives").path
    let result = try runProcess("python3", [script, folder.path])
    guard result.status == 0 else { throw HiveTestError.script(result.stderr) }
    let data = try Data(contentsOf: folder.url.appendingPathComponent("manifest.json"))
    let manifest = try JSONSerialization.jsonObject(with: data) as? [String: [String: [String: [String: Any]]]] ?? [:]
    return (folder, manifest)
}

enum HiveTestError: Error { case script(String) }
