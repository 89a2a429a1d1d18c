import HVXBinary

/// A parsed Hyper-V configuration key tree (from a VMCX file or an XML configuration) and what went wrong reading it.
///
/// The unnamed `root` holds the top-level keys: `configuration` for a VM, `Configurations` for `data.vmcx`.
package struct ConfigTree: Sendable, Equatable {
    /// Which file format the tree came from.
    package enum Format: String, Sendable, Codable {
        /// A "HyperVStorage" container (.vmcx, .vmrs, data.vmcx), Hyper-V 2016 and later.
        case vmcx
        /// An XML configuration, Hyper-V 2008 to 2012 R2.
        case xml
    }

    /// The file format.
    package var format: Format
    /// The unnamed root key; its children are the file's top-level keys.
    package var root: ConfigNode
    /// Non-fatal problems met while reading, each a sentence naming the offset or line.
    package var warnings: [Diagnostic]

    /// Creates a tree.
    package init(format: Format, root: ConfigNode, warnings: [Diagnostic] = []) {
        self.format = format
        self.root = root
        self.warnings = warnings
    }

    /// The key at a `/`-separated path from the root (`configuration/properties/name`), names compared
    /// ignoring case.
    package func node(at path: String) -> ConfigNode? { root.node(at: path) }

    /// The string value at `path`, or nil when absent or not a string.
    package func string(at path: String) -> String? { root.string(at: path) }

    /// The integer value at `path`, or nil when absent or not an integer.
    package func integer(at path: String) -> Int64? { root.integer(at: path) }

    /// The Boolean value at `path`, or nil when absent or not a bool.
    func bool(at path: String) -> Bool? { root.bool(at: path) }

    /// Reads a configuration file, choosing the reader by its first bytes (VMCX signature, else XML).
    /// - Throws: ``BinaryFormatError`` for a damaged VMCX, ``XMLParseError`` or ``VMConfigXMLError`` for XML,
    ///   ``SystemError`` when the file cannot be read.
    package static func read(path: String) throws -> ConfigTree {
        try read(file: try FileReader(path: path))
    }

    /// Reads a configuration through an open reader (a file inside a disk image), chosen by its first bytes.
    /// - Throws: as ``read(path:)``.
    package static func read(file: FileReader) throws -> ConfigTree {
        guard file.size > 0 else { throw BinaryFormatError("configuration", at: 0, "empty file (0 bytes)") }
        let head = try file.read(at: 0, count: 4)
        if head == [0x14, 0x20, 0x28, 0x01] {
            return try VMCXFile(file: file).tree
        }
        // XML starts with a byte-order mark, '<', or white space (in UTF-8 or UTF-16).
        let xmlStarts: [UInt8] = [0xEF, 0xFE, 0xFF, UInt8(ascii: "<"), 0x20, 0x09, 0x0A, 0x0D, 0x00]
        guard let first = head.first, xmlStarts.contains(first) || (head.count > 1 && head[1] == UInt8(ascii: "<"))
        else {
            let found = head.map { String($0, radix: 16, uppercase: true) }.joined(separator: " ")
            throw BinaryFormatError(
                "configuration", at: 0, "neither a VMCX header (signature 14 20 28 01) nor XML (starts with \(found))")
        }
        return try VMConfigXML.read(file: file)
    }
}
