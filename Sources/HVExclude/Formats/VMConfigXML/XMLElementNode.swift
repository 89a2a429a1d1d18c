/// One element of a parsed XML document: name, attributes, child elements and its own character data.
struct XMLElementNode: Sendable, Equatable {
    /// One attribute, in document order.
    struct Attribute: Sendable, Equatable {
        /// Attribute name.
        var name: String
        /// Value after entity expansion and whitespace normalisation.
        var value: String
    }

    /// Element name (with any prefix, as written).
    var name: String
    /// Attributes in document order.
    var attributes: [Attribute]
    /// Child elements in document order.
    var children: [XMLElementNode]
    /// The element's own character data (text and CDATA, references expanded), concatenated.
    var text: String
    /// 1-based line of the start tag.
    var line: Int
    /// 1-based column of the start tag's `<`.
    var column: Int

    /// Creates an element.
    init(name: String, attributes: [Attribute] = [], children: [XMLElementNode] = [], text: String = "", line: Int = 0, column: Int = 0) {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
        self.line = line
        self.column = column
    }

    /// The value of attribute `name`, or nil.
    func attribute(_ name: String) -> String? {
        attributes.first { $0.name == name }?.value
    }
}
