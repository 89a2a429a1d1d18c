// libFuzzer harness: the native NTFS reader (NTFSVolume, NTFSTree/NTFSFileSystem walk, file data through runlists
// with sparse and LZNT1 units, $ATTRIBUTE_LIST, reparse data) behind the disk-image byte sources (raw, VHD, VHDX)
// and the partition table. Input: a SparseImage (no checksums gate NTFS, so flag bit 0 changes nothing).
@testable import HVExclude

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNTFS(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard let file = scratchReader(data, size, fix: { _ in }) else { return 0 }
    var volumes: [any ByteSource] = [FileBytes(reader: file)]
    // The image path the scanner takes: container → partition table → NTFS partitions.
    if let opened = try? DiskImageBytes.open(path: file.path),
       let table = try? PartitionTable.read(FileReader(path: file.path, source: opened.source), size: opened.source.size) {
        for partition in table.partitions.prefix(4) {
            volumes.append(ByteRange(opened.source, offset: partition.offset, size: partition.size))
        }
    }
    for source in volumes {
        guard let volume = try? NTFSVolume(source: source, name: "fuzz") else { continue }
        let fs = NTFSFileSystem(volume: volume, root: "/f")
        _ = fs.warnings.count
        guard let walk = try? fs.walk(roots: ["/f"], options: WalkOptions(jobs: 1), progress: WalkProgress(), match: { _, _ in true })
        else { continue }
        for entry in walk.entries.prefix(64) {
            _ = fs.kind(of: entry.hostPath)
            _ = fs.reparseData(entry.hostPath)
            _ = fs.linkText(entry.hostPath)
            _ = try? fs.listFolder(entry.hostPath)
            if let reader = try? fs.openFile(entry.hostPath, readBudget: 1 << 20) {
                _ = try? reader.read(at: 0, count: 65536)
                _ = try? reader.read(at: reader.size / 2, count: 8192)
            }
        }
        _ = fs.fold("Virtual Hard Disks")
    }
    return 0
}
