/// The event-log signatures of an antivirus holding a VM file (docs/diagnosis.md gives each one's source).
///
/// Classification uses the provider, the event id and the HRESULT found in any data field — never the message
/// text, which is localized.
package enum LockSignature: String, Codable, Sendable, CaseIterable, Comparable {
    /// Hyper-V-Config 4096: the VM configuration is no longer accessible, 0x800704C8 (user-mapped section open).
    case configurationInaccessible
    /// Hyper-V-VMMS 19060: saved-state information unavailable, 0x80070037.
    case savedStateUnavailable
    /// 0x800704C8 ERROR_USER_MAPPED_FILE in another Hyper-V admin event.
    case userMappedFile
    /// 0x80070037 ERROR_DEV_NOT_EXIST in another Hyper-V admin event.
    case deviceNotExist
    /// 0x800703E3 ERROR_OPERATION_ABORTED in a Hyper-V admin event.
    case operationAborted
    /// 0x80070020 sharing violation on a VM file.
    case sharingViolation
    /// 0x80070005 access denied on a VM file.
    case accessDenied
    /// Hyper-V-VMMS 19100: the background merge of a checkpoint (a backup's `.avhdx`) failed with a sharing
    /// violation, 0x80070020, on a VM file.
    case checkpointMergeFailed
    /// A Worker or Config event with a lock code on a checkpoint disk (`.avhdx`).
    case checkpointDiskLocked
    /// A Worker or Config event with a lock code on a change-tracking file (`.rct`, `.mrt`).
    case changeTrackingLocked
    /// A Worker or Config event with a lock code on a runtime state file (`.vmrs`).
    case runtimeStateLocked
    /// Defender Operational 1116, 1006, 1015: malware detected in a VM file — a `detection` finding, never a lock.
    case defenderDetection
    /// Defender Operational 1117/1007 (taken), 1118/1008 (failed), 1119 (critical failure) on a VM file — a
    /// `detection` finding, never a lock.
    case defenderRemediation

    /// The HRESULTs that mean a file was held (KB 3105657 names the first three; DOMAIN.md the win32 codes).
    package static let codes: [UInt32: LockSignature] = [
        0x8007_04C8: .userMappedFile, 0x8007_0037: .deviceNotExist, 0x8007_03E3: .operationAborted,
        0x8007_0020: .sharingViolation, 0x8007_0005: .accessDenied,
    ]

    /// Codes that only count when the event names a VM file: both also have innocent causes (permissions,
    /// backup software) and mean an antivirus only together with a VM file.
    package var needsVMFile: Bool {
        [
            .sharingViolation, .accessDenied, .checkpointMergeFailed, .checkpointDiskLocked, .changeTrackingLocked,
            .runtimeStateLocked,
        ]
        .contains(self)
    }

    /// The Worker/Config signature for a lock code on a file of this extension (lower case, with the dot).
    package static func byFileType(_ extensionKey: String) -> LockSignature? {
        switch extensionKey {
        case ".avhdx", ".avhd": return .checkpointDiskLocked
        case ".rct", ".mrt": return .changeTrackingLocked
        case ".vmrs": return .runtimeStateLocked
        default: return nil
        }
    }

    package static func < (lhs: LockSignature, rhs: LockSignature) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// The event-log channels and providers the diagnosis reads.
package enum DiagnosisChannels {
    /// Hyper-V's admin channels, in the order they are read (Compute-Admin exists from Windows Server 2019).
    package static let hyperV = [
        "Microsoft-Windows-Hyper-V-Config-Admin", "Microsoft-Windows-Hyper-V-VMMS-Admin",
        "Microsoft-Windows-Hyper-V-Worker-Admin", "Microsoft-Windows-Hyper-V-Compute-Admin",
    ]
    /// Defender's operational channel.
    package static let defender = "Microsoft-Windows-Windows Defender/Operational"
    /// Every channel read.
    package static var all: [String] { hyperV + [defender] }

    /// The file name Windows gives a channel's log: `/` written as `%4` (DOMAIN.md "Event logs").
    package static func fileName(_ channel: String) -> String {
        channel.replacing("/", with: "%4") + ".evtx"
    }

    package static let defenderProvider = "Microsoft-Windows-Windows Defender"
    package static let hyperVProviderPrefix = "Microsoft-Windows-Hyper-V-"
}
