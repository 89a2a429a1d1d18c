/// Why a well-formed XML document is not read as a Hyper-V configuration.
public struct VMConfigXMLError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What was wrong.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    public var description: String { "not a Hyper-V VM configuration: \(message)" }
}
