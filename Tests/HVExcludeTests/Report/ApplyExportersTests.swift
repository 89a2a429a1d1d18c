import Foundation
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

/// A plan with one of every form — folder, file, pattern, process, extension — and an artifact the pattern matches
/// today, for the CSV, vendor, Registry.pol and Intune exporters.
enum FormsReport {
    static let paths = [
        PathExclusion(
            path: "D:\\VMs\\App01\\Virtual Hard Disks", environmentPath: nil, kind: .directory, form: .folder,
            reasons: ["disk folder, \"quoted\""], evidence: [], verified: true),
        PathExclusion(
            path: "D:\\Db01.vhdx", environmentPath: nil, kind: .file, form: .file, reasons: ["disk at a volume root"],
            evidence: [], verified: true),
        PathExclusion(
            path: "D:\\Db01_*.avhdx", environmentPath: nil, kind: .file, form: .pattern, lifecycle: .checkpoint,
            reasons: ["next checkpoint"], evidence: [], verified: false),
        PathExclusion(
            path: "C:\\ProgramData\\Microsoft\\Windows\\Hyper-V",
            environmentPath: "%ProgramData%\\Microsoft\\Windows\\Hyper-V", kind: .directory,
            form: .folder, reasons: ["Hyper-V data root"], evidence: [], verified: true),
    ]

    static func report() -> Report {
        var report = SampleReport.report(audit: false)
        report.exclusions = ExclusionPlan(
            paths: paths, extensions: [ExtensionExclusion(extension: "vhdx", reason: "virtual hard disk")],
            processes: [
                ProcessExclusion(path: "C:\\Windows\\System32\\vmms.exe", reason: "Virtual Machine Management Service")
            ])
        report.artifacts = [
            "D:\\Db01_0A1B2C3D-0000-4000-8000-000000000001.avhdx", "D:\\Db01.vhdx", "D:\\Other_x.avhdx",
        ].map {
            Artifact(path: $0, hostPath: "/mnt/d/x", kind: .virtualDisk, vms: ["ID1"], disk: nil)
        }
        return report
    }
}

@Suite("CSV, vendor profiles, Registry.pol and Intune")
struct ApplyExportersTests {
    /// An RFC 4180 reader written from the RFC, apart from the exporter.
    static func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            if quoted {
                if character == "\"" {
                    if characters.first == "\"" {
                        field.append("\""); characters = characters.dropFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                row.append(field); field = ""
            } else if character == "\r\n" {
                row.append(field); rows.append(row); row = []; field = ""
            } else {
                field.append(character)
            }
        }
        return rows
    }

