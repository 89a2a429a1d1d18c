import Testing

@testable import HVXBinary
@testable import HVXFormats

@Suite struct ConfigTreeTests {
    @Test func emptyAndForeignFilesGetSpecificMessages() throws {
        let folder = try TemporaryDirectory()
        let empty = try folder.write("empty.vmcx")
        let foreign = try folder.write("foreign.vmcx", [0x4D, 0x5A, 0x90, 0x00, 0x03])
        #expect(throws: BinaryFormatError("configuration", at: 0, "empty file (0 bytes)")) {
            try ConfigTree.read(path: empty)
        }
        do {
            _ = try ConfigTree.read(path: foreign)
            Issue.record("a foreign file parsed")
        } catch let error as BinaryFormatError {
            #expect(error.message.hasPrefix("neither a VMCX header"))
            #expect(error.message.contains("4D 5A 90 0"))
        }
    }
}
