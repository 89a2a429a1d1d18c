import HVXInventory
import HVXVolume

/// Everything exclusion policy v2 decides from, as plain typed values (docs/exclusion-policy.md).
///
/// The planner never reads hives or configurations itself: a scan fills this in from its inventory
/// (``PolicyInput/init(inventory:map:options:)``) and a unit test builds it directly in Swift. What lies on the
/// volumes is asked of ``VolumeQueries``, which a test can also build in memory.
package struct PolicyInput: Sendable {
    /// The Windows release, when a SOFTWARE hive said it.
    package var release: WindowsRelease?
    /// `%VAR%` values (the host's, else Windows' defaults).
    package var environment: WindowsEnvironment
    /// `%ProgramData%\Microsoft\Windows\Hyper-V` in its on-disk spelling.
    package var dataRoot: WindowsPath
    /// Where Hyper-V creates new VMs and disks (registry values, else the built-in defaults).
    package var defaultFolders: [DefaultFolder]
    /// Hyper-V and cluster services of the SYSTEM hive (vmms, vmcompute, ClusSvc); empty without a SYSTEM hive.
    package var services: [ServiceFact]
    /// SMB shares (SYSTEM `Services\LanmanServer\Shares`): folders that may never be excluded whole.
    package var shares: [Share]
    /// Every VM and checkpoint configuration, registered or not.
    package var virtualMachines: [VMInput]
    /// Disks and ISOs no registered VM uses (planned only with `--include-unregistered`).
    package var unreferenced: [UnreferencedFile]
    /// Cluster facts, when this is a cluster node.
    package var cluster: ClusterInput?
    /// Hyper-V Replica storage locations on this host (a replica server).
    package var replicaStorage: [ReplicaStorage]
    /// Replica log files (`.hrl`) found on the scanned volumes.
    package var replicaLogs: [WindowsPath]
    /// VHD Set files (`.vhds`) and the `.avhdx` files found on the scanned volumes.
    package var setFiles: [WindowsPath]
    /// The user's choices.
    package var options: PlannerOptions
    /// Problems met while building the input (a default folder that is not a Windows path), passed on.
    package var findings: [Finding] = []

    /// Creates an input; everything but the environment and data root defaults to empty.
    package init(
        release: WindowsRelease? = nil, environment: WindowsEnvironment = .defaults, dataRoot: WindowsPath? = nil,
        defaultFolders: [DefaultFolder] = [], services: [ServiceFact] = [], shares: [Share] = [],
        virtualMachines: [VMInput] = [], unreferenced: [UnreferencedFile] = [], cluster: ClusterInput? = nil,
        replicaStorage: [ReplicaStorage] = [], replicaLogs: [WindowsPath] = [], setFiles: [WindowsPath] = [],
        options: PlannerOptions = PlannerOptions()
    ) {
        self.release = release
        self.environment = environment
        self.dataRoot =
            dataRoot ?? environment.path("%ProgramData%\\Microsoft\\Windows\\Hyper-V")
            ?? WindowsPath(root: .drive("C"), components: ["ProgramData", "Microsoft", "Windows", "Hyper-V"])
        self.defaultFolders = defaultFolders
        self.services = services
        self.shares = shares
        self.virtualMachines = virtualMachines
        self.unreferenced = unreferenced
        self.cluster = cluster
        self.replicaStorage = replicaStorage
        self.replicaLogs = replicaLogs
        self.setFiles = setFiles
        self.options = options
    }

    /// A Windows release as the policy names it: a server generation, or a client named as such.
    package struct WindowsRelease: Sendable, Equatable {
        /// "Windows Server 2019", "Windows 11".
        package var name: String
        /// The server generation whose Hyper-V file types apply (a client takes the one its build matches).
        package var generation: HostFacts.WindowsGeneration
        /// Whether this is a client Windows (10, 11, …) with Hyper-V.
        package var isClient: Bool
        /// What said so.
        package var evidence: Evidence
    }

    /// A folder Hyper-V creates new VMs or disks in.
    package struct DefaultFolder: Sendable, Equatable {
        /// The folder.
        package var path: WindowsPath
        /// `DefaultExternalDataRoot` or `DefaultVirtualHardDiskPath`.
        package var valueName: String
        /// Whether the registry set it (false: the built-in default).
        package var fromRegistry: Bool
        /// What said so.
        package var evidence: Evidence
    }

    /// A service key of the SYSTEM hive.
    package struct ServiceFact: Sendable, Equatable {
        /// The key name (`vmms`, `vmcompute`, `ClusSvc`).
        package var name: String
        /// Whether the key exists.
        package var present: Bool
        /// `ImagePath` as stored.
        package var imagePath: String?
        /// The key.
        package var evidence: Evidence
    }

    /// One SMB share of this host.
    package struct Share: Sendable, Equatable {
        /// The share name.
        package var name: String
        /// The shared folder.
        package var path: WindowsPath
        /// The registry value.
        package var evidence: Evidence

        /// The memberwise initialiser, `package` for the report's plan check (Swift synthesises it internal).
        package init(name: String, path: WindowsPath, evidence: Evidence) {
            self.name = name
            self.path = path
            self.evidence = evidence
        }
    }

    /// A file or folder a VM uses, or a folder it names as a Hyper-V root.
    package struct VMPath: Sendable, Equatable {
        /// What the VM uses it for.
        package enum Role: String, Sendable, Equatable {
            /// A data root (configuration, checkpoints, runtime state) named by the configuration, or the folder
            /// above its `Virtual Machines` folder.
            case dataRoot
            /// The checkpoint data root.
            case snapshotRoot
            /// The smart paging folder.
            case smartPagingRoot
            /// The configuration file.
            case configuration
            /// Runtime or guest state (`.vmrs .vmgs .vsv .bin`).
            case state
            /// A GUID-named runtime folder beside the configuration.
            case runtimeFolder
            /// An attached virtual disk.
            case disk
            /// A parent of an attached differencing disk.
            case parentDisk
            /// An attached ISO image.
            case iso
            /// An attached virtual floppy.
            case floppy

            /// Roots the VM names: folders Hyper-V owns, which may be planned whole but need not exist as files do.
            package var isRoot: Bool { self == .dataRoot || self == .snapshotRoot || self == .smartPagingRoot }
        }

        /// The path.
        package var path: WindowsPath
        /// What it is for.
        package var role: Role
        /// Why, in words ("virtual disk (scsi 0:0)").
        package var what: String
        /// The configuration key (or rule) that named it.
        package var evidence: Evidence
        /// For a folder named only by inference (the folder above `Virtual Machines`).
        package var inferred: Bool

        /// Creates a VM path.
        package init(path: WindowsPath, role: Role, what: String, evidence: Evidence, inferred: Bool = false) {
            self.path = path
            self.role = role
            self.what = what
            self.evidence = evidence
            self.inferred = inferred
        }
    }

    /// One VM or checkpoint configuration.
    package struct VMInput: Sendable, Equatable {
        /// `properties/global_id`, upper-case.
        package var id: String?
        /// `properties/name`.
        package var name: String?
        /// Whether the host registers it.
        package var registered: Bool
        /// For a checkpoint: the VM's id.
        package var checkpointOf: String?
        /// The configuration file.
        package var configurationFile: WindowsPath?
        /// Whether the configuration file exists.
        package var exists: Bool
        /// The registration entries that name it.
        package var registration: [Evidence]
        /// Everything it uses, disk chains included.
        package var paths: [VMPath]
        /// `properties/version` as major << 8 | minor (0x0902 for 9.0), when read.
        package var configurationVersion: Int?

        /// Creates a VM input.
        package init(
            id: String?, name: String?, registered: Bool, checkpointOf: String? = nil, configurationFile: WindowsPath?,
            exists: Bool, registration: [Evidence] = [], paths: [VMPath], configurationVersion: Int? = nil
        ) {
            self.configurationVersion = configurationVersion
            self.id = id
            self.name = name
            self.registered = registered
            self.checkpointOf = checkpointOf
            self.configurationFile = configurationFile
            self.exists = exists
            self.registration = registration
            self.paths = paths
        }

        /// Whether the configuration is an XML file (Windows Server 2012 R2 and before) rather than VMCX.
        package var isXMLConfiguration: Bool {
            HyperVFiles.fileExtension(configurationFile?.lastComponent ?? "") == "xml"
        }

        /// Whether Hyper-V keeps resilient change tracking (`.rct`/`.mrt`) for its disks: configuration version 6.2
        /// and later (a VMCX configuration of unknown version counts as one).
        package var usesChangeTracking: Bool {
            if let configurationVersion { return configurationVersion >= 0x0602 }
            return !isXMLConfiguration && configurationFile != nil
        }

        /// "VM 'Web01'" or "checkpoint 'Web01 - (…)'".
        package var label: String {
            let name = self.name.map { "'\($0)'" } ?? id ?? "?"
            return checkpointOf == nil ? "VM \(name)" : "checkpoint \(name)"
        }
    }

    /// A disk or ISO no registered VM uses.
    package struct UnreferencedFile: Sendable, Equatable {
        /// The file.
        package var path: WindowsPath
        /// Why it is listed.
        package var reason: String
    }

    /// A failover cluster node's facts.
    package struct ClusterInput: Sendable, Equatable {
        /// Cluster Shared Volume names known from the cluster database ("Volume1").
        package var sharedVolumes: [String]
        /// What named them.
        package var sharedVolumeEvidence: [Evidence]
        /// VM store roots of clustered VMs (`ConfigStoreRootPath`, `VmStoreRootPath`).
        package var vmStores: [VMPath]
        /// The witness disk's drive, when the quorum resource could be tied to a drive letter.
        package var witness: Witness?
        /// Why no witness folder can be named, when a witness disk exists but its drive is unknown.
        package var witnessProblem: String?

        /// Creates cluster facts.
        package init(
            sharedVolumes: [String] = [], sharedVolumeEvidence: [Evidence] = [], vmStores: [VMPath] = [],
            witness: Witness? = nil, witnessProblem: String? = nil
        ) {
            self.sharedVolumes = sharedVolumes
            self.sharedVolumeEvidence = sharedVolumeEvidence
            self.vmStores = vmStores
            self.witness = witness
            self.witnessProblem = witnessProblem
        }

        /// The disk witness.
        package struct Witness: Sendable, Equatable {
            /// Its drive root (`Q:\`).
            package var drive: WindowsPath
            /// The quorum key, the resource and the MountedDevices value that tie it to the drive.
            package var evidence: [Evidence]
        }
    }

    /// A Hyper-V Replica storage location.
    package struct ReplicaStorage: Sendable, Equatable {
        /// The folder.
        package var path: WindowsPath
        /// What named it.
        package var evidence: Evidence
        /// Whether a source confirms it is a storage location (false: inferred from the folders on disk).
        package var confirmed: Bool
    }
}
