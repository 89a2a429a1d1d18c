import Foundation

/// Any JSON value, decoded so that booleans, integers and other numbers stay apart.
indirect enum JSONValue: Decodable, CustomStringConvertible {
    case null, bool(Bool), integer(Int), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    static func parse(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .integer: return "integer"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    var description: String {
        switch self {
        case .null: return "null"
        case .bool(let v): return "\(v)"
        case .integer(let v): return "\(v)"
        case .number(let v): return "\(v)"
        case .string(let v): return v
        case .array(let v): return "\(v)"
        case .object(let v): return "\(v)"
        }
    }

    subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    var arrayValue: [JSONValue] { if case .array(let a) = self { return a }; return [] }
    var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    var intValue: Int? { if case .integer(let i) = self { return i }; return nil }
    var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
}

/// A validator for the subset of JSON Schema (draft 2020-12) that `docs/json-schema.json` uses:
/// `type` (string or array), `properties`, `required`, `additionalProperties` (bool or schema), `items`,
/// `enum`, `const`, `minimum`, `$ref` into `$defs`, `oneOf`/`anyOf`.
struct SchemaValidator {
    let root: JSONValue

    init(schemaFile: String) throws {
        root = try JSONValue.parse(try String(contentsOfFile: schemaFile, encoding: .utf8))
    }

    struct Violation: CustomStringConvertible {
        var path: String
        var message: String
        var description: String { "\(path): \(message)" }
    }

    /// Every violation in `value`.
    func validate(_ value: JSONValue) -> [Violation] {
        var errors: [Violation] = []
        check(value, against: root, at: "$", into: &errors)
        return errors
    }

    private func resolve(_ schema: JSONValue) -> JSONValue {
        guard let ref = schema["$ref"]?.stringValue, ref.hasPrefix("#/$defs/"),
            let target = root["$defs"]?[String(ref.dropFirst("#/$defs/".count))]
        else { return schema }
        return resolve(target)
    }

    private func check(_ value: JSONValue, against raw: JSONValue, at path: String, into errors: inout [Violation]) {
        let schema = resolve(raw)
        if let options = schema["oneOf"] ?? schema["anyOf"] {
            let passing = options.arrayValue.filter { option in
                var scratch: [Violation] = []
                check(value, against: option, at: path, into: &scratch)
                return scratch.isEmpty
            }
            if passing.isEmpty { errors.append(.init(path: path, message: "matches none of the alternatives")) }
            return
        }
        let actual = value.typeName
        if let type = schema["type"] {
            let allowed = type.stringValue.map { [$0] } ?? type.arrayValue.compactMap(\.stringValue)
            let ok = allowed.contains(actual) || (actual == "integer" && allowed.contains("number"))
            if !ok {
                errors.append(.init(path: path, message: "is \(actual), expected \(allowed.joined(separator: "|"))"))
                return
            }
        }
        if let choices = schema["enum"], !choices.arrayValue.contains(where: { $0.description == value.description }) {
            errors.append(.init(path: path, message: "\(value) is not one of \(choices)"))
        }
        if let constant = schema["const"], constant.description != value.description {
            errors.append(.init(path: path, message: "\(value) is not \(constant)"))
        }
        if let pattern = schema["pattern"]?.stringValue, case .string(let text) = value {
            // Anchored patterns only (the schema's GUID pattern): NSRegularExpression over the whole string.
            let matches =
                (try? NSRegularExpression(pattern: pattern))
                .map { $0.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil } ?? false
            if !matches { errors.append(.init(path: path, message: "\"\(text)\" does not match \(pattern)")) }
        }
        if let minimum = schema["minimum"] {
            let bound: Double? =
                minimum.intValue.map(Double.init)
                ?? {
                    if case .number(let d) = minimum { return d }; return nil
                }()
            let number: Double? =
                value.intValue.map(Double.init)
                ?? {
                    if case .number(let d) = value { return d }; return nil
                }()
            if let bound, let number, number < bound {
                errors.append(.init(path: path, message: "\(number) < minimum \(bound)"))
            }
        }
        if case .object(let object) = value {
            for name in schema["required"]?.arrayValue.compactMap(\.stringValue) ?? [] where object[name] == nil {
                errors.append(.init(path: path, message: "missing required \"\(name)\""))
            }
            for (key, item) in object {
                if let property = schema["properties"]?[key] {
                    check(item, against: property, at: "\(path).\(key)", into: &errors)
                } else if let additional = schema["additionalProperties"] {
                    if additional.boolValue == false {
                        errors.append(.init(path: path, message: "unexpected key \"\(key)\""))
                    } else if case .object = additional {
                        check(item, against: additional, at: "\(path).\(key)", into: &errors)
                    }
                }
            }
        }
        if case .array(let array) = value, let items = schema["items"] {
            for (index, item) in array.enumerated() {
                check(item, against: items, at: "\(path)[\(index)]", into: &errors)
            }
        }
    }
}
