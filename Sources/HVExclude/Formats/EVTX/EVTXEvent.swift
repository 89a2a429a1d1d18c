import HVXBinary

/// The facts of one event record that the diagnosis and `hvexclude events` use, taken from its XML.
///
/// `recordId` and `time` come from `System/EventRecordID` and `System/TimeCreated/@SystemTime`; the record
/// header's identifier and written time are the fallback when the XML lacks them (a cleared log's first
/// record carries record 1 and time 0 in its header but the real values in its XML).
package struct EVTXEvent: Sendable, Equatable {
    /// `System/Provider/@Name`.
    package var provider: String
    /// `System/Provider/@Guid` as written.
    package var providerGUIDText: String?
    /// `System/Provider/@Guid`, when present and a GUID (parsed on demand: most readers never ask).
    package var providerGUID: GUID? { providerGUIDText.flatMap { GUID($0) } }
    /// `System/EventID` (without its qualifiers).
    package var eventId: UInt32?
    /// `System/Level`.
    package var level: UInt8?
    /// `System/TimeCreated/@SystemTime`, else the record's written time.
    package var time: EVTXTimestamp
    /// `System/EventRecordID`, else the record header's identifier.
    package var recordId: UInt64
    /// `System/Computer`.
    package var computer: String
    /// `System/Channel`.
    package var channel: String
    /// EventData fields (by `Name`, unnamed `Data` as `Data[n]`) and UserData leaves (by element path below the
    /// UserData root), with every element's attributes as `Path/@Name`, in document order.
    package var data: [EVTXDataField]

    /// `System` children the event does not keep; the reader skips them (and the values they would decode).
    package static let unusedSystemElements: Set<String> = [
        "Version", "Task", "Opcode", "Keywords", "Correlation", "Execution", "Security",
    ]

    /// The value of field `name`.
    package func field(_ name: String) -> String? { data.first { $0.name == name }?.value }

    /// Builds the event from a record's `Event` element and its header.
    package init(xml event: EVTXElement, recordIdentifier: UInt64, written: EVTXTimestamp) {
        let system = event.child("System")
        let providerElement = system?.child("Provider")
        provider = providerElement?.attribute("Name") ?? ""
        providerGUIDText = providerElement?.attribute("Guid")
        eventId = system?.child("EventID").flatMap { UInt32(trimmedText($0.text)) }
        level = system?.child("Level").flatMap { UInt8(trimmedText($0.text)) }
        time =
            system?.child("TimeCreated")?.attribute("SystemTime").flatMap { EVTXTimestamp(iso8601: trimmedText($0)) }
            ?? written
        recordId = system?.child("EventRecordID").flatMap { UInt64(trimmedText($0.text)) } ?? recordIdentifier
        computer = system?.child("Computer")?.text ?? ""
        channel = system?.child("Channel")?.text ?? ""
        var fields = EVTXDataFieldCollector()
        for section in event.children where section.name == "EventData" || section.name == "UserData" {
            if section.name == "EventData" {
                var unnamed = 0
                for item in section.children {
                    var key = item.attribute("Name") ?? item.name
                    if item.attribute("Name") == nil && item.name == "Data" { unnamed += 1; key = "Data[\(unnamed)]" }
                    fields.add(key, item, keyAttribute: item.attribute("Name") != nil ? "Name" : nil)
                }
            } else {
                // UserData holds one provider-defined element (e.g. VmlEventLog, LogFileCleared); its leaves are the fields.
                for root in section.children {
                    for attribute in root.attributes where !EVTXDataFieldCollector.isNamespace(attribute.name) {
                        fields.append("@\(attribute.name)", attribute.value)
                    }
                    for item in root.children { fields.add(item.name, item) }
                }
            }
        }
        data = fields.fields
    }
}

/// One named value of an event's EventData or UserData.
package struct EVTXDataField: Sendable, Equatable {
    /// Field name.
    package var name: String
    /// Field value as text.
    package var value: String
}

/// Flattens data elements into uniquely named fields: nested elements become `Parent/Child`, an attribute
/// `Element/@Attribute` (`EventAuxInfo/@ProcessName`), a repeated name gets `[2]`, `[3]`, ….
private struct EVTXDataFieldCollector {
    package var fields: [EVTXDataField] = []
    private var seen: [String: Int] = [:]

    /// `xmlns` and `xmlns:…` declare namespaces; they are not data.
    package static func isNamespace(_ name: String) -> Bool { name == "xmlns" || name.hasPrefix("xmlns:") }

    package mutating func append(_ key: String, _ value: String) {
        let count = (seen[key] ?? 0) + 1
        seen[key] = count
        fields.append(EVTXDataField(name: count == 1 ? key : "\(key)[\(count)]", value: value))
    }

    /// `keyAttribute` names the attribute already used as the field's name (`Data Name="…"`).
    package mutating func add(_ key: String, _ element: EVTXElement, keyAttribute: String? = nil) {
        var attributes = 0
        for attribute in element.attributes
        where attribute.name != keyAttribute && !EVTXDataFieldCollector.isNamespace(attribute.name) {
            append("\(key)/@\(attribute.name)", attribute.value)
            attributes += 1
        }
        if element.children.isEmpty {
            // An element that only carries attributes has no value of its own to list.
            if attributes > 0 && element.text.isEmpty { return }
            // A value that is only a line break shows as empty in Event Viewer and evtxexport (libyal, "Content string").
            let value = element.text.allSatisfy { $0 == "\n" || $0 == "\r\n" || $0 == "\r" } ? "" : element.text
            append(key, value)
        } else {
            for child in element.children { add("\(key)/\(child.name)", child) }
        }
    }
}

/// `text` without leading and trailing ASCII white space.
private func trimmedText(_ text: String) -> String {
    func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D }
    if let first = text.utf8.first, let last = text.utf8.last, !isSpace(first), !isSpace(last) { return text }
    var slice = text[...]
    while let first = slice.first, first == " " || first == "\n" || first == "\t" || first == "\r" {
        slice = slice.dropFirst()
    }
    while let last = slice.last, last == " " || last == "\n" || last == "\t" || last == "\r" {
        slice = slice.dropLast()
    }
    return String(slice)
}
