import Testing

@testable import HVXExclusions
@testable import HVXInventory
@testable import HVXVolume

@Suite struct MinimalCoverTests {
    func path(_ text: String) -> WindowsPath { WindowsPath(text)! }

    @Test func onePathPerSpellingAndNothingBelowAnExcludedFolder() {
        let candidates = [
            PathCandidate(
                path: path(#"d:\vms\app01\virtual machines"#), kind: .directory, reason: "config",
                evidence: [Evidence(source: "a", detail: "1")], verified: false),
            PathCandidate(
                path: path(#"D:\VMs\App01\Virtual Machines\"#), kind: .directory, reason: "config",
                evidence: [Evidence(source: "b", detail: "2")], verified: true),
            PathCandidate(
                path: path(#"D:\VMs\App01"#), kind: .directory, reason: "data root",
                evidence: [Evidence(source: "c", detail: "3")], verified: true),
            PathCandidate(
                path: path(#"D:\VMs\App01\Virtual Hard Disks\a.vhdx"#), kind: .file, reason: "disk", evidence: [],
                verified: true),
            PathCandidate(
                path: path(#"D:\VMs\App011"#), kind: .directory, reason: "other VM", evidence: [], verified: true),
        ]
        let paths = MinimalCover.cover(candidates)
        #expect(
            paths.map(\.path) == [#"D:\VMs\App01"#, #"D:\VMs\App011"#], "a sibling with a common prefix is not a child")
        let root = paths[0]
        #expect(Set(root.reasons) == ["data root", "config", "disk"], "reasons of collapsed entries are kept")
        #expect(root.evidence.count == 3)
    }

    @Test func theVerifiedSpellingWins() {
        let paths = MinimalCover.cover([
            PathCandidate(
                path: path(#"C:\USERS\PUBLIC\DOCUMENTS\HYPER-V\VIRTUAL HARD DISKS"#), kind: .directory,
                reason: "default", evidence: [], verified: false),
            PathCandidate(
                path: path(#"C:\Users\Public\Documents\Hyper-V\Virtual hard disks"#), kind: .directory, reason: "disk",
                evidence: [], verified: true),
        ])
        #expect(paths.map(\.path) == [#"C:\Users\Public\Documents\Hyper-V\Virtual hard disks"#])
        #expect(paths[0].verified)
    }

    @Test func aFolderMicrosoftNamesKeepsItsBasis() {
        let paths = MinimalCover.cover([
            PathCandidate(
                path: path(#"C:\ClusterStorage"#), kind: .directory, reason: "folder rule", evidence: [], verified: true
            ),
            PathCandidate(
                path: path(#"C:\ClusterStorage"#), kind: .directory, basis: .microsoftFolder, reason: "CSV",
                evidence: [], verified: true),
            PathCandidate(
                path: path(#"C:\ClusterStorage\Volume1\a.vhdx"#), kind: .file, reason: "disk", evidence: [],
                verified: true),
        ])
        #expect(paths.map(\.path) == [#"C:\ClusterStorage"#])
        #expect(paths.first?.basis == .microsoftFolder)
        #expect(paths.first?.reasons == ["folder rule", "CSV", "disk"])
    }

    @Test func aHyperVFolderUnderProgramDataIsAllowed() {
        let paths = MinimalCover.cover([
            PathCandidate(
                path: path(#"C:\ProgramData\Microsoft\Windows\Hyper-V"#), kind: .directory, reason: "data root",
                evidence: [], verified: true)
        ])
        #expect(paths.map(\.path) == [#"C:\ProgramData\Microsoft\Windows\Hyper-V"#])
    }
}
