// libFuzzer harness: the EVTX reader (EVTXLog(bytes:)) over one chunk behind a valid file header: every record's
// binary XML, templates, substitutions and values, then every event field.
//
// Input: a flags byte, then the bytes of one chunk. Flag bit 0 recomputes the chunk's header and records CRC-32s
// (the fuzzer cannot forge them), bit 1 pads the chunk to its full 64 KiB (else the file ends mid-chunk), bit 2
// uses the rest as the whole file instead (file header parsing).
@testable import HVExclude

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEVTX(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let flags = data[0]
    var chunk = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let file: [UInt8]
    if flags & 4 != 0 {
        file = chunk
    } else {
        if flags & 2 != 0 && chunk.count < 0x10000 { chunk += [UInt8](repeating: 0, count: 0x10000 - chunk.count) }
        if flags & 1 != 0 && chunk.count >= 512 {
            let free = Int(chunk[48]) | Int(chunk[49]) << 8 | Int(chunk[50]) << 16 | Int(chunk[51]) << 24
            let end = min(max(free, 512), chunk.count)
            store(CRC32.ieee.checksum(chunk[512..<end]), into: &chunk, at: 52)
            store(CRC32.ieee.checksum(Array(chunk[0..<120]) + chunk[128..<512]), into: &chunk, at: 124)
        }
        file = header() + chunk
    }
    guard let log = try? EVTXLog(bytes: file) else { return 0 }
    var total = 0
    for event in log.events {
        total &+= event.provider.utf8.count &+ event.computer.utf8.count &+ event.channel.utf8.count
        total &+= Int(event.eventId ?? 0) &+ Int(event.level ?? 0) &+ Int(truncatingIfNeeded: event.recordId)
        total &+= event.time.description.utf8.count
        for field in event.data { total &+= field.name.utf8.count &+ field.value.utf8.count }
    }
    _ = total &+ log.warnings.count
    return 0
}

private func store(_ value: UInt32, into bytes: inout [UInt8], at offset: Int) {
    for index in 0..<4 { bytes[offset + index] = UInt8(value >> (UInt32(index) * 8) & 0xFF) }
}

/// A valid file header declaring one chunk.
private func header() -> [UInt8] {
    var h = Array("ElfFile".utf8) + [0]
    h += [UInt8](repeating: 0, count: 24)  // first/last chunk, next record id
    h += [128, 0, 0, 0, 1, 0, 3, 0, 0, 0x10, 1, 0]
    h += [UInt8](repeating: 0, count: 80)
    var out = h + [0, 0, 0, 0]
    store(CRC32.ieee.checksum(h[0..<120]), into: &out, at: 124)
    return out + [UInt8](repeating: 0, count: 4096 - out.count)
}
