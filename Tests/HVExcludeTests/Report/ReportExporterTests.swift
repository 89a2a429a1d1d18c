import Foundation
import Testing

@testable import HVXExclusions
@testable import HVXInventory
@testable import HVXReport
@testable import HVXVolume

/// A report with one of everything, and paths that are hard to quote, shared by the exporter tests.
enum SampleReport {
    /// Paths that stress quoting: a single quote, `$`, spaces, a backtick, a typographic quote, a `"`-free
    /// UNC path and a double backslash-heavy one.
    static let trickyPaths = [
        "C:\\VMs\\O'Brien $x\\a b", "C:\\VMs\\tick`name\\$(Remove-Item C:\\)", "C:\\VMs\\Bob\u{2019}s VM",
        "\\\\nas\\vms\\VM 3",
    ]

    static let plan = ExclusionPlan(
        paths: [
            PathExclusion(
                path: "C:\\ProgramData\\Microsoft\\Windows\\Hyper-V",
                environmentPath: "%ProgramData%\\Microsoft\\Windows\\Hyper-V",
                kind: .directory, form: .folder, reasons: ["Hyper-V data root", "registration store data.vmcx"],
                evidence: [Evidence(source: "C:\\ProgramData\\Microsoft\\Windows\\Hyper-V\\data.vmcx", detail: "file")],
                verified: true)
        ]
            + trickyPaths.map {
                PathExclusion(
                    path: $0, environmentPath: nil, kind: .directory, form: .folder, reasons: ["VM folder of \($0)"],
                    evidence: [], verified: true)
            } + [
                PathExclusion(
                    path: "D:\\Hyper-V\\VM2", environmentPath: nil, kind: .directory, form: .folder,
                    reasons: ["VM folder (configuration on an unmapped drive)"], evidence: [], verified: false),
                PathExclusion(
                    path: "C:\\Shared\\base.vhdx", environmentPath: nil, kind: .file, form: .file,
                    reasons: ["base disk of VM1\nsecond line"], evidence: [], verified: true),
            ],
        extensions: [
            ExtensionExclusion(extension: "vhdx", reason: "virtual hard disk v2"),
            ExtensionExclusion(extension: ".avhdx", reason: "checkpoint disk"),
        ],
        processes: [
            ProcessExclusion(path: "C:\\Windows\\System32\\vmms.exe", reason: "Virtual Machine Management Service")
        ])

    /// Two shares on one SMB server: a VM's folder, one of its disks in a folder it shares, and a share itself.
    static let fileServers = [
        FileServerPlan(
            server: "fs01",
            shares: [
                FileServerPlan.Share(
                    name: "vms",
                    paths: [
                        FileServerPlan.Entry(
                            path: "\\\\fs01\\vms\\Web", relativePath: "Web", kind: .directory,
                            reasons: ["VM folder of Web"], evidence: []),
                        FileServerPlan.Entry(
                            path: "\\\\fs01\\vms\\Golden\\base.vhdx", relativePath: "Golden\\base.vhdx", kind: .file,
                            reasons: ["base disk"], evidence: []),
                    ]),
                FileServerPlan.Share(
                    name: "db",
                    paths: [
                        FileServerPlan.Entry(
                            path: "\\\\fs01\\db", relativePath: "", kind: .directory,
                            reasons: ["share holding only Hyper-V files"], evidence: [])
                    ]),
            ])
    ]

