import Foundation
import Testing

@testable import HVXSession

/// `hive` and `vmcx` through their library entries (``HiveInspection``, ``ConfigInspection``), in-process; one
/// end-to-end run checks the command line's mapping of a failure to its exit code.
@Suite struct InspectCommandTests {
    static let software = CLI.testTree("ws2019-custom") + "/C/Windows/System32/config/SOFTWARE"

    @Test func hiveListsAKeyLikeRegQuery() throws {
        let outcome = try HiveInspection.run(
            file: Self.software, keyPath: #"microsoft\windows defender\exclusions\paths"#)
        let lines = try outcome.listing.get().split(separator: "\n").map(String.init)
        #expect(lines.first?.lowercased() == #"software\microsoft\windows defender\exclusions\paths"#)
        #expect(lines.contains { $0.contains(#"D:\VMs"#) && $0.contains("REG_DWORD") })
    }

    @Test func hiveMissingKeyAndUnreadableFile() throws {
        let missing = try HiveInspection.run(file: Self.software, keyPath: #"No\Such\Key"#)
        guard case .failure(.damaged(let message)) = missing.listing else {
            throw Failure("listed: \(missing.listing)")
        }
        #expect(message.contains(#"No\Such\Key"#))
        do {
            _ = try HiveInspection.run(file: "/etc/hostname", keyPath: "")
            Issue.record("/etc/hostname read as a hive")
        } catch {
            guard case .couldNotRead(let text) = error else { throw Failure("\(error)") }
            #expect(text.contains("regf base block"))
        }
        // The command line: a missing key is exit 1, a file that is no hive exit 2, each named on stderr.
        let result = try CLI.run(["hive", Self.software, #"No\Such\Key"#])
        #expect(result.status == 1)
        #expect(result.stderr == "hvexclude: \(message)\n")
        #expect(try CLI.run(["hive", "/etc/hostname"]).status == 2)
    }

    @Test(.requires(.sharedFixtures))
    func vmcxDumpsTheLiveTreeOnly() throws {
        let file = CLI.projectRoot.deletingLastPathComponent().path + "/shared/fixtures/vmcx/data.vmcx"
        let (warnings, json) = try ConfigInspection.run(file: file)
        let text = try json.get()
        let tree = try JSONValue.parse(text)
        guard case .object(let machines)? = tree["Configurations"]?["VirtualMachines"] else {
            Issue.record("no Configurations/VirtualMachines"); return
        }
        #expect(machines.count == 4)
        #expect(!text.contains("282874FC"), "a deleted registration from a stale key table")
        #expect(warnings.contains { $0.contains("cut short") })
    }

    @Test func vmcxTellsAnUnreadableFileFromADamagedOne() throws {
        do {
            _ = try ConfigInspection.run(file: "/nonexistent-hvx.vmcx")
            Issue.record("a missing file read")
        } catch {
            guard case .couldNotRead = error else { throw Failure("\(error)") }
        }
        do {
            _ = try ConfigInspection.run(file: "/etc/hostname")
            Issue.record("/etc/hostname read as a configuration")
        } catch {
            guard case .damaged(let text) = error else { throw Failure("\(error)") }
            #expect(text.hasPrefix("/etc/hostname: "))
        }
    }
}
