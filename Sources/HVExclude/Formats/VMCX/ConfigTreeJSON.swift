import FoundationEssentials

/// Renders a ``ConfigTree`` as JSON text for the `hvexclude vmcx FILE` debugging command.
///
/// Nodes become objects keyed by child name (keys sorted); a name repeated among siblings (XML `metric`)
/// becomes an array; leaves become JSON strings, numbers and Booleans, byte arrays base64 strings.
package enum ConfigTreeJSON {
    /// The tree as pretty-printed JSON (the root's children as the top-level object).
    /// - Throws: `EncodingError` only for values JSON cannot hold (a NaN double).
    package static func text(_ tree: ConfigTree) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(JSONValue(tree.root))
        return String(decoding: data, as: UTF8.self)
    }

    private enum JSONValue: Encodable {
        case object([String: JSONValue])
        case array([JSONValue])
        case leaf(ConfigValue)

        package init(_ node: ConfigNode) {
            guard node.isNode else {
                self = .leaf(node.value)
                return
            }
            var grouped: [String: [JSONValue]] = [:]
            for child in node.children { grouped[child.name, default: []].append(JSONValue(child)) }
            self = .object(grouped.mapValues { $0.count == 1 ? $0[0] : .array($0) })
        }

        package func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .object(let members): try container.encode(members)
            case .array(let items): try container.encode(items)
            case .leaf(let value):
                switch value {
                case .node: try container.encode([String: String]())
                case .integer(let number): try container.encode(number)
                case .unsigned(let number): try container.encode(number)
                case .double(let number): try container.encode(number)
                case .string(let text): try container.encode(text)
                case .bytes(let bytes): try container.encode(Data(bytes))
                case .bool(let flag): try container.encode(flag)
                }
            }
        }
    }
}
