// libFuzzer harness: Windows path parsing and normalisation (WindowsPath, WindowsEnvironment expansion).
// Input: UTF-8 text; a NUL byte splits it into a path and a relative path to append.
@testable import HVExclude

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWindowsPath(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let parts = bytes.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false)
    let text = String(decoding: parts[0], as: UTF8.self)
    let relative = parts.count > 1 ? String(decoding: parts[1], as: UTF8.self) : ".."
    let expanded = WindowsEnvironment.defaults.expand(text)
    for candidate in [text, expanded] {
        guard let path = WindowsPath(candidate) else { continue }
        // Round trip: the canonical spelling parses back to an equal path.
        guard let again = WindowsPath(path.description), again == path else {
            fatalError("WindowsPath round trip failed for \(candidate.debugDescription) -> \(path.description.debugDescription)")
        }
        _ = path.key
        _ = path.parent
        if let joined = path.appending(relative) {
            _ = path.isAncestor(of: joined)
            _ = joined.contains(path)
        }
        _ = WindowsEnvironment.defaults.environmentForm(of: path)
    }
    return 0
}
