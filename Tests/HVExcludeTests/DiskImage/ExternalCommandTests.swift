import Foundation
import Testing

@testable import HVXBinary
@testable import HVXDiskImage

@Suite("ExternalCommand")
struct ExternalCommandTests {
    @Test("collects stdout, stderr and the exit status")
    func run() throws {
        let result = try ExternalCommand.run("sh", ["-c", "echo out; echo err >&2; exit 3"])
        #expect(result == .init(status: 3, output: "out\n", errorOutput: "err\n"))
    }

    @Test("a killed child reports 128 + the signal")
    func killed() throws {
        let result = try ExternalCommand.run("sh", ["-c", "kill -TERM $$"])
        #expect(result.status == 128 + 15, "\(result)")
    }

    @Test("a child that leaves a daemon holding its output does not hang the caller")
    func daemon() throws {
        let start = ContinuousClock.now
        let result = try ExternalCommand.run("sh", ["-c", "sleep 5 & echo started"])
        #expect(result.status == 0)
        #expect(result.output == "started\n")
        #expect(ContinuousClock.now - start < .seconds(3))
    }

    @Test("a missing program is ENOENT; sbin folders are searched without PATH")
    func missing() throws {
        #expect(throws: SystemError.self) { try ExternalCommand.run("hvexclude-no-such-tool", []) }
        #expect(ExternalCommand.locate("losetup") != nil)
    }
}
