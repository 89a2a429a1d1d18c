// Reference: libyal/libevtx, documentation/Windows XML Event Log (EVTX).asciidoc, "Binary XML"
import HVXBinary

/// A parsed binary XML node, before substitution: what a template definition (or a record's own fragment)
/// holds.
package indirect enum BinXMLNode: Sendable {
    /// An element with its attributes and content.
    case element(BinXMLElement)
    /// Literal text (value text, CDATA, a resolved character or entity reference).
    case text(String)
    /// A normal (0x0d) or optional (0x0e) substitution of value `index`.
    case substitution(index: Int, optional: Bool)
    /// A template instance: the template's nodes, filled with `values`.
    case templateInstance(EVTXTemplate, [EVTXValue])
}

/// An element of a binary XML fragment.
package struct BinXMLElement: Sendable {
    /// Element name.
    package var name: String
    /// Attributes in order; each value is a list of text and substitution nodes.
    package var attributes: [(name: String, value: [BinXMLNode])]
    /// Content.
    package var children: [BinXMLNode]
}

/// A template definition of a chunk: parsed once, instantiated by every record that refers to it.
///
/// | off | size | field |
/// |-----|------|-------|
/// | 0   | 4 | next template definition offset (a hash chain; unused here) |
/// | 4   | 16 | template identifier (GUID) |
/// | 20  | 4 | data size (fragment header, element, end-of-file token) |
/// | 24  | n | binary XML fragment |
package final class EVTXTemplate: Sendable {
    /// Chunk offset of the definition.
    package let offset: Int
    /// Template identifier.
    let identifier: GUID
    /// Bytes the definition occupies (header and data).
    package let size: Int
    /// The fragment's nodes.
    let nodes: [BinXMLNode]

    package init(offset: Int, identifier: GUID, size: Int, nodes: [BinXMLNode]) {
        self.offset = offset
        self.identifier = identifier
        self.size = size
        self.nodes = nodes
    }
}
