// Reference: libyal/libevtx, documentation/Windows XML Event Log (EVTX).asciidoc, "Value types"

/// The type byte of a substitution value (MS-EVEN6 BinXmlValueType); bit 0x80 marks an array.
///
/// | value | type | bytes |
/// |-------|------|-------|
/// | 0x00 | NULL | 0 |
/// | 0x01 | UTF-16LE string (no NUL) | n |
/// | 0x02 | ANSI string | n |
/// | 0x03–0x0a | int8, uint8, int16, uint16, int32, uint32, int64, uint64 | 1, 1, 2, 2, 4, 4, 8, 8 |
/// | 0x0b, 0x0c | float32, float64 | 4, 8 |
/// | 0x0d | bool (32-bit) | 4 |
/// | 0x0e | binary | n |
/// | 0x0f | GUID | 16 |
/// | 0x10 | size_t (shown as hex) | 4 or 8 |
/// | 0x11 | FILETIME | 8 |
/// | 0x12 | SYSTEMTIME | 16 |
/// | 0x13 | SID | n |
/// | 0x14, 0x15 | hex32, hex64 | 4, 8 |
/// | 0x21 | embedded binary XML | n |
package enum EVTXValueType: UInt8, Sendable {
    case null = 0x00, string, ansiString, int8, uint8, int16, uint16, int32, uint32, int64, uint64
    case float32, float64, bool, binary, guid, sizeT, fileTime, systemTime, sid, hex32, hex64
    case handle = 0x20, binXML = 0x21, evtXML = 0x23

    /// Bytes of one element of a fixed-size type; `nil` for variable-size types.
    var elementSize: Int? {
        switch self {
        case .int8, .uint8: 1
        case .int16, .uint16: 2
        case .int32, .uint32, .float32, .bool, .hex32: 4
        case .int64, .uint64, .float64, .fileTime, .hex64: 8
        case .guid, .systemTime: 16
        default: nil
        }
    }
}
