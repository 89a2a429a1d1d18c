import FoundationEssentials

/// Writes a ``Report`` as JSON: pretty-printed, keys sorted, slashes unescaped.
package enum JSONExporter {
    /// The report as UTF-8 JSON text with a final newline.
    package static func render(_ report: Report) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
    }

    /// Any of the other JSON documents (a merged policy, a diff), the same way.
    package static func render<Value: Encodable>(_ value: Value) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }
}
