import HVXReport

/// The formats `scan`, `audit` and `merge` write a report in.
public enum ReportFormat: String, Sendable, CaseIterable {
    case json, text, html, powershell, list, reg, pol, intune, csv
}

/// How `--format text` is laid out: colour (on a terminal, never with `NO_COLOR`) and the widest line.
public struct TextStyle: Sendable {
    public var color: Bool
    public var width: Int

    public init(color: Bool = false, width: Int = 120) {
        self.color = color
        self.width = width
    }
}

extension Report {
    /// The report in `format`, as the bytes to write (`reg` is UTF-16LE with a BOM, as regedit writes it;
    /// `powershell` UTF-8 with a BOM and CRLF, as Windows PowerShell 5.1 needs; `pol` binary; everything else
    /// UTF-8), and the planned items the format could not hold, each with why.
    package func rendered(
        _ format: ReportFormat, vendor: VendorProfile? = nil, verbose: Bool = false, style: TextStyle = TextStyle()
    ) throws -> (bytes: [UInt8], refused: [String]) {
        switch format {
        case .json: return (Array(try JSONExporter.render(self).utf8), [])
        case .text:
            return (Array(TextExporter.render(self, color: style.color, width: style.width, verbose: verbose).utf8), [])
        case .html: return (Array(HTMLExporter.render(self).utf8), [])
        case .powershell: return (PowerShellExporter.renderBytes(self), [])
        case .list: return (Array(ListExporter.render(self, vendor: vendor).utf8), [])
        case .reg: return (RegExporter.renderBytes(self), [])
        case .pol:
            let output = RegistryPolicyExporter.render(self)
            return (output.bytes, output.refused)
        case .intune:
            let output = try IntuneExporter.render(self)
            return (Array(output.json.utf8), output.refused)
        case .csv: return (Array(CSVExporter.render(self).utf8), [])
        }
    }
}
