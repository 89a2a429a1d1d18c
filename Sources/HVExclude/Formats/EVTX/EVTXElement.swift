/// An element of a record's event XML after substitution, as Event Viewer's XML view shows it.
package struct EVTXElement: Sendable, Equatable {
    /// Element name.
    package var name: String
    /// Attributes in document order.
    package var attributes: [EVTXAttribute] = []
    /// Child elements.
    package var children: [EVTXElement] = []
    /// The element's text (its text pieces concatenated).
    package var text = ""

    /// An element named `name`.
    package init(name: String) { self.name = name }

    /// The first child named `name`.
    package func child(_ name: String) -> EVTXElement? { children.first { $0.name == name } }

    /// The value of attribute `name`.
    func attribute(_ name: String) -> String? { attributes.first { $0.name == name }?.value }
}

/// One attribute of an ``EVTXElement``.
package struct EVTXAttribute: Sendable, Equatable {
    /// Attribute name.
    package var name: String
    /// Attribute value.
    package var value: String
}

/// Fills templates with their values, producing ``EVTXElement`` trees under the caps of ``EVTXLimits``.
package struct BinXMLRenderer {
    let limits: EVTXLimits
    /// The chunk, for decoding deferred values.
    package let bytes: [UInt8]
    /// Children of `System` left out (``EVTXEvent`` does not use them): their values are never decoded.
    let prunedSystemChildren: Set<String>
    /// Elements and text bytes produced so far (also after a failure: they count against the chunk's budget).
    private(set) var elements = 0
    private(set) var outputBytes = 0
    /// This record's caps: the per-record limits or what is left of the chunk's budget, whichever is smaller.
    private let maxElements: Int
    private let maxOutputBytes: Int
    /// Chunk offset of the record, for messages.
    package let recordOffset: Int

    package init(
        limits: EVTXLimits, recordOffset: Int, chunk bytes: [UInt8], prunedSystemChildren: Set<String> = [],
        chunkElementsLeft: Int = .max, chunkBytesLeft: Int = .max
    ) {
        self.limits = limits
        maxElements = min(limits.maxElements, chunkElementsLeft)
        maxOutputBytes = min(limits.maxOutputBytes, chunkBytesLeft)
        self.recordOffset = recordOffset
        self.bytes = bytes
        self.prunedSystemChildren = prunedSystemChildren
    }

    /// `values[index]` (or the array item standing in for it), decoded.
    private func value(_ index: Int, _ values: [EVTXValue], _ override: (index: Int, item: String)?) throws -> EVTXValue
    {
        if let override, override.index == index { return .text(override.item) }
        guard index < values.count else { return .null }
        if case .deferred(let type, let offset, let size) = values[index] {
            return try EVTXValue.decode(type, bytes, at: offset, size: size)
        }
        return values[index]
    }

    /// The elements of a record's fragment.
    package mutating func render(_ nodes: [BinXMLNode]) throws -> [EVTXElement] {
        var root = EVTXElement(name: "")
        try render(nodes, values: [], into: &root, depth: 0)
        return root.children
    }

    /// `override` replaces one value (an array's current item) without copying `values`.
    private mutating func render(
        _ nodes: [BinXMLNode], values: [EVTXValue], override: (index: Int, item: String)? = nil,
        into parent: inout EVTXElement, depth: Int
    ) throws {
        func value(_ index: Int) throws -> EVTXValue { try self.value(index, values, override) }
        guard depth < limits.maxDepth else {
            throw EVTXError.limitExceeded("record nests more than \(limits.maxDepth) levels", offset: recordOffset)
        }
        let pruning = parent.name == "System" && !prunedSystemChildren.isEmpty
        for node in nodes {
            switch node {
            case .element(let element):
                if pruning && prunedSystemChildren.contains(element.name) { continue }
                // An element whose content substitutes an array is repeated once per item; an empty array still
                // gives one empty element (libyal, "Normal substitution").
                var arrayIndex: Int?
                var items: [String] = []
                for child in element.children {
                    if case .substitution(let index, _) = child, override?.index != index,
                        case .array(let list) = try value(index)
                    {
                        arrayIndex = index
                        items = list.isEmpty ? [""] : list
                        break
                    }
                }
                if let arrayIndex {
                    for item in items {
                        try renderElement(
                            element, values: values, override: (arrayIndex, item), into: &parent, depth: depth)
                    }
                } else {
                    try renderElement(element, values: values, override: override, into: &parent, depth: depth)
                }
            case .text(let text):
                try count(text)
                parent.text += text
            case .substitution(let index, _):
                switch try value(index) {
                case .null: break
                case .text(let text):
                    try count(text)
                    parent.text += text
                case .array(let items):
                    // Outside an element of its own (e.g. in mixed content), the items are listed.
                    let text = items.joined(separator: ", ")
                    try count(text)
                    parent.text += text
                case .binXML(let inner):
                    try render(inner, values: [], into: &parent, depth: depth + 1)
                case .deferred:
                    break  // value(_:) has decoded it
                }
            case .templateInstance(let template, let templateValues):
                try render(template.nodes, values: templateValues, into: &parent, depth: depth + 1)
            }
        }
    }

    /// One element with its attributes and content; an optional substitution of a NULL value in its content
    /// means the element is not created (libyal, "Optional substitution").
    private mutating func renderElement(
        _ element: BinXMLElement, values: [EVTXValue], override: (index: Int, item: String)?,
        into parent: inout EVTXElement, depth: Int
    ) throws {
        func value(_ index: Int) throws -> EVTXValue { try self.value(index, values, override) }
        for child in element.children {
            if case .substitution(let index, true) = child, case .null = try value(index) { return }
        }
        elements += 1
        guard elements <= maxElements else {
            throw EVTXError.limitExceeded(
                maxElements < limits.maxElements
                    ? "the chunk's records expand to more than \(limits.maxElementsPerChunk) elements"
                    : "record expands to more than \(limits.maxElements) elements", offset: recordOffset)
        }
        var rendered = EVTXElement(name: element.name)
        rendered.attributes.reserveCapacity(element.attributes.count)
        for attribute in element.attributes {
            var text = ""
            var present = attribute.value.isEmpty
            for piece in attribute.value {
                switch piece {
                case .substitution(let index, let optional):
                    switch try value(index) {
                    case .text(let piece): text += piece; present = true
                    case .array(let items): text += items.joined(separator: ", "); present = true
                    default: if !optional { present = true }
                    }
                case .text(let piece):
                    text += piece; present = true
                default:
                    present = true
                }
            }
            // An optional substitution of a NULL value leaves the attribute out (libyal, "Optional substitution").
            if present {
                try count(text)
                rendered.attributes.append(EVTXAttribute(name: attribute.name, value: text))
            }
        }
        try render(element.children, values: values, override: override, into: &rendered, depth: depth + 1)
        parent.children.append(rendered)
    }

    private mutating func count(_ text: String) throws {
        outputBytes += text.utf8.count
        guard outputBytes <= maxOutputBytes else {
            throw EVTXError.limitExceeded(
                maxOutputBytes < limits.maxOutputBytes
                    ? "the chunk's records expand to more than \(limits.maxOutputBytesPerChunk) bytes of text"
                    : "record expands to more than \(limits.maxOutputBytes) bytes of text", offset: recordOffset)
        }
    }
}
