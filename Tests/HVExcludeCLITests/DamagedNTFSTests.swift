import Foundation
import Testing

@testable import HVXSession

/// `hvexclude scan IMAGE` over real NTFS images damaged by scripts/make-ntfs-damaged: each damage ends in its
/// named warning and exit 1 (the healthy twin exits 0), and the orphaned subtrees' Hyper-V files are in the report.
/// ntfs-3g and `fls -r` show `Stale` and `CycA` where their folder's index lists them; the native scan shows them
/// under `C:\$Orphans` (the MFT's parent links are broken) and names the index that still lists them.
@Suite(.serialized) struct DamagedNTFSTests {
    /// The images, made once (read-only after; the suite is serialized).
    nonisolated(unsafe) static let work: (folder: TemporaryFolder, records: [String: Int])? = {
        guard let folder = try? TemporaryFolder(),
            (try? Shell.check(NativeScanTests.script + "/make-ntfs-damaged", [folder.path])) != nil,
            let data = FileManager.default.contents(atPath: folder.path + "/facts.json"),
            let facts = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let records = facts["records"] as? [String: Int]
        else { return nil }
        return (folder, records)
    }()

    /// The verdict (the exit policy), warning messages, and every Windows path in the report that names an `.iso`.
    static func scan(_ image: String) throws -> (verdict: ScanVerdict, warnings: [String], files: Set<String>) {
        let work = try #require(Self.work, "scripts/make-ntfs-damaged failed")
        let run = try InProcess.outcome(["scan", work.folder.path + "/" + image, "--data-only", "--quiet"])
        let report = try CLI.json(run.stdout)
        let scan = try #require(report["scan"] as? [String: Any])
        let warnings = (scan["warnings"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
        var files: Set<String> = []
        func collect(_ value: Any) {
            if let text = value as? String, text.hasPrefix("C:\\"), text.hasSuffix(".iso") { files.insert(text) }
            if let object = value as? [String: Any] { object.values.forEach(collect) }
            if let array = value as? [Any] { array.forEach(collect) }
        }
        collect(report)
        return (run.verdict, warnings, files)
    }

    static let healthyFiles: Set<String> = [
        #"C:\a.iso"#, #"C:\VMs\Disks\d.iso"#, #"C:\Stale\s.iso"#, #"C:\CycA\CycB\c.iso"#,
        #"C:\Hidden\h.iso"#,
    ]

    @Test("the healthy twin scans with exit 0 and no NTFS warning", .requires(.ntfsMount))
    func healthy() throws {
        let result = try Self.scan("healthy.img")
        #expect(result.verdict == .success, "\(result.warnings)")
        #expect(result.files == Self.healthyFiles)
    }

    @Test(
        "orphans by stale sequence and by cycle are under $Orphans, named, scanned; the index check names the rest",
        .requires(.ntfsMount))
    func orphans() throws {
        let records = try #require(Self.work?.records)
        let result = try Self.scan("orphans.img")
        #expect(result.verdict == .finishedWithErrors)
        let stale = try #require(records["Stale"])
        let cycA = try #require(records["CycA"])
        let cycB = try #require(records["CycA/CycB"])
        #expect(
            result.warnings.contains {
                $0.hasSuffix(
                    "MFT record \(stale) (folder \"Stale\"): orphaned, its parent reference names record 5 with sequence 6, but that record "
                        + #"has sequence 5 (a stale reference); placed under \$Orphans\Stale"#)
            }, "\(result.warnings)")
        #expect(
            result.warnings.contains {
                $0.hasSuffix(
                    "MFT record \(cycA) (folder \"CycA\"): orphaned, its parent chain is a cycle (records \(cycA) → \(cycB) → \(cycA)); "
                        + #"placed under \$Orphans\CycA"#)
            }, "\(result.warnings)")
        #expect(result.warnings.contains { $0.contains(#"the folder's index ($I30) lists "Stale""#) })
        let hidden = try #require(records["Hidden/h.iso"])
        #expect(
            result.warnings.contains {
                $0.contains(
                    "MFT record \(hidden) (\"h.iso\") names this folder as its parent, but the folder's index ($I30) does not list it"
                )
            })
        #expect(
            result.files == [
                #"C:\a.iso"#, #"C:\VMs\Disks\d.iso"#, #"C:\$Orphans\Stale\s.iso"#,
                #"C:\$Orphans\CycA\CycB\c.iso"#, #"C:\Other\h.iso"#,
            ])
    }

    @Test("a zeroed primary boot sector is read through the backup, with a warning and exit 1", .requires(.ntfsMount))
    func damagedBootSector() throws {
        let result = try Self.scan("bad-boot.img")
        #expect(result.verdict == .finishedWithErrors)
        #expect(
            result.warnings.contains {
                $0.contains("the boot sector is damaged") && $0.contains("read with the backup boot sector at 0xFFFE00")
            },
            "\(result.warnings)")
        #expect(result.files == Self.healthyFiles)
    }

    @Test("a BAAD $MFT record 0 is read through $MFTMirr, with a warning and exit 1", .requires(.ntfsMount))
    func damagedMFTRecordZero() throws {
        let result = try Self.scan("bad-mft0.img")
        #expect(result.verdict == .finishedWithErrors)
        #expect(
            result.warnings.contains {
                $0.contains("$MFT's record 0 is damaged (MFT record 0: marked BAAD") && $0.contains("$MFTMirr")
            },
            "\(result.warnings)")
        #expect(
            result.warnings.contains {
                $0.hasSuffix(
                    "MFT record 0: marked BAAD (a multi-sector write failed); its copy in $MFTMirr is read instead")
            })
        #expect(!result.warnings.contains { $0.contains("($I30)") }, "\(result.warnings)")
        #expect(result.files == Self.healthyFiles)
    }
}