    static func report(audit: Bool = true) -> Report {
        let facts = DefenderAuditorTests.facts(
            preferences: DefenderAuditorTests.preferences(
                paths: ["C:\\ProgramData\\ProgramData\\Microsoft\\Windows\\Hyper-V", "C:\\"],
                extensions: [".xml", "vhdx"]))
        let scan = ScanSummary(
            roots: [ScanRoot(drive: "C:", path: "/mnt/c")], entriesVisited: 1234, directoriesVisited: 56,
            durationSeconds: 1.23456,
            startedAt: "2024-05-01T10:00:00Z", links: [],
            warnings: [
                ReportWarning(
                    path: "C:\\VMs\\broken.vhdx", message: "VHDX header at 0x10000: checksum mismatch; read on"),
                ReportWarning(path: "C:\\VMs\\bad.vmcx", message: "not a VMCX file", severity: .error),
            ])
        let chain = [
            DiskInfo.ChainEntry(
                path: "C:\\VMs\\VM1\\disk_1234.avhdx", exists: true, verified: true, status: .start, reason: nil,
                candidates: nil),
            DiskInfo.ChainEntry(
                path: "C:\\Shared\\base.vhdx", exists: true, verified: true, status: .verified, reason: nil,
                candidates: nil),
            DiskInfo.ChainEntry(
                path: "E:\\Gone\\root.vhdx", exists: false, verified: false, status: .unresolved,
                reason: "no candidate exists",
                candidates: ["E:\\Gone\\root.vhdx", "C:\\Shared\\root.vhdx"]),
        ]
        let artifact = Artifact(
            path: "C:\\VMs\\VM1\\disk_1234.avhdx", hostPath: "/mnt/c/VMs/VM1/disk_1234.avhdx", kind: .virtualDisk,
            vms: ["ID1"],
            disk: DiskInfo(
                format: .vhdx, type: .differencing, virtualSize: 40 << 30, blockSize: 2 << 20, creator: nil,
                parent: "C:\\Shared\\base.vhdx", chain: chain, error: nil))
        let vm = VirtualMachineRecord(
            id: "8A3F2C61-1111-2222-3333-444455556666", name: "VM1", configurationVersion: "9.0", generation: 2,
            configurationFile: "C:\\VMs\\VM1\\Virtual Machines\\8A3F2C61-1111-2222-3333-444455556666.vmcx",
            hostPath: nil,
            format: "vmcx", registered: true, registration: [], exists: true, checkpointOf: nil, checkpoints: [],
            folders: [
                PathRecord(
                    path: "C:\\VMs\\VM1", role: "dataRoot", exists: true, problem: nil,
                    keyPath: "global_settings/data_root")
            ],
            disks: [
                DiskRecord(
                    path: "C:\\VMs\\VM1\\disk_1234.avhdx", controller: "scsi 0:0", keyPath: "k", exists: true,
                    format: .vhdx, type: .differencing, chain: [])
            ],
            dvds: [], floppies: [], files: [], otherPaths: [], warnings: ["saved state file is missing"])
        var report = Report(
            scan: scan, host: facts, virtualMachines: [vm], artifacts: [artifact], exclusions: plan,
            unreferenced: [
                UnreferencedItem(path: "C:\\Old\\orphan.vhdx", kind: .virtualDisk, reason: "no registered VM uses it")
            ])
        if audit {
            report.audit = DefenderAuditor.audit(
                plan: plan, facts: facts, map: VolumeMap.drives(["C": "/nonexistent-hvexclude-test-root"]),
                environment: .defaults)
        }
        return report
    }
}

@Suite("Report exporters")
struct ReportExporterTests {
    @Test("every exporter writes every planned path, extension and process")
    func everyEntry() {
        let report = SampleReport.report()
        let outputs = [
            PowerShellExporter.render(report), ListExporter.render(report), RegExporter.render(report),
            TextExporter.render(report, color: false, width: 10_000),
            TextExporter.render(report, color: false, width: 10_000, verbose: true),
        ]
        for (index, output) in outputs.enumerated() {
            // The text summary names processes by folder (`processes in C:\Windows\System32\: vmms.exe …`).
            let process =
                index == 3 ? "processes in C:\\Windows\\System32\\: vmms.exe" : "C:\\Windows\\System32\\vmms.exe"
            for path in SampleReport.trickyPaths + ["D:\\Hyper-V\\VM2", process] {
                // The reg file doubles backslashes; the others keep them.
                #expect(output.contains(path) || output.contains(path.replacing("\\", with: "\\\\")), "\(path)")
            }
            #expect(output.contains("vhdx") && output.contains("avhdx"))
        }
    }
}
