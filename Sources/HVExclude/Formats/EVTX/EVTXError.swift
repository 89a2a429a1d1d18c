import HVXBinary

/// Why a record, a chunk or a whole EVTX file could not be read. Offsets are chunk-relative for binary XML
/// and absolute for file structures.
package enum EVTXError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A token or structure runs past the data that holds it.
    case truncated(String, offset: Int)
    /// A binary XML token that may not stand where it was found.
    case unexpectedToken(UInt8, offset: Int)
    /// A value type byte outside MS-EVEN6's list.
    case unknownValueType(UInt8, offset: Int)
    /// A value whose size does not suit its type.
    case badValueSize(UInt8, size: Int, offset: Int)
    /// A name or template offset that points outside the chunk.
    case badOffset(String, Int, offset: Int)
    /// A template whose definition (directly or through its values) instantiates itself.
    case templateLoop(offset: Int)
    /// A resource limit was reached (nesting, elements, substitutions, output).
    case limitExceeded(String, offset: Int)
    /// A record header that is not one.
    case badRecord(String, offset: Int)

    package var description: String {
        switch self {
        case .truncated(let what, let offset):
            "\(what) at chunk offset \(hex(offset)) runs past its data"
        case .unexpectedToken(let token, let offset):
            "unexpected binary XML token \(hex(token)) at chunk offset \(hex(offset))"
        case .unknownValueType(let type, let offset):
            "unknown value type \(hex(type)) at chunk offset \(hex(offset))"
        case .badValueSize(let type, let size, let offset):
            "value of type \(hex(type)) at chunk offset \(hex(offset)) has an impossible size of \(size) bytes"
        case .badOffset(let what, let target, let offset):
            "\(what) offset \(hex(target)) at chunk offset \(hex(offset)) lies outside the chunk"
        case .templateLoop(let offset):
            "template at chunk offset \(hex(offset)) instantiates itself"
        case .limitExceeded(let what, let offset):
            "\(what) (at chunk offset \(hex(offset)))"
        case .badRecord(let what, let offset):
            "event record at chunk offset \(hex(offset)): \(what)"
        }
    }
}

/// Caps that keep a hostile or corrupt log from costing more than a real one ever needs.
package struct EVTXLimits: Sendable {
    /// Nesting of elements, embedded binary XML and template instances together.
    var maxDepth = 64
    /// Values of one template instance (real templates have well under 100).
    var maxSubstitutions = 4096
    /// Elements one record may expand to.
    var maxElements = 20_000
    /// UTF-8 bytes of text and attribute values one record may expand to.
    var maxOutputBytes = 4 << 20
    /// Elements all records of one chunk may expand to together (real chunks: a few thousand), so that
    /// thousands of tiny records that each expand to the per-record limit cannot make a chunk cost minutes.
    var maxElementsPerChunk = 200_000
    /// UTF-8 bytes all records of one chunk may expand to together.
    var maxOutputBytesPerChunk = 32 << 20
    /// Chunks read from one file (64 KiB each: 16 GiB).
    var maxChunks = 0x40000

    /// The default caps.
    package init() {}
}
