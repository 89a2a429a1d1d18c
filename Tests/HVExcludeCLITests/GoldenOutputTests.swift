import Foundation
import Testing

/// Every output format for every TestTree, compared with the committed golden files in `Golden/`, after
/// blanking what changes from run to run (scan time and duration). `HVX_UPDATE_GOLDEN=1 swift test --filter
/// GoldenOutput` rewrites them; review the diff before committing.
@Suite struct GoldenOutputTests {
    static let trees = ["ws2012r2-default", "ws2019-custom"]
    static let formats = ["json", "text", "text-verbose", "powershell", "list", "reg", "intune", "csv"]
    static let folder = CLI.projectRoot.appendingPathComponent("Tests/HVExcludeCLITests/Golden")

    /// Blanks the scan time and duration, in every format.
    static func normalise(_ text: String) -> String {
        var lines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = String(line)
            for key in ["\"durationSeconds\" : ", "\"startedAt\" : "] {
                if let range = line.range(of: key) {
                    line = String(line[..<range.upperBound]) + "<varies>" + (line.hasSuffix(",") ? "," : "")
                }
            }
            // Only the scan's own start time varies; event times from the logs are facts and stay in the golden files.
            if let range = line.range(
                of: #"^(started |# Scanned: |; Scanned: )20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"#,
                options: .regularExpression)
            {
                let prefix = line[range].prefix { !$0.isNumber }
                line.replaceSubrange(range, with: prefix + "<time>")
            }
            if let range = line.range(of: #"[0-9]+(\.[0-9]+)? s$"#, options: .regularExpression) {
                line.replaceSubrange(range, with: "<seconds> s")
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    static func render(_ tree: String, _ format: String) throws -> String {
        var arguments = ["scan", "TestTrees/\(tree)/C", "--quiet", "--format"]
        arguments += format == "text-verbose" ? ["text", "--verbose"] : [format]
        if FileManager.default.fileExists(atPath: CLI.testTree(tree) + "/D") {
            arguments += ["--drive", "D=TestTrees/\(tree)/D"]
        }
        let result = try CLI.run(
            arguments, environment: ["NO_COLOR": "1", "COLUMNS": "120"], currentDirectory: CLI.projectRoot.path)
        // ws2019-custom holds a Defender detection (1116 on D:\Db01.vhdx): the entry covering it is held, exit 3.
        #expect(result.status == (tree == "ws2019-custom" ? 3 : 0), "\(tree) \(format): \(result.stderr)")
        if format == "reg" {
            // regedit's own encoding: UTF-16LE with a BOM and CRLF; the golden file holds it as UTF-8 text.
            let bytes = [UInt8](result.stdoutData)
            #expect(bytes.starts(with: [0xFF, 0xFE]), "a .reg file starts with the UTF-16LE BOM")
            let text = String(
                decoding: stride(from: 2, to: bytes.count - 1, by: 2).map {
                    UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8
                }, as: UTF16.self)
            return normalise(text.replacingOccurrences(of: "\r\n", with: "\n"))
        }
        if format == "powershell" || format == "csv" {
            // PowerShell: UTF-8 with a BOM (Windows PowerShell 5.1 reads a script without one as ANSI); both CRLF.
            let bytes = [UInt8](result.stdoutData)
            if format == "powershell" {
                #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]), "the script starts with the UTF-8 BOM")
            }
            let text = String(decoding: format == "powershell" ? bytes.dropFirst(3) : bytes[...], as: UTF8.self)
            #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "\(format): CRLF line ends only")
            return normalise(text.replacingOccurrences(of: "\r\n", with: "\n"))
        }
        return normalise(result.stdout)
    }

    @Test(arguments: trees)
    func everyFormatMatchesItsGoldenFile(tree: String) throws {
        for format in Self.formats {
            let actual = try Self.render(tree, format)
            let file = Self.folder.appendingPathComponent("\(tree).\(format)")
            if ProcessInfo.processInfo.environment["HVX_UPDATE_GOLDEN"] == "1" {
                try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true)
                try actual.write(to: file, atomically: true, encoding: .utf8)
                continue
            }
            let expected = try String(contentsOf: file, encoding: .utf8)
            if actual != expected {
                let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
                let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
                let line =
                    zip(a, e).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, e.count)
                Issue.record(
                    "\(tree).\(format) differs from its golden file at line \(line + 1):\n  expected: \(line < e.count ? String(e[line]) : "<end>")\n  actual:   \(line < a.count ? String(a[line]) : "<end>")"
                )
            }
        }
    }
}
