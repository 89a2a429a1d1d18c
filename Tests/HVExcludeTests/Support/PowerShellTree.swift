import Foundation

/// What `scripts/powershell-tree` (tree-sitter's PowerShell grammar) reads from one script, for unit tests that
/// check a script built from a plan in Swift.
struct PowerShellTree {
    /// One `if` or `elseif` clause.
    struct Clause {
        var clause: String
        var conditionVariables: [String]
        var conditionMembers: [String]
        var bodyCommands: [String]
    }

    var errors: Int
    var verbatim: [String]
    var expandable: [String]
    var hashtables: [[String: String]]
    var ifs: [Clause]

    /// Parses `bytes` (the script as written) with the grammar; the checker runs under a time limit.
    static func facts(_ bytes: [UInt8]) throws -> PowerShellTree {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("hvx-tree-\(UUID().uuidString).ps1")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "timeout", "120", "python3",
            Requirements.projectRoot.appendingPathComponent("scripts/powershell-tree").path, file.path,
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let all = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let facts = all[file.path] as? [String: Any]
        else {
            throw CheckerFailed(status: process.terminationStatus)
        }
        func strings(_ value: Any?) -> [String] { value as? [String] ?? [] }
        let clauses = (facts["ifs"] as? [[String: Any]] ?? []).map { clause in
            let condition = clause["condition"] as? [String: Any] ?? [:]
            let commands = (clause["bodyCommands"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            return Clause(
                clause: clause["clause"] as? String ?? "", conditionVariables: strings(condition["variables"]),
                conditionMembers: strings(condition["members"]), bodyCommands: commands)
        }
        return PowerShellTree(
            errors: facts["errors"] as? Int ?? -1, verbatim: strings(facts["verbatim"]),
            expandable: strings(facts["expandable"]),
            hashtables: facts["hashtables"] as? [[String: String]] ?? [], ifs: clauses)
    }

    struct CheckerFailed: Error { var status: Int32 }
}
