import HVXInventory

/// The comparison of the planned exclusions with what the host's Defender already has.
///
/// Each planned entry is `missing`, `present` (configured exactly, after normalising) or `covered` (by a broader
/// configured entry, or by Defender's automatic Hyper-V role exclusions on 2016+ — those apply to real-time
/// protection only). Each configured entry may carry findings: `stale`, `overBroad`, `typo`.
package struct DefenderAudit: Codable, Sendable, Equatable {
    /// What happened to one planned entry.
    package enum Status: String, Codable, Sendable {
        case missing, present, covered
        /// Not found in what the registry shows, but a blind spot (hidden exclusions) means it may be configured:
        /// cannot be known offline, never reported as missing.
        case unknown
    }

    /// Where a configured exclusion lives.
    package enum Origin: String, Codable, Sendable {
        /// `Microsoft\Windows Defender\Exclusions` (Set-MpPreference / Add-MpPreference).
        case preference
        /// `Policies\Microsoft\Windows Defender\Exclusions` (Group Policy).
        case policy
        /// `Policies\Microsoft\Windows Defender\Policy Manager` (MDM: Intune, tenant attach).
        case mdm
        /// Defender's automatic server-role exclusions for Hyper-V (Windows Server 2016 and later).
        case automatic
    }

    /// What kind of exclusion.
    package enum EntryType: String, Codable, Sendable {
        case path, `extension`, process
    }

    /// One planned exclusion and its status on the host.
    package struct PlannedEntry: Codable, Sendable, Equatable {
        /// path, extension or process.
        package var type: EntryType
        /// The planned value (Windows path, extension without dot, process path).
        package var value: String
        /// missing, present or covered.
        package var status: Status
        /// The configured entry that covers or matches it.
        package var matchedBy: String?
        /// Where that entry lives.
        package var matchedOrigin: Origin?
        /// A remark, e.g. that automatic exclusions apply to real-time protection only.
        package var note: String?
    }

    /// One configured exclusion and what is wrong with it.
    package struct ConfiguredEntry: Codable, Sendable, Equatable {
        /// path, extension or process.
        package var type: EntryType
        /// The value as configured.
        package var value: String
        /// preference or policy.
        package var origin: Origin
        /// `stale`, `overBroad`, `typo`; empty when it is fine.
        package var findings: [String]
        /// Why, in words.
        package var messages: [String]
    }

    /// Whether Defender's automatic Hyper-V exclusions apply (Windows Server 2016+, not disabled).
    package var automaticExclusionsApply: Bool
    /// Why they do or do not.
    package var automaticExclusionsReason: String
    /// Every planned entry, in plan order.
    package var planned: [PlannedEntry]
    /// How many exclusions the plan holds (the denominator of "N of M missing").
    package var plannedCount: Int { planned.count }
    /// Every configured entry with its findings.
    package var configured: [ConfiguredEntry]
    /// Number of planned entries that are missing.
    package var missingCount: Int
    /// Defender's state (`active`, `passive`, `disabled`, `notInstalled`, `unknown`), when the hives told.
    var defenderStatus: HostFacts.DefenderState.Status? = nil
    /// Set when Defender is not the engine that scans: its exclusions are not what protects this host.
    package var engineNote: String? = nil
    /// Settings that make part of the configuration invisible offline (the affected entries are `unknown`).
    package var blindSpots: [String]? = nil
    /// Configured sources that exist but do not apply (local preferences under `DisableLocalAdminMerge`).
    package var ignoredSources: [String]? = nil
}
