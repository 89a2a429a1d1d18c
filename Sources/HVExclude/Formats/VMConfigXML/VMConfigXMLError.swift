/// Why a well-formed document or key tree is not read as a Hyper-V configuration (or registration store).
package enum VMConfigXMLError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The XML root element is not `<configuration>`.
    case rootElement(name: String, line: Int)
    /// An element carries an attribute other than `type` (`<add key=…>` of an application config).
    case foreignAttribute(element: String, line: Int, column: Int, attribute: String)
    /// The key tree has no `configuration` node; `found` are its first top-level keys.
    case noConfigurationKey(found: [String])
    /// `configuration/properties/global_id` is missing or not a string.
    case noGlobalID
    /// The key tree has no `Configurations` node, so it is not a `data.vmcx` registration store.
    case notARegistrationStore

    package var description: String {
        let reason: String
        switch self {
        case .rootElement(let name, let line):
            reason = "root element is <\(name)> (line \(line)), not <configuration>"
        case .foreignAttribute(let element, let line, let column, let attribute):
            reason =
                "<\(element)> at line \(line), column \(column) carries attribute '\(attribute)'; Hyper-V configurations use only 'type'"
        case .noConfigurationKey(let found):
            reason =
                "no 'configuration' key at the top level (found: \(found.isEmpty ? "nothing" : found.joined(separator: ", ")))"
        case .noGlobalID:
            reason = "no string 'configuration/properties/global_id'"
        case .notARegistrationStore:
            reason = "no 'Configurations' key: not a Hyper-V registration store (data.vmcx)"
        }
        return "not a Hyper-V VM configuration: \(reason)"
    }
}
