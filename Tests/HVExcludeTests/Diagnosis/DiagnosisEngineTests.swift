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

/// The diagnosis rules on values built here: events, VMs and coverage answers in, findings out.
@Suite struct DiagnosisEngineTests {
    static let appID = GUID("9A4D4BE0-3C39-4F0E-8D35-7B8B4A5C1D01")!
    static let dbID = GUID("2B7E151C-28AE-4B8C-9F2E-6A1D3C4B5E02")!
    static func path(_ text: String) -> WindowsPath { WindowsPath(text)! }

    static let vms = [
        DiagnosisVM(id: appID, name: "App01", files: [path("D:\\VMs\\App01")]),
        DiagnosisVM(
            id: dbID, name: "Db01",
            files: [
                path("D:\\VMs\\Db01\\Virtual Machines\\2B7E151C-28AE-4B8C-9F2E-6A1D3C4B5E02.vmcx"),
                path("D:\\Db01.vhdx"),
            ]),
    ]
    /// The plan: App01's folder and Db01's configuration folder and disk.
    static let plan = [path("D:\\VMs\\App01"), path("D:\\VMs\\Db01"), path("D:\\Db01.vhdx")]
    static func planned(_ file: WindowsPath) -> WindowsPath? { plan.first { $0.contains(file) } }
    /// Configured today: only Db01's disk.
    static func configured(_ file: WindowsPath) -> Bool { path("D:\\Db01.vhdx").contains(file) }

    static func event(
        _ channel: String, _ id: UInt32, level: UInt8 = 2, _ time: String, _ fields: [(String, String)],
        provider: String? = nil
    ) -> EVTXEvent {
        let provider =
            provider
            ?? (channel.contains("Defender")
                ? "Microsoft-Windows-Windows Defender"
                : channel.replacingOccurrences(of: "-Admin", with: ""))
        var event = EVTXEvent(
            xml: EVTXElement(name: "Event"), recordIdentifier: 1, written: EVTXTimestamp(iso8601: time)!)
        event.provider = provider
        event.channel = channel
        event.eventId = id
        event.level = level
        event.data = fields.map { EVTXDataField(name: $0.0, value: $0.1) }
        return event
    }

    static let config = "Microsoft-Windows-Hyper-V-Config-Admin"
    static let vmms = "Microsoft-Windows-Hyper-V-VMMS-Admin"
    static let worker = "Microsoft-Windows-Hyper-V-Worker-Admin"
    static let defender = "Microsoft-Windows-Windows Defender/Operational"
    static let appConfig = "D:\\VMs\\App01\\Virtual Machines\\9A4D4BE0-3C39-4F0E-8D35-7B8B4A5C1D01.vmcx"

    static func diagnose(_ events: [EVTXEvent], configured: ((WindowsPath) -> Bool)? = Self.configured) -> Diagnosis {
        DiagnosisEngine.diagnose(events: events, vms: vms, plannedEntry: planned, configuredCovers: configured)
    }

