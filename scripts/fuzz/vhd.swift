// libFuzzer harness: VHD reader (VHDFile, VirtualDiskReader.read). Input: a SparseImage (VHD checksums are
// warnings, not gates, so flag bit 0 changes nothing).
@testable import HVExclude

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVHD(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard let file = scratchReader(data, size, fix: { _ in }) else { return 0 }
    if let vhd = try? VHDFile(reading: file) {
        _ = VirtualDiskReader.disk(from: vhd).warnings.count
    }
    // The signature sniffing path the scanner takes (VHDX or VHD).
    if let again = try? FileReader(path: file.path) { _ = try? VirtualDiskReader.read(file: again) }
    return 0
}
