/// What a Hyper-V-related entry found on the volume is.
package enum ArtifactKind: String, Sendable, Codable, CaseIterable, Comparable {
    /// `.vhd .vhdx .avhd .avhdx .vhds .vhdpmem`.
    case virtualDisk
    /// A VM configuration (`.vmcx`, or an `.xml` under a Hyper-V folder or GUID-named).
    case vmConfiguration
    /// A copy in `Virtual Machines Cache` (2016+); not a VM of its own.
    case configurationCache
    /// `data.vmcx`, the host's VM registration store.
    case registrationStore
    /// GUID-named `.vmrs .vmgs .vsv .bin`.
    case runtimeState
    /// A GUID-named folder beside a configuration (saved state, checkpoint runtime).
    case runtimeFolder
    /// Resilient change tracking `.rct .mrt`.
    case changeTracking
    /// An ISO image.
    case iso
    /// A virtual floppy `.vfd`.
    case floppy
    /// A Hyper-V or cluster process binary (`vmms.exe`, `vmwp.exe`, …).
    case processBinary
    /// The Hyper-V data root `…\Microsoft\Windows\Hyper-V`.
    case dataRoot
    /// A folder Hyper-V creates by name: `Virtual Machines`, `Snapshots`, `Virtual Hard Disks`.
    case markerFolder
    /// `<volume>\ClusterStorage`, where Cluster Shared Volumes are mounted.
    case clusterStorage
    /// A Hyper-V Replica log (`.hrl`) or undo log (`.hru`).
    case replicaLog
    /// A `Hyper-V Replica` folder: its parent is a replica server's storage location.
    case replicaFolder

    package static func < (lhs: ArtifactKind, rhs: ArtifactKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
