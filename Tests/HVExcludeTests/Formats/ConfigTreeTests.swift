import Testing
@testable import HVXBinary
@testable import HVXDiagnosis
@testable import HVXDiskImage
@testable import HVXExclusions
@testable import HVXFormats
@testable import HVXInventory
@testable import HVXReport
@testable import HVXScan
@testable import HVXVolume
@testable import HVXWalk

@Suite struct ConfigTreeTests {
    @Test func emptyAndForeignFilesGetSpecificMessages() throws {
        let folder = try TemporaryDirectory()
        let empty = try folder.write("empty.vmcx")
        let foreign = try folder.write("foreign.vmcx", [0x4D, 0x5A, 0x90, 0x00, 0x03])
        #expect(throws: BinaryFormatError("configuration", at: 0, "empty file (0 bytes)")) { try ConfigTree.read(path: empty) }
        do {
            _ = try ConfigTree.read(path: foreign)
            Issue.record("a foreign file parsed")
        } catch let error as BinaryFormatError {
            #expect(error.message.hasPrefix("neither a VMCX header"))
            #expect(error.message.contains("4D 5A 90 0"))
        }
    }
}
