import Testing

@testable import HVXBinary
@testable import HVXFormats
@testable import HVXVolume

@Suite("NTFSName: one case-insensitive comparison with NTFS semantics")
struct NTFSNameTests {
    @Test("ASCII and one-to-one non-ASCII letters fold; nothing expands")
    func foldsPerCharacter() {
        #expect(NTFSName.fold("Virtual Machines") == "VIRTUAL MACHINES")
        #expect(NTFSName.fold("élan-ü") == "ÉLAN-Ü")
        // Swift's uppercased() turns ß into SS; NTFS's $UpCase table never changes a name's length.
        #expect(NTFSName.fold("Straße") == "STRAßE")
        #expect(NTFSName.fold("ß").count == 1)
    }

    @Test("equal, hasSuffix and hasPrefix agree with the fold")
    func comparisons() {
        #expect(NTFSName.equal("data.VMCX", "DATA.vmcx"))
        #expect(NTFSName.equal("straße", "STRAßE"))
        #expect(!NTFSName.equal("Straße", "STRASSE"))
        #expect(NTFSName.hasSuffix("Disk.VHDX", ".vhdx"))
        #expect(!NTFSName.hasSuffix("Disk.vhd", ".vhdx"))
        #expect(NTFSName.hasPrefix("UNC\\server\\share", "unc\\"))
    }

    @Test("paths, environment names and registry names use the same comparison")
    func usedEverywhere() throws {
        let a = try #require(WindowsPath("C:\\Straße\\VM"))
        let b = try #require(WindowsPath("c:\\STRAßE\\vm"))
        let c = try #require(WindowsPath("C:\\STRASSE\\VM"))
        #expect(a == b)
        #expect(a != c)
        #expect(RegistryName.equal("Straße", "STRAßE") == NTFSName.equal("Straße", "STRAßE"))
        var environment = WindowsEnvironment.defaults
        environment.set("Straße", "x")
        #expect(environment.value("STRAßE") == "x")
        #expect(environment.value("STRASSE") == nil)
    }
}
