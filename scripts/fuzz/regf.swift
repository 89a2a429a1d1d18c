// libFuzzer harness: registry hive reader, in memory (RegistryHive(bytes:name:)): walks every key, reads
// every value and interprets its data, and looks up the paths HostFacts reads.
@testable import HVExclude

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRegf(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let hive = try? RegistryHive(bytes: bytes, name: "SOFTWARE") else { return 0 }
    var visited = 0
    try? hive.walk { _, key in
        visited += 1
        // A small input can describe a very wide tree through shared cells; the hang guard is libFuzzer's.
        guard visited <= 20_000 else { throw CancellationError() }
        if let values = try? hive.values(of: key) {
            for value in values { _ = value.data; _ = value.stringValue; _ = value.integerValue }
        }
    }
    for path in [
        "Microsoft\\Windows NT\\CurrentVersion", "ControlSet001\\Services\\vmms",
        "Microsoft\\Windows Defender\\Exclusions\\Paths", "Select", "MountedDevices",
    ] {
        if let key = try? hive.key(path) {
            _ = try? hive.value("ProductName", of: key)
            _ = try? hive.value("", of: key)
            _ = try? hive.subkey("Parameters", of: key)
        }
    }
    _ = hive.warnings.count
    return 0
}

/// Thrown by the walk body to stop a walk early.
struct CancellationError: Error {}
