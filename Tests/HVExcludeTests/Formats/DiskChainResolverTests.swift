import Foundation
import Testing

@testable import HVXBinary
@testable import HVXFormats
@testable import HVXInventory
@testable import HVXVolume

@Suite("Disk chain resolver")
struct DiskChainResolverTests {
    func resolver(_ tree: GeneratedDisks.Tree) -> DiskChainResolver {
        DiskChainResolver(map: .drives(["C": tree.path("C"), "D": tree.path("D")]))
    }

    /// Every chain make-disks describes in its manifest: statuses, lengths, Windows paths, candidates.
    @Test(.requires(Requirement.makeDisks)) func generatedChains() throws {
        let tree = try GeneratedDisks.require()
        let resolver = resolver(tree)
        #expect(tree.chains.count >= 8)
        for expected in tree.chains {
            let head = try #require(expected["head"] as? String)
            let chain = resolver.chain(hostPath: tree.path(head))
            let statuses = try #require(expected["statuses"] as? [String])
            #expect(
                chain.map(\.status.rawValue) == statuses, "\(head): \(chain.map { "\($0.status) \($0.reason ?? "")" })")
            #expect(chain.count == expected["length"] as? Int, "\(head)")
            #expect(chain.first?.path.hasPrefix("C:\\") == true, "\(head) is on drive C")
            if let paths = expected["paths"] as? [Any] {
                for (link, path) in zip(chain, paths) {
                    if let path = path as? String { #expect(link.path == path, "\(head)") }
                }
            }
            if let candidates = expected["candidates"] as? [String] {
                #expect(chain.last?.candidates == candidates, "\(head)")
                #expect(chain.last?.path == candidates.first)
            }
            for link in chain {
                #expect(link.verified == (link.status == .start || link.status == .verified))
            }
        }
    }

    @Test(.requires(Requirement.makeDisks)) func depthThreeAcrossDrives() throws {
        let tree = try GeneratedDisks.require()
        let folder = tree.path("C/Hyper-V/VM1/Virtual Hard Disks")
        let head = try #require(try FileManager.default.contentsOfDirectory(atPath: folder).first)
        let chain = resolver(tree).chain(hostPath: folder + "/" + head)
        #expect(chain.map(\.status) == [.start, .verified, .verified])
        #expect(chain.allSatisfy { $0.exists && $0.verified })
        #expect(chain[0].path == #"C:\Hyper-V\VM1\Virtual Hard Disks\"# + head)
        #expect(chain[2].hostPath == tree.path("D/VMs/Base/base.vhdx"))
        #expect(chain[2].disk?.type == .dynamic)
        // The chain encodes for the report.
        let json = try JSONEncoder().encode(chain)
        #expect(String(decoding: json, as: UTF8.self).contains("\"status\":\"verified\""))
    }

    @Test(.requires(Requirement.makeDisks)) func wrongLinkageIsBroken() throws {
        let tree = try GeneratedDisks.require()
        let chain = resolver(tree).chain(hostPath: tree.path("C/Hyper-V/Broken/broken.avhdx"))
        let link = try #require(chain.last)
        #expect(link.status == .broken && link.exists && !link.verified)
        #expect(link.path == #"D:\VMs\Base\base.vhdx"#)
        #expect(link.reason?.contains("does not match") == true)
    }

    @Test(.requires(Requirement.makeDisks)) func differentCaseAbsolutePath() throws {
        let tree = try GeneratedDisks.require()
        let chain = resolver(tree).chain(hostPath: tree.path("C/Hyper-V/CaseTest/case.avhdx"))
        #expect(chain.map(\.status) == [.start, .verified])
        #expect(chain.last?.hostPath == tree.path("D/VMs/Base/base.vhdx"))
    }

    @Test(.requires(Requirement.makeDisks)) func relativePathNeverEscapesTheRoot() throws {
        let tree = try GeneratedDisks.require()
        let chain = resolver(tree).chain(hostPath: tree.path("C/Hyper-V/Escape/escape.avhdx"))
        #expect(chain.last?.status == .unresolved)
        #expect(chain.last?.reason?.contains("climbs above") == true)
        // With the child's own folder as the volume root, nothing above it is reachable either.
        let bare = DiskChainResolver(map: .drives(["C": tree.path("C/Hyper-V/Escape")]))
        #expect(bare.chain(hostPath: tree.path("C/Hyper-V/Escape/escape.avhdx")).last?.status == .unresolved)
    }

    @Test(.requires(Requirement.makeDisks)) func loopIsDetected() throws {
        let tree = try GeneratedDisks.require()
        let chain = resolver(tree).chain(hostPath: tree.path("C/Hyper-V/Loop/a.avhdx"))
        #expect(chain.map(\.status) == [.start, .verified, .loop])
    }

    @Test(.requires(Requirement.makeDisks)) func depthIsCapped() throws {
        let tree = try GeneratedDisks.require()
        var capped = resolver(tree)
        capped.maximumDepth = 2
        let folder = tree.path("C/Hyper-V/VM1/Virtual Hard Disks")
        let head = try #require(try FileManager.default.contentsOfDirectory(atPath: folder).first)
        #expect(capped.chain(hostPath: folder + "/" + head).map(\.status) == [.start, .verified, .tooDeep])
    }

    @Test func volumePathResolvesThroughMountedDevicesLetters() throws {
        let directory = try TemporaryDirectory()
        try directory.write("Virtual Hard Disks/Disk.VHDX")
        let guid = try #require(GUID("0eba351e-5634-46d6-a8cf-4ddc2d6ac0b9"))
        let candidate = VirtualDiskParent.Candidate(
            kind: .volume, path: #"\\?\Volume{0eba351e-5634-46d6-a8cf-4ddc2d6ac0b9}\virtual hard disks\disk.vhdx"#,
            source: "volume_path")
        let unknown = DiskChainResolver(map: .drives(["C": directory.path]))
        guard case .failure = unknown.locate(candidate, childWindows: nil) else {
            Issue.record("an unknown volume resolved"); return
        }
        let known = DiskChainResolver(map: .drives(["C": directory.path]), volumeLetters: [guid: "C"])
        let found = try known.locate(candidate, childWindows: nil).get()
        #expect(found.hostPath == directory.path + "/Virtual Hard Disks/Disk.VHDX")
        #expect(found.windowsPath.description == #"C:\virtual hard disks\disk.vhdx"#)
    }

    @Test(.requires(.sharedFixtures))
    func unresolvedFixtureKeepsEveryCandidate() throws {
        let resolver = DiskChainResolver(map: .drives(["C": Fixtures.path("vhdx")]))
        let chain = resolver.chain(
            hostPath: Fixtures.path("vhdx/differencing-head3MiB.avhdx"),
            windowsPath: WindowsPath(#"C:\Users\Public\Documents\Hyper-V\Virtual hard disks\differencing.avhdx"#))
        let link = try #require(chain.last)
        #expect(chain.count == 2 && link.status == .unresolved && !link.exists && !link.verified)
        let absolute =
            #"C:\Users\Public\Documents\Hyper-V\Virtual hard disks\Generation 1_49C4BAF3-4B25-4406-8C4B-D39E65C32385.avhdx"#
        #expect(link.path == absolute)
        // The relative candidate joins to the same Windows path, so it is listed once; the volume path follows.
        #expect(link.candidates?.first == absolute)
        #expect(link.candidates?.count == 2)
        #expect(link.candidates?.last?.hasPrefix(#"\\?\Volume{"#) == true)
        #expect(link.reason?.contains("relative_path") == true)
    }
}
