import HVXFormats
import HVXScan

/// `hvexclude events FILE [--id N…] [--since T]`: an event log's records as JSON Lines, exactly one object per
/// record; warnings and the count of skipped records for stderr. Exit 1 when records were skipped, 2 when the file
/// yields nothing (not an event log, a folder, unreadable).
package enum EventLogReading {
    /// The records read and what went wrong.
    package struct Outcome: Sendable {
        let log: EVTXLog
        /// The log's warnings (a damaged chunk or record, each with its offset).
        package var warnings: [String] { log.warnings.map(\.message) }
        /// Records read (after the filter) and records skipped as damaged.
        package var recordsRead: Int { log.recordsRead }
        package var recordsSkipped: Int { log.recordsSkipped }
        /// Nothing could be read: no record, and warnings saying why (exit 2).
        package var nothingRead: Bool { log.recordsRead == 0 && !log.warnings.isEmpty }

        /// Hands the JSON Lines to `write` in pieces of about 60 KiB (a large log has millions of characters).
        package func writeJSONLines(_ write: (String) -> Void) {
            var output = ""
            output.reserveCapacity(64 << 10)
            for event in log.events {
                output += EventLogReading.jsonLine(event)
                if output.utf8.count > 60 << 10 {
                    write(output)
                    output.removeAll(keepingCapacity: true)
                }
            }
            write(output)
        }
    }

    /// Reads `file`, keeping the events whose id is in `ids` (all when empty) at or after `since`.
    /// - Throws: ``CommandFailure/couldNotRead(_:)`` for a folder, an unreadable file, or no event log.
    package static func run(file: String, ids: Set<UInt32>, since: EVTXTimestamp?) throws(CommandFailure) -> Outcome {
        if SystemVolumeCheck.isDirectory(file) {
            throw .couldNotRead("\(file) is a folder, not an event log file (.evtx)")
        }
        do {
            let log = try EVTXLog(path: file) { event in
                (ids.isEmpty || event.eventId.map(ids.contains) == true) && (since.map { event.time >= $0 } ?? true)
            }
            return Outcome(log: log)
        } catch {
            // Nothing could be read: not an event log, or not readable.
            throw .couldNotRead("\(file): \(error)")
        }
    }

    /// One event as a JSON object on one line, keys in a fixed order.
    static func jsonLine(_ event: EVTXEvent) -> String {
        var line = "{\"provider\":" + quoted(event.provider)
        line += ",\"eventId\":" + (event.eventId.map { String($0) } ?? "null")
        line += ",\"level\":" + (event.level.map { String($0) } ?? "null")
        line += ",\"time\":" + quoted(event.time.description)
        line += ",\"recordId\":" + String(event.recordId)
        line += ",\"computer\":" + quoted(event.computer)
        line += ",\"channel\":" + quoted(event.channel)
        line += ",\"data\":{"
        for (index, field) in event.data.enumerated() {
            if index > 0 { line += "," }
            line += quoted(field.name) + ":" + quoted(field.value)
        }
        return line + "}}\n"
    }

    /// A JSON string literal (RFC 8259 escaping), built on UTF-8 bytes: a large log has millions of characters.
    static func quoted(_ text: String) -> String {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        out.reserveCapacity(text.utf8.count + 2)
        let hexDigits = Array("0123456789abcdef".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20:
                out += Array("\\u00".utf8) + [hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }
}
