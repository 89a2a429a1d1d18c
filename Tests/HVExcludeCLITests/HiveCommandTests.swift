import Foundation
import Testing

/// `hvexclude hive`: log replay, `--no-replay`, HKLM paths, escaping and `--json`.
@Suite struct HiveCommandTests {
    static let fixtures = CLI.projectRoot.deletingLastPathComponent().path + "/shared/fixtures"
    static let fixturesPresent = FileManager.default.fileExists(atPath: fixtures + "/README.md")
    static let newDirty = fixtures + "/regf-dirty/NewDirtyHive1/NewDirtyHive"

    @Test(.enabled(if: fixturesPresent, "../shared/fixtures is missing beside the project root"))
    func replaysADirtyHiveUnlessAskedNotTo() throws {
        let replayed = try CLI.run(["hive", Self.newDirty])
        #expect(replayed.status == 0, "\(replayed.stderr)")
        #expect(replayed.stdout.contains(#"NewDirtyHive\Key3"#))
        #expect(!replayed.stdout.contains("Key1"))
        #expect(replayed.stderr.contains("replayed 1 log entry from NewDirtyHive.LOG1 and 3 from NewDirtyHive.LOG2"))

        let asIs = try CLI.run(["hive", "--no-replay", Self.newDirty])
        #expect(asIs.status == 0)
        #expect(asIs.stdout.contains(#"NewDirtyHive\Key1"#) && asIs.stdout.contains(#"NewDirtyHive\Key2"#))
        #expect(asIs.stderr.contains("sequence numbers differ"))
        let strict = try CLI.run(["hive", "--no-replay", "--strict", Self.newDirty])
        #expect(strict.status == 1)
    }
}