    @Test func csvHasOneRowPerEntryWithItsForm() throws {
        let text = CSVExporter.render(FormsReport.report())
        #expect(text.hasSuffix("\r\n") && !text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        let rows = Self.parseCSV(text)
        #expect(rows.first == ["form", "path", "reason", "verified", "hold"])
        #expect(
            rows.dropFirst().map { [$0[0], $0[1], $0[3]] } == [
                ["folder", "D:\\VMs\\App01\\Virtual Hard Disks", "true"], ["file", "D:\\Db01.vhdx", "true"],
                ["pattern", "D:\\Db01_*.avhdx", "false"],
                ["folder", "C:\\ProgramData\\Microsoft\\Windows\\Hyper-V", "true"],
                ["extension", ".vhdx", "true"], ["process", "C:\\Windows\\System32\\vmms.exe", "true"],
            ])
        #expect(rows[1][2] == "disk folder, \"quoted\"", "a comma and quotes survive quoting")
        #expect(rows.allSatisfy { $0.count == 5 })
        #expect(!text.contains("%ProgramData%"), "real paths only: a console may not expand variables")
    }

    @Test func csvNamesTheThreatOfAHeldEntry() {
        var report = FormsReport.report()
        report.exclusions.paths[1].hold = EntryHold(reason: "detection", threat: "EICAR-Test-File", events: [])
        #expect(Self.parseCSV(CSVExporter.render(report))[2][4] == "EICAR-Test-File")
    }

    @Test func esetWritesFoldersWithBackslashStarAndKeepsMasksAndVariables() {
        let lines = VendorProfile.eset.lines(FormsReport.report())
        #expect(
            lines == [
                "path:D:\\VMs\\App01\\Virtual Hard Disks\\*", "path:D:\\Db01.vhdx", "path:D:\\Db01_*.avhdx",
                "path:%ProgramData%\\Microsoft\\Windows\\Hyper-V\\*",
                "unsupported:.vhdx — ESET's performance exclusions take paths, not a host-wide extension; the plan's folders and files already cover Hyper-V's files",
                "process:C:\\Windows\\System32\\vmms.exe",
            ])
    }

    @Test func sophosCannotWriteAPatternInOneFolderAndListsTheFilesItMatchesToday() {
        let lines = VendorProfile.sophos.lines(FormsReport.report())
        #expect(lines[0] == "path:D:\\VMs\\App01\\Virtual Hard Disks\\")
        #expect(lines[1] == "path:D:\\Db01.vhdx")
        #expect(
            lines[2].hasPrefix("unsupported:D:\\Db01_*.avhdx — Sophos takes * only as [file name].* or *.[extension]"))
        #expect(
            lines[3] == "path:D:\\Db01_0A1B2C3D-0000-4000-8000-000000000001.avhdx",
            "only the file the pattern matches, never the folder")
        #expect(!lines.contains("path:D:\\Other_x.avhdx") && !lines.contains("path:D:\\"))
        #expect(
            lines[4] == "path:C:\\ProgramData\\Microsoft\\Windows\\Hyper-V\\", "no variables: Sophos documents none")
        #expect(Array(lines.suffix(2)) == ["path:*.vhdx", "process:C:\\Windows\\System32\\vmms.exe"])
    }

    @Test func trendMicroUsesItsThreeListsAndCannotWriteAProcess() {
        let lines = VendorProfile.trendmicro.lines(FormsReport.report())
        #expect(
            Array(lines.prefix(5)) == [
                "directory:D:\\VMs\\App01\\Virtual Hard Disks\\", "file:D:\\Db01.vhdx", "file:D:\\Db01_*.avhdx",
                "directory:C:\\ProgramData\\Microsoft\\Windows\\Hyper-V\\", "extension:vhdx",
            ])
        #expect(
            lines[5].hasPrefix(
                "unsupported:C:\\Windows\\System32\\vmms.exe — Apex One's scan exclusions list directories, files and extensions"
            ))
        #expect(lines.count == 6)
    }

    @Test func trendMicroSaysWhenAListHoldsMoreThan256Items() {
        var report = FormsReport.report()
        report.exclusions.paths = (0..<257).map {
            PathExclusion(
                path: "D:\\VMs\\VM\($0)", environmentPath: nil, kind: .directory, form: .folder, reasons: [],
                evidence: [], verified: true)
        }
        let lines = VendorProfile.trendmicro.lines(report)
        #expect(
            lines.last?.hasPrefix(
                "unsupported:257 directory entries, more than the 256 one Trend Micro Apex One list holds") == true)
        report.exclusions.paths.removeLast()
        #expect(!VendorProfile.trendmicro.lines(report).contains { $0.contains("more than the 256") })
    }

    @Test func aVolumeRootKeepsOneBackslash() {
        #expect(VendorProfile.eset.folder("D:\\") == "path:D:\\*")
        #expect(VendorProfile.sophos.folder("D:\\") == "path:D:\\")
    }

    @Test func registryPolHasTheDocumentedHeaderAndInstructions() throws {
        let report = FormsReport.report()
        let bytes = RegistryPolicyExporter.render(report).bytes
        #expect(Array(bytes.prefix(8)) == [0x50, 0x52, 0x65, 0x67, 1, 0, 0, 0])
        // Read the instructions back with a reader written here from the format's description.
        var reader = ByteReader(bytes, structure: "Registry.pol")
        try reader.skip(8)
        var read: [(key: String, value: String, type: UInt32, data: [UInt8])] = []
        func string() throws -> String {
            var units: [UInt16] = []
            while true { let unit = try reader.u16(.little); if unit == 0 { break }; units.append(unit) }
            return String(decoding: units, as: UTF16.self)
        }
        while reader.remaining > 0 {
            #expect(try reader.u16(.little) == 0x5B)
            let key = try string()
            #expect(try reader.u16(.little) == 0x3B)
            let value = try string()
            #expect(try reader.u16(.little) == 0x3B)
            let type = try reader.u32(.little)
            #expect(try reader.u16(.little) == 0x3B)
            let size = try reader.u32(.little)
            #expect(try reader.u16(.little) == 0x3B)
            let data = try reader.bytes(count: Int(size))
            #expect(try reader.u16(.little) == 0x5D)
            read.append((key, value, type, data))
        }
        let key = "Software\\Policies\\Microsoft\\Windows Defender\\Exclusions"
        #expect(
            read.filter { $0.key == key }.map(\.value) == [
                "Exclusions_Paths", "Exclusions_Extensions", "Exclusions_Processes",
            ])
        #expect(
            read.filter { $0.key == key + "\\Paths" }.map(\.value)
                == FormsReport.paths.map { $0.environmentPath ?? $0.path })
        #expect(read.filter { $0.key == key + "\\Extensions" }.map(\.value) == [".vhdx"])
        #expect(read.filter { $0.key.hasSuffix("\\Paths") }.allSatisfy { $0.type == 1 && $0.data == [0x30, 0, 0, 0] })
    }

    @Test func registryPolLeavesOutWhatItCannotHold() {
        var report = FormsReport.report()
        let long = "D:\\" + String(repeating: "a", count: 257)
        report.exclusions.paths.append(
            PathExclusion(
                path: long, environmentPath: nil, kind: .directory, form: .folder, reasons: [], evidence: [],
                verified: true))
        report.exclusions.paths[0].hold = EntryHold(reason: "detection", threat: "EICAR-Test-File", events: [])
        let (instructions, refused) = RegistryPolicyExporter.instructions(report)
        #expect(!instructions.contains { $0.value == long || $0.value == FormsReport.paths[0].path })
        #expect(
            refused.count == 2 && refused[0].contains("held")
                && refused[1].contains("260 characters, more than the 259"))
        let fits = "D:\\" + String(repeating: "a", count: 256)
        report.exclusions.paths.append(
            PathExclusion(
                path: fits, environmentPath: nil, kind: .directory, form: .folder, reasons: [], evidence: [],
                verified: true))
        #expect(RegistryPolicyExporter.instructions(report).instructions.contains { $0.value == fits })
    }

    @Test func intuneRefusesTheSeparatorAndJoinsTheRest() throws {
        var report = FormsReport.report()
        report.exclusions.processes.append(ProcessExclusion(path: "C:\\bad|name.exe", reason: "damaged"))
        let (settings, refused) = IntuneExporter.settings(report)
        #expect(
            settings.map(\.uri)
                == ["ExcludedPaths", "ExcludedExtensions", "ExcludedProcesses"].map {
                    "./Device/Vendor/MSFT/Policy/Config/Defender/" + $0
                })
        #expect(settings[0].value == FormsReport.paths.map { $0.environmentPath ?? $0.path }.joined(separator: "|"))
        #expect(settings[1].value == "vhdx")
        #expect(settings[2].items == ["C:\\Windows\\System32\\vmms.exe"])
        #expect(refused == ["C:\\bad|name.exe: holds '|', the separator of ExcludedProcesses; it cannot be written"])
        let json = try IntuneExporter.render(report).json
        #expect(json.contains("no length limit is documented"))
    }

    @Test func planIdentityNamesTheContent() {
        let report = FormsReport.report()
        let identity = PlanIdentity.of(report.exclusions)
        #expect(identity.count == 20 && identity.hasPrefix("hvx-"))
        #expect(PlanIdentity.of(FormsReport.report().exclusions) == identity)
        var changed = report.exclusions
        changed.paths[1].path = "D:\\Db02.vhdx"
        #expect(PlanIdentity.of(changed) != identity)
        var reordered = report.exclusions
        reordered.paths.swapAt(0, 1)
        #expect(PlanIdentity.of(reordered) != identity)
    }
}
