import HVXFormats
import FoundationEssentials
import HVXScan

/// `hvexclude events FILE [--id N…] [--since T]`: an event log's records as JSON Lines, exactly one object per
/// record on stdout; warnings and the count of skipped records on stderr. Exit 1 when records were skipped, 2 when
/// the file yields nothing (not an event log, a folder, unreadable).
enum EventsCommand {
    static func run(_ options: CommandLineOptions) -> ExitCode {
        let file = options.arguments[0]
        let ids = Set(options.eventIds)
        let since = options.since
        if SystemVolumeCheck.isDirectory(file) {
            HVExcludeCommand.printError("hvexclude: \(file) is a folder, not an event log file (.evtx)")
            return .couldNotScan
        }
        let log: EVTXLog
        do {
            log = try EVTXLog(path: file) { event in
                (ids.isEmpty || event.eventId.map(ids.contains) == true) && (since.map { event.time >= $0 } ?? true)
            }
        } catch {
            // Nothing could be read: not an event log, or not readable.
            HVExcludeCommand.printError("hvexclude: \(file): \(error)")
            return .couldNotScan
        }
        var output = ""
        output.reserveCapacity(64 << 10)
        for event in log.events {
            output += jsonLine(event)
            if output.utf8.count > 60 << 10 {
                StandardStream.output.write(output)
                output.removeAll(keepingCapacity: true)
            }
        }
        StandardStream.output.write(output)
        for warning in log.warnings where !options.quiet { HVExcludeCommand.printError("warning: \(file): \(warning)") }
        if log.recordsSkipped > 0 {
            // The count goes to stderr even with --quiet: it is the result's other half.
            HVExcludeCommand.printError("hvexclude: \(file): \(log.recordsRead) records read, \(log.recordsSkipped) skipped")
        }
        if log.recordsRead == 0 && !log.warnings.isEmpty {
            HVExcludeCommand.printError("hvexclude: \(file): no record could be read")
            return .couldNotScan
        }
        if log.recordsSkipped > 0 { return .finishedWithErrors }
        return log.warnings.isEmpty || !options.strict ? .success : .finishedWithErrors
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
