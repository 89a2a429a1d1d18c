import FoundationEssentials
import HVXDiagnosis
import HVXExclusions
import HVXInventory
import HVXVolume

/// Everything one scan found, as typed values: the walk's figures and links, the inventory, the plan, the
/// audit and every finding. `Report(_:)` turns it into the report in one step.
package struct ScanResult: Sendable {
    /// The mapped roots, in prefix order.
    package var roots: [VolumeMap.Mapping]
    /// Directory entries the walker saw.
    package var entriesVisited: Int
    /// Directories the walker read.
    package var directoriesVisited: Int
    /// Wall time of the whole scan, in seconds (millisecond precision).
    package var durationSeconds: Double
    /// When the scan started.
    package var startedAt: Date
    /// Every link met on the volumes, sorted by Windows path.
    package var links: [FoundLink]
    /// What the readers found.
    package var inventory: HostInventory
    /// The exclusions the host needs.
    package var plan: ExclusionPlan
    /// What to exclude on each SMB file server that holds VM files.
    package var fileServers: [FileServerPlan] = []
    /// The comparison with the host's Defender exclusions, when a SOFTWARE hive was read.
    package var audit: DefenderAudit?
    /// What the event logs say about antivirus locks (docs/diagnosis.md).
    package var diagnosis = Diagnosis()
    /// The event logs the diagnosis read.
    package var eventLogs: [EventLogDiagnosis.LogRead] = []
    /// The problems the walk, the inventory and the planner met (each once).
    package var findings: [Finding]
    /// Problems met before the scan (the disk image, its mounts, hibernation files), added by the caller.
    package var notes: [Finding] = []
    /// ROOT was scanned with `--data-only`: not a Windows system volume (``dataOnlyNote``).
    package var dataOnly = false

    /// What a data-only scan could not know, as its report says.
    static let dataOnlyNote =
        "data-only scan (--data-only): ROOT is not a Windows system volume, so the host's "
        + "Windows version, Hyper-V default folders, services, drive letters, Defender exclusions and VM registrations "
        + "are unknown; every VM and disk found is planned as with --include-unregistered, and default folders are "
        + "Windows Server's built-in ones"
}
