// libFuzzer harness: hive transaction-log replay, in memory (RegistryHive(bytes:name:logs:)). Input: u32 hive
// length, the hive's bytes, then one log file's bytes (LOG1); the replayed hive is walked like regf.swift's.
@testable import HVExclude

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRegfLog(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard bytes.count >= 4 else { return 0 }
    let length = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24
    guard length <= bytes.count - 4 else { return 0 }
    let hiveBytes = Array(bytes[4..<4 + length])
    let log = Array(bytes[(4 + length)...])
    guard let hive = try? RegistryHive(bytes: hiveBytes, name: "HIVE", logs: [("HIVE.LOG1", log)]) else { return 0 }
    var visited = 0
    try? hive.walk { _, key in
        visited += 1
        guard visited <= 20_000 else { throw StopWalk() }
        if let values = try? hive.values(of: key) {
            for value in values { _ = value.data }
        }
    }
    _ = hive.warnings.count
    _ = hive.recovery?.summary
    return 0
}

/// Thrown by the walk body to stop a walk early.
struct StopWalk: Error {}
