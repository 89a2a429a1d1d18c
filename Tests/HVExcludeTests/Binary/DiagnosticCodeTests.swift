import Foundation
import HVExcludeTestSupport
import Testing

@testable import HVXBinary

/// Every ``DiagnosticCode`` is unique, well formed and documented in docs/diagnostics.md, and the docs name no
/// other code.
struct DiagnosticCodeTests {
    /// The codes of docs/diagnostics.md's table: the first cell of each row, between backquotes.
    static func documentedCodes() throws -> [String] {
        let docs = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/diagnostics.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        return text.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("| `") else { return nil }
            let cell = line.dropFirst(3)
            guard let end = cell.firstIndex(of: "`") else { return nil }
            return String(cell[..<end])
        }
    }

    @Test func codesAreUniqueAndWellFormed() {
        let codes = DiagnosticCode.allCases.map(\.rawValue)
        #expect(Set(codes).count == codes.count)
        for code in codes {
            let parts = code.split(separator: ".", omittingEmptySubsequences: false)
            #expect(parts.count == 2 && parts.allSatisfy { !$0.isEmpty }, "\(code)")
            #expect(code.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "." || $0 == "-" }, "\(code)")
        }
    }

    @Test func everyCodeIsDocumentedOnce() throws {
        let documented = try Self.documentedCodes()
        #expect(Set(documented).count == documented.count, "a code is documented twice")
        let codes = Set(DiagnosticCode.allCases.map(\.rawValue))
        #expect(codes.subtracting(documented).sorted() == [], "codes missing from docs/diagnostics.md")
        #expect(Set(documented).subtracting(codes).sorted() == [], "docs/diagnostics.md names codes that do not exist")
    }

    @Test func listCapsAndCountsTheRest() {
        var list = DiagnosticList(limit: 2)
        for index in 0..<5 { list.add(.vhdFooterChecksum, at: .offset(UInt64(index)), "problem \(index)") }
        let finished = list.finish()
        #expect(finished.map(\.code) == [.vhdFooterChecksum, .vhdFooterChecksum, .suppressed])
        #expect(finished.last?.message == "3 more warnings were suppressed")
        #expect("\(finished[0])" == "problem 0")
    }
}
