import Foundation
import Testing

@Suite struct InspectCommandTests {
    static let software = CLI.testTree("ws2019-custom") + "/C/Windows/System32/config/SOFTWARE"

    @Test func hiveListsAKeyLikeRegQuery() throws {
        let result = try CLI.run(["hive", Self.software, #"microsoft\windows defender\exclusions\paths"#])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.lowercased() == #"software\microsoft\windows defender\exclusions\paths"#)
        #expect(lines.contains { $0.contains(#"D:\VMs"#) && $0.contains("REG_DWORD") })
    }

    @Test func hiveMissingKeyAndUnreadableFile() throws {
        let missing = try CLI.run(["hive", Self.software, #"No\Such\Key"#])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains(#"No\Such\Key"#))
        let unreadable = try CLI.run(["hive", "/etc/hostname"])
        #expect(unreadable.status == 2)
        #expect(unreadable.stderr.contains("regf base block"))
    }

    @Test(.requires(.sharedFixtures))
    func vmcxDumpsTheLiveTreeOnly() throws {
        let file = CLI.projectRoot.deletingLastPathComponent().path + "/shared/fixtures/vmcx/data.vmcx"
        let result = try CLI.run(["vmcx", file])
        #expect(result.status == 0)
        let json = try JSONValue.parse(result.stdout)
        guard case .object(let machines)? = json["Configurations"]?["VirtualMachines"] else {
            Issue.record("no Configurations/VirtualMachines"); return
        }
        #expect(machines.count == 4)
        #expect(!result.stdout.contains("282874FC"), "a deleted registration from a stale key table")
        #expect(result.stderr.contains("cut short"))
    }
}

