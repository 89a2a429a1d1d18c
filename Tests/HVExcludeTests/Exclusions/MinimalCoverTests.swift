import Testing
@testable import HVExclude

@Suite struct MinimalCoverTests {
    func path(_ text: String) -> WindowsPath { WindowsPath(text)! }
    let forbidden = MinimalCover.forbiddenFolders(.defaults)

    @Test func onePathPerSpellingAndNothingBelowAnExcludedFolder() {
        let candidates = [
            PathCandidate(path: path(#"d:\vms\app01\virtual machines"#), kind: .directory, reason: "config", evidence: [Evidence(source: "a", detail: "1")], verified: false),
            PathCandidate(path: path(#"D:\VMs\App01\Virtual Machines\"#), kind: .directory, reason: "config", evidence: [Evidence(source: "b", detail: "2")], verified: true),
            PathCandidate(path: path(#"D:\VMs\App01"#), kind: .directory, reason: "data root", evidence: [Evidence(source: "c", detail: "3")], verified: true),
            PathCandidate(path: path(#"D:\VMs\App01\Virtual Hard Disks\a.vhdx"#), kind: .file, reason: "disk", evidence: [], verified: true),
            PathCandidate(path: path(#"D:\VMs\App011"#), kind: .directory, reason: "other VM", evidence: [], verified: true),
        ]
        let (paths, notes) = MinimalCover.cover(candidates, forbidden: forbidden)
        #expect(paths.map(\.path) == [#"D:\VMs\App01"#, #"D:\VMs\App011"#], "a sibling with a common prefix is not a child")
        #expect(notes.isEmpty)
        let root = paths[0]
        #expect(Set(root.reasons) == ["data root", "config", "disk"], "reasons of collapsed entries are kept")
        #expect(root.evidence.count == 3)
    }

    @Test func theVerifiedSpellingWins() {
        let (paths, _) = MinimalCover.cover([
            PathCandidate(path: path(#"C:\USERS\PUBLIC\DOCUMENTS\HYPER-V\VIRTUAL HARD DISKS"#), kind: .directory, reason: "default", evidence: [], verified: false),
            PathCandidate(path: path(#"C:\Users\Public\Documents\Hyper-V\Virtual hard disks"#), kind: .directory, reason: "disk", evidence: [], verified: true),
        ], forbidden: forbidden)
        #expect(paths.map(\.path) == [#"C:\Users\Public\Documents\Hyper-V\Virtual hard disks"#])
        #expect(paths[0].verified)
    }

    @Test(arguments: [#"D:\"#, #"C:\Windows"#, #"C:\Windows\System32"#, #"C:\ProgramData"#, #"C:\ProgramData\Microsoft\Windows"#, #"C:\Users"#, #"C:\Users\Admin"#, #"C:\Program Files"#, #"C:\Users\Public\Documents"#])
    func broadFoldersBecomeTheirFiles(folder: String) {
        let disk = path(folder).appending("x.vhdx")!
        let (paths, notes) = MinimalCover.cover([
            PathCandidate(path: path(folder), kind: .directory, reason: "disk folder", evidence: [], verified: true, fallbackFiles: [disk]),
        ], forbidden: forbidden)
        #expect(paths.map(\.path) == [disk.description])
        #expect(paths.first?.kind == .file)
        #expect(notes.count == 1)
    }

    @Test func aHyperVFolderUnderProgramDataIsAllowed() {
        let (paths, _) = MinimalCover.cover([
            PathCandidate(path: path(#"C:\ProgramData\Microsoft\Windows\Hyper-V"#), kind: .directory, reason: "data root", evidence: [], verified: true),
        ], forbidden: forbidden)
        #expect(paths.map(\.path) == [#"C:\ProgramData\Microsoft\Windows\Hyper-V"#])
    }
}
