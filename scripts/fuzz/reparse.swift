// libFuzzer harness: NTFS reparse data (ReparsePoint(parsing:)) and the Windows path it names.
@testable import HVExclude

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReparse(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let point = try? ReparsePoint(parsing: bytes) else { return 0 }
    if let target = point.absoluteTarget {
        _ = target.description
        _ = target.parent?.appending(point.printName)
    }
    _ = WindowsPath("C:\\Links")?.appending(point.substituteName)
    return 0
}