    @Test func configurationLockIsFoundWithTimesCountAndCoverage() throws {
        let fields = [("VmId", Self.appID.description), ("Path", Self.appConfig), ("ErrorCode", "0x800704C8")]
        let result = Self.diagnose([
            Self.event(Self.config, 4096, "2024-05-02T11:30:00Z", fields),
            Self.event(Self.config, 4096, "2024-05-01T10:00:00Z", fields),
        ])
        let finding = try #require(result.findings.first)
        #expect(result.findings.count == 1)
        #expect(finding.vm == Self.appID)
        #expect(finding.vmName == "App01")
        #expect(finding.file == Self.path(Self.appConfig))
        #expect(finding.signatures == [.configurationInaccessible])
        #expect(finding.codes == [0x8007_04C8])
        #expect(finding.first.description == "2024-05-01T10:00:00.0000000Z")
        #expect(finding.last.description == "2024-05-02T11:30:00.0000000Z")
        #expect(finding.count == 2)
        // Missed by today's configured exclusions, covered by the plan's folder entry.
        #expect(finding.coveredByPlan)
        #expect(finding.coveredByConfigured == false)
        #expect(finding.plannedEntries == [Self.path("D:\\VMs\\App01")])
        #expect(
            result.summary
                == "1 VM hit by file locks (2 events), last on 2024-05-02 11:30 UTC; not covered today by the configured exclusions: \(Self.appConfig) — the plan covers it with D:\\VMs\\App01"
        )
    }

    @Test func savedStateFailureNamesTheVMByNameAndCoversAllItsFiles() throws {
        let result = Self.diagnose([
            Self.event(Self.vmms, 19060, "2024-05-01T10:00:05Z", [("VmName", "db01"), ("ErrorCode", "0x80070037")])
        ])
        let finding = try #require(result.findings.first)
        #expect(finding.vm == Self.dbID)
        #expect(finding.file == nil)
        #expect(finding.signatures == [.savedStateUnavailable])
        #expect(finding.coveredByPlan)
        // Db01's disk is configured, its configuration is not: the plan's D:\VMs\Db01 would cover it.
        #expect(finding.coveredByConfigured == false)
        #expect(finding.plannedEntries == [Self.path("D:\\VMs\\Db01")])
    }

    @Test func codeInAnotherEventKeepsItsOwnSignature() throws {
        let result = Self.diagnose([
            Self.event(
                Self.vmms, 15080, "2024-05-03T09:15:00Z",
                [("Path", "D:\\Db01.vhdx"), ("Error", "%%2147943395 (0x800703E3)")])
        ])
        let finding = try #require(result.findings.first)
        #expect(finding.signatures == [.operationAborted])
        #expect(finding.vm == Self.dbID)
        #expect(finding.coveredByConfigured == true)
        #expect(finding.plannedEntries.isEmpty)
        #expect(result.summary.hasSuffix("; all covered by the configured exclusions"))
    }

    @Test(arguments: [
        ("0x80070020", "C:\\Users\\x\\report.docx"),  // a sharing violation on a file no VM uses
        ("0x80070005", ""),  // access denied with no file at all
    ])
    func sharingViolationAndAccessDeniedNeedAVMFile(_ code: String, _ file: String) {
        let result = Self.diagnose([
            Self.event(
                Self.worker, 12010, "2024-05-03T09:16:00Z", [("VmName", "App01"), ("Path", file), ("ErrorCode", code)])
        ])
        #expect(result.findings.isEmpty)
    }

    @Test func sharingViolationOnAVMDiskIsAFinding() throws {
        let disk = "D:\\VMs\\App01\\Virtual Hard Disks\\App01.vhdx"
        let result = Self.diagnose([
            Self.event(
                Self.worker, 12010, "2024-05-03T09:16:00Z",
                [("Message", "Failed to open attachment '\(disk)'"), ("Status", "-2147024864")])
        ])
        let finding = try #require(result.findings.first)
        #expect(finding.signatures == [.sharingViolation])
        #expect(finding.file == Self.path(disk))
        #expect(finding.vm == Self.appID)
    }

    @Test func messageTextAndInformationalEventsDoNotCount() {
        let result = Self.diagnose([
            // The localized message alone says nothing: no HRESULT in any field.
            Self.event(
                Self.config, 4096, "2024-05-01T10:00:00Z",
                [("Path", Self.appConfig), ("ErrorMessage", "user-mapped section open")]),
            Self.event(
                Self.config, 4096, level: 4, "2024-05-01T10:00:00Z",
                [("Path", Self.appConfig), ("ErrorCode", "0x800704C8")]),
            // Not a Hyper-V provider.
            Self.event(
                "System", 7036, "2024-05-01T10:00:00Z", [("Path", Self.appConfig), ("ErrorCode", "0x800704C8")],
                provider: "Service Control Manager"),
        ])
        #expect(result.findings.isEmpty)
    }

    @Test func defenderDetectionAndRemediationOnAVMFileMerge() throws {
        let fields = [
            ("Threat Name", "Trojan:Win32/Wacatac.B!ml"), ("Path", "process:_pid:4120; file:_D:\\Db01.vhdx"),
            ("Action Name", "Quarantine"),
        ]
        let result = Self.diagnose([
            Self.event(Self.defender, 1116, level: 3, "2024-05-05T12:00:00Z", fields),
            Self.event(Self.defender, 1117, level: 4, "2024-05-05T12:00:30Z", fields),
            Self.event(
                Self.defender, 1116, level: 3, "2024-05-05T12:01:00Z",
                [("Path", "file:_C:\\Users\\x\\Downloads\\tool.exe")]),
        ])
        let finding = try #require(result.findings.first)
        #expect(result.findings.count == 1)
        #expect(finding.signatures == [.defenderDetection, .defenderRemediation])
        #expect(finding.count == 2)
        #expect(finding.vm == Self.dbID)
        #expect(finding.codes.isEmpty)
        #expect(finding.kind == .detection)
        #expect(finding.detection?.threat == "Trojan:Win32/Wacatac.B!ml")
        // 1117 quarantined the threat after its detection: remediated, so nothing is held.
        #expect(finding.detection?.remediated == true)
        #expect(result.heldDetections.isEmpty)
        #expect(result.locks.isEmpty)
    }

    static let wacatac = [
        ("Threat Name", "Trojan:Win32/Wacatac.B!ml"), ("Severity Name", "Severe"),
        ("Process Name", "C:\\Windows\\System32\\vmwp.exe"), ("Path", "file:_D:\\Db01.vhdx"),
    ]
    static func defenderEvent(_ id: UInt32, _ time: String, action: String) -> EVTXEvent {
        event(defender, id, level: 3, time, wacatac + [("Action Name", action)])
    }

    /// Only a taken action (1117, 1007) that quarantined or removed the threat, after its last detection or failed
    /// action, ends the hold (DOMAIN.md, "Defender events").
    @Test(
        arguments: [
            ([(1116, "Not Applicable")], false),
            ([(1006, "Not Applicable")], false),
            ([(1015, "Not Applicable")], false),
            ([(1116, "Not Applicable"), (1117, "Quarantine")], true),
            ([(1116, "Not Applicable"), (1007, "Remove")], true),
            ([(1116, "Not Applicable"), (1117, "Clean")], false),
            ([(1116, "Not Applicable"), (1117, "Allow")], false),
            ([(1116, "Not Applicable"), (1118, "Quarantine")], false),
            ([(1116, "Not Applicable"), (1119, "Remove")], false),
            ([(1116, "Not Applicable"), (1117, "Quarantine"), (1116, "Not Applicable")], false),
            ([(1117, "Quarantine"), (1118, "Quarantine")], false),
        ] as [([(UInt32, String)], Bool)])
    func onlyATakenQuarantineOrRemovalEndsTheHold(_ sequence: [(UInt32, String)], _ remediated: Bool) throws {
        let events = sequence.enumerated().map { index, step in
            Self.defenderEvent(step.0, "2024-05-05T12:0\(index):00Z", action: step.1)
        }
        let result = Self.diagnose(events)
        let finding = try #require(result.findings.first)
        #expect(result.findings.count == 1)
        #expect(finding.kind == .detection)
        #expect(finding.detection?.remediated == remediated)
        #expect(result.heldDetections.count == (remediated ? 0 : 1))
        #expect(finding.detection?.events.map(\.id) == sequence.map { Int($0.0) })
        #expect(finding.detection?.severity == "Severe")
        #expect(finding.detection?.process == "C:\\Windows\\System32\\vmwp.exe")
        #expect(finding.detection?.action == sequence.last?.1)
    }

    @Test func detectionsAndLocksAreCountedApartAndTheDetectionComesFirst() throws {
        let result = Self.diagnose([
            Self.event(
                Self.worker, 12010, "2024-05-03T09:16:00Z",
                [("VmId", Self.dbID.description), ("Path", "D:\\Db01.vhdx"), ("ErrorCode", "0x80070020")]),
            Self.defenderEvent(1116, "2024-05-04T02:00:00Z", action: "Not Applicable"),
        ])
        #expect(result.findings.map(\.kind) == [.detection, .lock])
        #expect(
            result.summary.hasPrefix(
                "Malware detected in D:\\Db01.vhdx on 2024-05-04 02:00 UTC (Trojan:Win32/Wacatac.B!ml): investigate before excluding; 1 malware detection (1 Defender event); 1 VM hit by file locks (1 event), last on 2024-05-03 09:16 UTC"
            ))
    }

    @Test func aHeldDetectionHoldsEveryPlannedEntryCoveringTheFileAndNoOther() throws {
        let result = Self.diagnose([Self.defenderEvent(1116, "2024-05-04T02:00:00Z", action: "Not Applicable")])
        func entry(_ path: String, _ kind: PathExclusion.Kind, _ form: PathExclusion.Form) -> PathExclusion {
            PathExclusion(
                path: path, environmentPath: nil, kind: kind, form: form, reasons: ["test"], evidence: [],
                verified: true)
        }
        var plan = ExclusionPlan()
        plan.paths = [
            entry("D:\\Db01.vhdx", .file, .file), entry("D:\\Db01*.vhdx", .file, .pattern),
            entry("D:\\Db01_*.avhdx", .file, .pattern), entry("D:\\VMs", .directory, .folder),
        ]
        let held = EventLogDiagnosis.holding(plan, result)
        #expect(held.paths.map { $0.hold != nil } == [true, true, false, false])
        let hold = try #require(held.paths.first?.hold)
        #expect(
            hold
                == EntryHold(
                    reason: "detection", threat: "Trojan:Win32/Wacatac.B!ml",
                    events: [
                        HoldEvent(
                            id: 1116, time: "2024-05-04T02:00:00.0000000Z", file: "D:\\Db01.vhdx",
                            action: "Not Applicable")
                    ]))
        // Remediated: nothing held.
        let removed = Self.diagnose([
            Self.defenderEvent(1116, "2024-05-04T02:00:00Z", action: "Not Applicable"),
            Self.defenderEvent(1117, "2024-05-04T02:01:00Z", action: "Quarantine"),
        ])
        #expect(EventLogDiagnosis.holding(plan, removed).paths.allSatisfy { $0.hold == nil })
    }

    @Test func checkpointMergeFailureAndLifecycleFileLocks() throws {
        let result = Self.diagnose([
            Self.event(
                Self.vmms, 19100, "2024-05-03T01:00:00Z",
                [("VmName", "Db01"), ("Path", "D:\\Db01_8F1C.avhdx"), ("ErrorCode", "0x80070020")]),
            Self.event(
                Self.worker, 12010, "2024-05-03T01:01:00Z",
                [("VmId", Self.dbID.description), ("Path", "D:\\Db01.vhdx.rct"), ("ErrorCode", "0x800704C8")]),
            Self.event(
                Self.worker, 12011, "2024-05-03T01:02:00Z",
                [("VmId", Self.appID.description), ("Path", "D:\\VMs\\App01\\x.vmrs"), ("ErrorCode", "0x80070037")]),
            Self.event(
                Self.config, 4097, "2024-05-03T01:03:00Z",
                [("VmId", Self.appID.description), ("Path", "D:\\VMs\\App01\\x_1.avhdx"), ("ErrorCode", "0x80070020")]),
            // 19100 with another code, or on a file that is no VM's and no Hyper-V type: not a lock.
            Self.event(
                Self.vmms, 19100, "2024-05-03T01:04:00Z",
                [("Path", "C:\\Temp\\notes.txt"), ("ErrorCode", "0x80070020")]),
        ])
        let signatures = Dictionary(
            uniqueKeysWithValues: result.findings.map { ($0.file?.description ?? "", $0.signatures) })
        #expect(signatures["D:\\Db01_8F1C.avhdx"] == [.checkpointMergeFailed])
        #expect(signatures["D:\\Db01.vhdx.rct"] == [.changeTrackingLocked])
        #expect(signatures["D:\\VMs\\App01\\x.vmrs"] == [.runtimeStateLocked])
        #expect(signatures["D:\\VMs\\App01\\x_1.avhdx"] == [.checkpointDiskLocked])
        #expect(result.findings.count == 4)
        #expect(result.findings.allSatisfy { $0.kind == .lock })
    }

    @Test func exclusionChangesAreListedOthersIgnored() {
        let result = Self.diagnose([
            Self.event(
                Self.defender, 5007, level: 4, "2024-05-06T08:00:00Z",
                [
                    ("Old Value", ""),
                    ("New Value", "HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Exclusions\\Paths\\D:\\Hyper-V = 0x0"),
                ]),
            Self.event(
                Self.defender, 5007, level: 4, "2024-05-06T08:01:00Z",
                [
                    ("Old Value", ""),
                    ("New Value", "HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\IsServiceRunning = 0x1"),
                ]),
        ])
        #expect(
            result.exclusionChanges.map(\.newValue) == [
                "HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Exclusions\\Paths\\D:\\Hyper-V = 0x0"
            ])
        #expect(result.findings.isEmpty)
    }

    @Test func unknownConfigurationAndUnknownVM() throws {
        let result = Self.diagnose(
            [
                Self.event(
                    Self.config, 4096, "2024-05-01T10:00:00Z",
                    [("Path", "E:\\Old\\Lost.vmcx"), ("ErrorCode", "0x800704c8")])
            ], configured: nil)
        let finding = try #require(result.findings.first)
        #expect(finding.vm == nil)
        #expect(finding.file == Self.path("E:\\Old\\Lost.vmcx"))
        #expect(finding.coveredByPlan == false)
        #expect(finding.coveredByConfigured == nil)
        #expect(
            result.summary
                == "1 VM hit by file locks (1 event), last on 2024-05-01 10:00 UTC; the configured exclusions are unknown (no SOFTWARE hive)"
        )
    }

    @Test(
        arguments: [
            ("0x800704C8", 0x8007_04C8), ("code -2147023672", nil), ("-2147023672", 0x8007_04C8),
            ("2147942432", 0x8007_0020),
            ("0x800704C81", nil), ("0x80070002", nil), ("(0x80070037)", 0x8007_0037),
        ] as [(String, UInt32?)])
    func hresultForms(_ text: String, _ expected: UInt32?) {
        #expect(DiagnosisEngine.hresult(in: text) == expected)
    }
}
