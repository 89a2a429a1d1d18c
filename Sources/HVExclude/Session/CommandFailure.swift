/// Why `hive`, `vmcx`, `events`, `merge` or `diff` could not finish; the message is complete (the command line
/// prefixes the program's name).
public enum CommandFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// A mistake in the request (exit 64): a format the command does not write.
    case usage(String)
    /// Nothing could be read (exit 2): a file that cannot be opened, is not of its kind, or cannot be written.
    case couldNotRead(String)
    /// The file was read, but its content is damaged (exit 1).
    case damaged(String)

    public var description: String {
        switch self {
        case .usage(let text), .couldNotRead(let text), .damaged(let text): return text
        }
    }
}
