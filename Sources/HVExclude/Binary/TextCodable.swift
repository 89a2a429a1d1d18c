/// A value that JSON stores as its text form (`description`), read back with its failable text initialiser:
/// GUIDs and Windows paths.
package protocol TextCodable: Codable, CustomStringConvertible {
    /// What the text must be, for the decoding error ("a GUID").
    static var textForm: String { get }
    /// Parses the text form; nil when it is not one.
    init?(text: String)
}

extension TextCodable {
    /// Decodes the text form.
    package init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(text: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not \(Self.textForm): \(text)"))
        }
        self = value
    }

    /// Encodes `description`.
    package func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
