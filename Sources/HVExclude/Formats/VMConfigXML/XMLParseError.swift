/// Malformed or refused XML input, with the 1-based line and column where reading stopped.
package struct XMLParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Why reading stopped, for callers and tests that tell refusals apart from broken syntax.
    package enum Kind: Equatable, Sendable {
        /// Not well-formed XML (or an encoding the declaration contradicts).
        case malformed
        /// A DOCTYPE or markup declaration: no DTDs or entity declarations are read.
        case declarationRefused
        /// A resource cap of ``XMLDocumentParser/Limits`` was reached.
        case capExceeded(Cap)
    }

    /// The cap that was reached.
    package enum Cap: Equatable, Sendable {
        case inputBytes, depth, elements, attributes, textCharacters
    }

    /// Why reading stopped.
    package var kind: Kind
    /// 1-based line of the problem.
    package var line: Int
    /// 1-based column (in characters) of the problem.
    var column: Int
    /// What was wrong, in words.
    package var message: String

    /// Creates an error at `line`, `column`.
    package init(_ kind: Kind = .malformed, line: Int, column: Int, _ message: String) {
        self.kind = kind
        self.line = line
        self.column = column
        self.message = message
    }

    package var description: String { "XML line \(line), column \(column): \(message)" }
}
