/// One element of a parsed XML document: name, attributes, child elements and its own character data.
package struct XMLElementNode: Sendable, Equatable {
    /// One attribute, in document order.
    package struct Attribute: Sendable, Equatable {
        /// Attribute name.
        package var name: String
        /// Value after entity expansion and whitespace normalisation.
        package var value: String
    }

    /// Element name (with any prefix, as written).
    package var name: String
    /// Attributes in document order.
    package var attributes: [Attribute]
    /// Child elements in document order.
    package var children: [XMLElementNode]
    /// The element's own character data (text and CDATA, references expanded), concatenated.
    package var text: String
    /// 1-based line of the start tag.
    package var line: Int
    /// 1-based column of the start tag's `<`.
    var column: Int

    /// Creates an element.
    package init(
        name: String, attributes: [Attribute] = [], children: [XMLElementNode] = [], text: String = "", line: Int = 0,
        column: Int = 0
    ) {
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
