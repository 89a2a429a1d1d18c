import Foundation
import Testing

@testable import HVXSession

/// The HTML report as a customer opens it: rendered by a real browser (headless Chromium, `scripts/render-html`)
/// with no console error, no network request, no element wider than the page, hostile names shown as literal text;
/// and valid HTML by an independent parser (html5lib, strict).
@Suite(.serialized) struct HTMLReportTests {
    /// The sample hosts and the security case, each with its scan arguments.
    static func hosts() throws -> [(name: String, arguments: [String])] {
        var hosts: [(String, [String])] = [
            ("ws2012r2-default", [CLI.testTree("ws2012r2-default/C")]),
            ("ws2019-custom", [CLI.testTree("ws2019-custom/C"), "--drive", "D=" + CLI.testTree("ws2019-custom/D")]),
        ]
        let cases = try PolicyCaseTests.cases.get()
        hosts.append(("security-names", [cases + "/security-names/C", "--drive", "D=" + cases + "/security-names/D"]))
        return hosts
    }

    /// The page for `arguments`, written to a temporary file removed at exit.
    static func page(_ name: String, _ arguments: [String]) throws -> String {
        let result = try InProcess.outcome(["scan"] + arguments + ["--quiet", "--format", "html"])
        // ws2019-custom holds a Defender detection on D:\Db01.vhdx: its entry is held, and a scan exits 3.
        #expect(result.verdict == (name == "ws2019-custom" ? .actionNeeded : .success), "\(result.shownWarnings)")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("hvx-html-\(getpid())-\(name).html")
            .path
        try result.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        ExitCleanup.remove(file)
        return file
    }

    @Test(.requires([.tool("chromium"), .tool("python3")] + Requirement.makeHives))
    func chromiumRendersEveryPageWithoutErrorsRequestsOrOverflow() throws {
        for (name, arguments) in try Self.hosts() {
            let page = try Self.page(name, arguments)
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("hvx-html-\(getpid())-\(name)")
                .path
            ExitCleanup.remove(output)
            let rendered = try CLI.runTool(
                "python3", [CLI.projectRoot.appendingPathComponent("scripts/render-html").path, page, output])
            #expect(rendered.status == 0, "\(name): \(rendered.stderr)")
            let result = try CLI.json(rendered.stdout)
            #expect((result["consoleErrors"] as? [String]) == [], "\(name)")
            #expect((result["requests"] as? [String]) == [], "\(name)")
            #expect((result["wide"] as? [String]) == [], "\(name)")
            #expect((result["scrollWidth"] as? Int ?? .max) <= (result["clientWidth"] as? Int ?? 0), "\(name)")
            let elements = result["elements"] as? [String: Int] ?? [:]
            #expect(
                elements.values.allSatisfy { $0 == 0 } && elements.count == 5,
                "\(name): no script, image, link, frame or object: \(elements)")
            for file in ["page.png", "page.pdf"] {
                let size = (try? FileManager.default.attributesOfItem(atPath: output + "/" + file)[.size] as? Int) ?? 0
                #expect(size > 10_000, "\(name) \(file): \(size) bytes")
            }
            let text = result["text"] as? String ?? ""
            #expect(text.contains("The plan ("), "\(name)")
            if name == "security-names" {
                // The DOM shows the hostile names as literal text: nothing was interpreted as markup or dropped.
                #expect(text.contains("<script>alert('x')</script> O\u{2019}Brien \"$(rm -rf)\" `whoami`"))
                #expect(text.contains("D:\\VMs\\O\u{2019}Brien's $(calc) `tick; & %TEMP% [test] \u{0451}\u{00E9}"))
            }
            if name == "ws2019-custom" {
                #expect(text.contains("D:\\Db01_*.avhdx"))
                #expect(text.contains("Differencing disk chains"))
            }
        }
    }

    @Test(.requires([.pip(module: "html5lib", package: "html5lib")] + Requirement.makeHives))
    func everyPageIsValidHTML() throws {
        let check =
            "import html5lib,sys\nhtml5lib.HTMLParser(strict=True).parse(open(sys.argv[1], encoding='utf-8').read())\nprint('ok')"
        for (name, arguments) in try Self.hosts() {
            let page = try Self.page(name, arguments)
            let parsed = try CLI.runTool("python3", ["-c", check, page])
            #expect(parsed.status == 0 && parsed.stdout == "ok\n", "\(name): \(parsed.stderr)")
        }
    }

    @Test(.requires(Requirement.makeHives)) func thePageIsSelfContainedAndEscapesWhatTheVolumeSays() throws {
        let cases = try PolicyCaseTests.cases.get()
        let html = try String(
            contentsOfFile: try Self.page(
                "escape", [cases + "/security-names/C", "--drive", "D=" + cases + "/security-names/D"]), encoding: .utf8
        )
        #expect(
            html.contains(
                "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'"))
        #expect(!html.contains("<script"), "no script element, and the VM name is escaped")
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("src="), "nothing to load")
    }
}
