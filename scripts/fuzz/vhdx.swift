// libFuzzer harness: VHDX reader (VHDXFile, VirtualDiskReader.disk(from:)). Input: a SparseImage; with flag
// bit 0 the CRC-32C of both headers and both region tables is recomputed after layout.
@testable import HVExclude

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVHDX(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard let file = scratchReader(data, size, fix: { scratch in
        for offset in VHDXHeader.offsets {
            scratch.fixChecksum(.castagnoli, structureAt: offset, count: VHDXHeader.size, field: 4)
        }
        for offset in VHDXRegionTable.offsets {
            scratch.fixChecksum(.castagnoli, structureAt: offset, count: VHDXRegionTable.size, field: 4)
        }
    }) else { return 0 }
    guard let vhdx = try? VHDXFile(reading: file) else { return 0 }
    let disk = VirtualDiskReader.disk(from: vhdx)
    _ = disk.warnings.count
    _ = vhdx.parentLocator?.value("parent_linkage")
    return 0
}
