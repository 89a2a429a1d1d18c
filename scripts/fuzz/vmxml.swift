// libFuzzer harness: Hyper-V XML configuration reader (XMLDocumentParser, VMConfigXML mapping), in memory,
// then the VM model built on its tree.
@testable import HVExclude

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVMXML(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let tree = try? VMConfigXML.parse(bytes) else { return 0 }
    _ = try? VMConfiguration(tree: tree)
    _ = try? VMRegistrations(tree: tree)
    _ = try? ConfigTreeJSON.text(tree)
    return 0
}
