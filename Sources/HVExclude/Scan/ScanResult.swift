import FoundationEssentials

/// Everything one scan found, as typed values: the walk's figures and links, the inventory, the plan, the
/// audit and every finding. `Report(_:)` turns it into the report in one step.
public struct ScanResult: Sendable {
    /// The mapped roots, in prefix order.
    public var roots: [VolumeMap.Mapping]
    /// Directory entries the walker saw.
    public var entriesVisited: Int
    /// Directories the walker read.
    public var directoriesVisited: Int
    /// Wall time of the whole scan, in seconds (millisecond precision).
    public var durationSeconds: Double
    /// When the scan started.
    public var startedAt: Date
    /// Every link met on the volumes, sorted by Windows path.
    public var links: [FoundLink]
    /// What the readers found.
    public var inventory: HostInventory
    /// The exclusions the host needs.
    public var plan: ExclusionPlan
    /// The comparison with the host's Defender exclusions, when a SOFTWARE hive was read.
    public var audit: DefenderAudit?
    /// The problems the walk, the inventory and the planner met (each once).
    public var findings: [Finding]
    /// Problems met before the scan (the disk image, its mounts, hibernation files), added by the caller.
    public var notes: [Finding] = []
}
