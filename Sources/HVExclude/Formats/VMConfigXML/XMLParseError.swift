/// Malformed or refused XML input, with the 1-based line and column where reading stopped.
struct XMLParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// 1-based line of the problem.
    var line: Int
    /// 1-based column (in characters) of the problem.
    var column: Int
    /// What was wrong.
    var message: String

    /// Creates an error at `line`, `column`.
    init(line: Int, column: Int, _ message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    var description: String { "XML line \(line), column \(column): \(message)" }
}
