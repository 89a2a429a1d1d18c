// libFuzzer harness: VMCX (HyperVStorage) reader, then the VM and registration models built on its tree.
// Input: a SparseImage; with flag bit 0 the CRC-32 of both 0x2E-byte headers is recomputed after layout.
@testable import HVExclude

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVMCX(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard let file = scratchReader(data, size, fix: { scratch in
        for offset: UInt64 in [0, 0x1000] {
            scratch.fixChecksum(.ieee, structureAt: offset, count: VMCXHeader.size, field: 4)
        }
    }) else { return 0 }
    guard let vmcx = try? VMCXFile(file: file) else { return 0 }
    var nodes = 0
    vmcx.tree.root.forEach { _, node in nodes += node.children.count }
    _ = try? VMConfiguration(tree: vmcx.tree)
    _ = try? VMRegistrations(tree: vmcx.tree)
    _ = try? ConfigTreeJSON.text(vmcx.tree)
    return 0
}
