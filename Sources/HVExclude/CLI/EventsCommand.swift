/// `hvexclude events FILE [--id N…] [--since T]`: an event log's records as JSON Lines.
enum EventsCommand {
    static func run(_ options: CommandLineOptions) -> ExitCode {
        let file = options.arguments[0]
        let ids = Set(options.eventIds)
        let since = options.since
        let log: EVTXLog
        do {
            log = try EVTXLog(path: file) { event in
                (ids.isEmpty || event.eventId.map(ids.contains) == true) && (since.map { event.time >= $0 } ?? true)
            }
        } catch let error as SystemError {
            HVExcludeCommand.printError("hvexclude: \(error)")
            return .couldNotScan
        } catch {
            HVExcludeCommand.printError("hvexclude: \(file): \(error)")
            return .finishedWithErrors
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

    /// A JSON string literal (RFC 8259 escaping).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let digits = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
