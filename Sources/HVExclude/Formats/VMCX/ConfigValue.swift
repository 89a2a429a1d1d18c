/// A typed value in a Hyper-V configuration key tree, as VMCX entries and XML `type` attributes store it.
package enum ConfigValue: Sendable, Equatable, Hashable {
    /// An interior key that holds children (VMCX type 9, an XML element without `type`).
    case node
    /// A signed integer (VMCX type 3 Int, XML `type="integer"`).
    case integer(Int64)
    /// An unsigned integer (VMCX type 4 UInt; XML integers above `Int64.max`).
    case unsigned(UInt64)
    /// A floating-point number (VMCX type 5 Double).
    case double(Double)
    /// Text (VMCX type 6, UTF-16LE on disk; XML `type="string"`).
    case string(String)
    /// Raw bytes (VMCX type 7 Array; XML `type="bytes"`, base64 in the file).
    case bytes([UInt8])
    /// A Boolean (VMCX type 8, u32 on disk; XML `type="bool"`, `True`/`False`).
    case bool(Bool)

    /// The text, when this is a string value.
    package var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The value as a signed integer when it is an integer that fits.
    package var integerValue: Int64? {
        switch self {
        case .integer(let value): return value
        case .unsigned(let value): return Int64(exactly: value)
        default: return nil
        }
    }

    /// The Boolean, when this is a bool value.
    var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// A short name of the value's type ("node", "integer", "string", ...), as the JSON dump and messages use it.
    package var typeName: String {
        switch self {
        case .node: return "node"
        case .integer: return "integer"
        case .unsigned: return "unsigned"
        case .double: return "double"
        case .string: return "string"
        case .bytes: return "bytes"
        case .bool: return "bool"
        }
    }
}
