import Testing

@testable import HVXBinary
@testable import HVXInventory
@testable import HVXVolume
@testable import HVXWalk

@Suite struct ArtifactClassifierTests {
    func kind(_ path: String, _ entry: EntryKind = .file) -> ArtifactKind? {
        ArtifactClassifier.classify(WindowsPath(path)!, kind: entry)
    }

    func mayMatch(_ name: String, _ entry: EntryKind = .file) -> Bool {
        Array(name.utf8).withUnsafeBufferPointer { ArtifactClassifier.mayMatch($0, entry) }
    }

    @Test func classifiesByNameAndPlace() {
        #expect(kind(#"D:\x\Disk.VHDX"#) == .virtualDisk)
        #expect(kind(#"D:\x\a_1234.AVHDX"#) == .virtualDisk)
        #expect(kind(#"C:\ProgramData\Microsoft\Windows\Hyper-V\data.vmcx"#) == .registrationStore)
        #expect(
            kind(
                #"C:\ProgramData\Microsoft\Windows\Hyper-V\Virtual Machines Cache\A0100000-1111-4222-8333-444455556666.vmcx"#
            ) == .configurationCache)
        #expect(kind(#"D:\VMs\Virtual Machines\A0100000-1111-4222-8333-444455556666.xml"#) == .vmConfiguration)
        #expect(kind(#"D:\anywhere\A0100000-1111-4222-8333-444455556666.xml"#) == .vmConfiguration)
        #expect(
            kind(#"D:\VMs\App01\Virtual Machines\notes.xml"#) == nil,
            "Hyper-V names every XML configuration after an id")
        #expect(kind(#"C:\Tools\app.config.xml"#) == nil, "an .xml outside Hyper-V folders that is not GUID-named")
        #expect(kind(#"D:\VMs\Virtual Machines\A0100000-1111-4222-8333-444455556666.vmrs"#) == .runtimeState)
        #expect(kind(#"C:\Windows\Temp\setup.bin"#) == nil, "a .bin that is not GUID-named")
        #expect(kind(#"C:\Windows\System32\VMMS.EXE"#) == .processBinary)
        #expect(kind(#"C:\Temp\vmms.exe"#) == nil, "the process binary only counts in System32")
        #expect(kind(#"C:\ClusterStorage"#, .directory) == .clusterStorage)
        #expect(kind(#"C:\x\ClusterStorage"#, .directory) == nil)
        #expect(kind(#"C:\ProgramData\Microsoft\Windows\Hyper-V"#, .directory) == .dataRoot)
        #expect(kind(#"D:\VMs\Virtual Machines\A0100000-1111-4222-8333-444455556666"#, .directory) == .runtimeFolder)
    }

    @Test func prefilterOnRawBytes() {
        #expect(mayMatch("DISK.VhDx"))
        #expect(mayMatch("x.iso"))
        #expect(
            mayMatch("A0100000-1111-4222-8333-444455556666.XML")
                && mayMatch("{A0100000-1111-4222-8333-444455556666}.vmrs"))
        #expect(!mayMatch("settings.xml") && !mayMatch("boot.bin"), "no GUID name, no candidate")
        #expect(!mayMatch("x.vhdx.txt"))
        #expect(!mayMatch("kernel32.dll"))
        #expect(mayMatch("vmwp.exe") && !mayMatch("notepad.exe"))
        #expect(mayMatch("Virtual Machines", .directory) && mayMatch("virtual hard disks", .directory))
        #expect(mayMatch("A0100000-1111-4222-8333-444455556666", .directory))
        #expect(!mayMatch("System32", .directory))
        #expect(mayMatch("anything", .symlink), "every link is recorded")
    }
}
