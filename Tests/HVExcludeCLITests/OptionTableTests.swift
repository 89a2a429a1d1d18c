import Foundation
import Testing

@testable import hvexclude

/// The one table of options is what the parser, `--help` and the README's option table say.
@Suite struct OptionTableTests {
    /// The options the README's "Options" table names (first column, every `--flag` in it).
    static func readmeOptions() throws -> Set<String> {
        let readme = try String(contentsOf: CLI.projectRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try #require(lines.firstIndex { $0.hasPrefix("| `--drive") }, "the README's option table")
        var names: Set<String> = []
        for line in lines[start...] {
            guard line.hasPrefix("|") else { break }
            let cell = line.split(separator: "|", omittingEmptySubsequences: true).first.map(String.init) ?? ""
            for match in cell.matches(of: /`(--[a-z-]+)/) { names.insert(String(match.1)) }
        }
        return names
    }

    @Test func theReadmeTableListsExactlyTheOptionsOfScanAndAudit() throws {
        let scanOptions = Set(
            CommandLineOption.table.filter {
                !$0.commands.isDisjoint(with: CommandLineOption.scanCommands)
                    && $0.commands != CommandLineOption.everyCommand
            }.map(\.name))
        #expect(try Self.readmeOptions() == scanOptions)
    }

    @Test func theHelpListsEveryOptionOfScanAndAuditWithItsHelp() {
        let help = HVExcludeCommand.help(for: .scan)
        for option in CommandLineOption.table
        where !option.commands.isDisjoint(with: CommandLineOption.scanCommands)
            && option.commands != CommandLineOption.everyCommand
        {
            #expect(help.contains("  " + option.label), "\(option.name)")
            for line in option.help where !line.isEmpty { #expect(help.contains(line), "\(option.name): \(line)") }
        }
        #expect(!help.contains("--no-replay"))
        #expect(HVExcludeCommand.usage.contains(CommandLineOption.helpText))
    }

    @Test func theHelpOfHiveAndEventsNamesTheirOptions() {
        for command in [CommandLineOptions.Command.hive, .events] {
            let help = HVExcludeCommand.help(for: command)
            for option in CommandLineOption.table where option.commands.contains(command) && option.name != "--help" {
                #expect(help.contains(option.name), "\(command): \(option.name)")
            }
        }
    }

    @Test func everyOptionOnceAndEverySpellingParses() throws {
        let names = CommandLineOption.table.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(Set(CommandLineOption.suggestions) == Set(names) && CommandLineOption.suggestions.count == names.count)
        for option in CommandLineOption.table where !option.takesValue && option.name != "--version" {
            #expect(try CommandLineOptions.parse(["scan", "/x", option.name]).command != .version, "\(option.name)")
            if let short = option.short {
                #expect(throws: Never.self) { try CommandLineOptions.parse(["scan", "/x", short]) }
            }
        }
    }

    @Test func aTieBetweenTwoSuggestionsKeepsTheParsersOrder() {
        #expect(CommandLineOptions.closest("--quunt", among: CommandLineOption.suggestions) == "--quiet")
    }
}
