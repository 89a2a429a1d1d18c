/// One VM (or checkpoint) configuration as the inventory knows it: where its file is, whether the host
/// registers it, and every file and folder it uses, as typed values.
///
/// The report's `VirtualMachineRecord` is built from this in one step at the end (`Report(_:)`).
struct VirtualMachine: Sendable, Equatable {
    /// `properties/global_id`, else the id the registration names.
    var id: GUID?
    /// `properties/name`.
    var name: String?
    /// `properties/version` (major << 8 | minor).
    var configurationVersion: Int?
    /// `properties/subtype` + 1.
    var generation: Int?
    /// The configuration file and how reading it went.
    var configuration: ConfigurationFile
    /// Whether the host's registrations name it (or, for a checkpoint, its VM's).
    var registered: Bool
    /// The registration entries that name it.
    var registration: [Evidence]
    /// For a checkpoint configuration: the VM it belongs to.
    var checkpointOf: GUID?
    /// The checkpoint ids the configuration lists, upper-case when they are GUIDs.
    var checkpoints: [String]
    /// The VM's folders: data roots (or the folder above `Virtual Machines`), snapshot and smart-paging roots.
    var folders: [UsedPath]
    /// Virtual disks attached, each with its differencing chain.
    var disks: [AttachedDisk]
    /// Attached ISO images.
    var isos: [UsedPath]
    /// Attached virtual floppies.
    var floppies: [UsedPath]
    /// Guest state, saved state and runtime files (and folders) found beside the configuration.
    var stateFiles: [UsedPath]
    /// Every other absolute Windows path in the configuration.
    var otherPaths: [UsedPath]
    /// Problems with this VM, in words.
    var problems: [String]

    /// `configurationVersion` as "major.minor" ("9.0").
    var configurationVersionText: String? { configurationVersion.map { "\($0 >> 8).\($0 & 0xFF)" } }
    /// Whether it is a checkpoint of another VM.
    var isCheckpoint: Bool { checkpointOf != nil }
}

/// A configuration's file format: VMCX (2016+) or XML (up to 2012 R2).
typealias ConfigurationFormat = ConfigTree.Format

/// A VM's configuration file and the outcome of reading it.
struct ConfigurationFile: Sendable, Equatable {
    /// The Windows path (on-disk spelling when found); nil when a registration's path cannot be worked out.
    var path: WindowsPath?
    /// The path as the report shows it: `path`, else the registration's raw text.
    var text: String
    /// Where it was read on this machine.
    var hostPath: String?
    /// What reading it gave.
    var outcome: ReadOutcome

    /// VMCX or XML, when it parsed.
    var format: ConfigurationFormat? {
        if case .parsed(let format) = outcome { return format }
        return nil
    }
    /// Whether the file exists (on a mapped volume).
    var exists: Bool { outcome.exists }
}

/// What looking for and reading one configuration file gave.
enum ReadOutcome: Sendable, Equatable {
    /// Read and understood.
    case parsed(ConfigurationFormat)
    /// An `.xml` file that is not a VM configuration (a decoy): reason.
    case notAConfiguration(String)
    /// Exists, but could not be parsed: the reader's error.
    case unreadable(String)
    /// The path names a folder, device or other non-file.
    case notAFile(EntryKind)
    /// A link whose target could not be worked out: why.
    case unresolvedLink(String)
    /// More than eight links in a row.
    case tooManyLinks
    /// Not on the volume: the resolver's reason.
    case missing(String)
    /// On a drive or prefix that was not given (`C:`, `\\server\share`).
    case unmapped(root: String)
    /// A registration whose configuration path cannot be worked out at all.
    case unresolvableRegistration

    /// Whether the file exists.
    var exists: Bool {
        switch self {
        case .parsed, .notAConfiguration, .unreadable, .notAFile, .unresolvedLink: true
        case .tooManyLinks, .missing, .unmapped, .unresolvableRegistration: false
        }
    }

    /// Why it is missing or unreadable, as the VM's warning says it; nil when parsed.
    var problem: String? {
        switch self {
        case .parsed: nil
        case .notAConfiguration(let reason): reason
        case .unreadable(let error): "unreadable configuration: \(error)"
        case .notAFile(let kind): "is a \(kind.rawValue), not a configuration file"
        case .unresolvedLink(let why): "link: \(why)"
        case .tooManyLinks: "more than 8 links in a row"
        case .missing(let reason): "configuration file is missing: \(reason)"
        case .unmapped(let root): "configuration is on \(root), which was not given (add --drive or --map)"
        case .unresolvableRegistration: nil
        }
    }
}

/// What a path a VM uses is for.
enum PathRole: Sendable, Hashable {
    /// `global_settings/data_root`.
    case dataRoot
    /// The folder above `Virtual Machines` (no data-root key).
    case vmFolder
    /// `global_settings/snapshots/data_root`.
    case snapshotDataRoot
    /// `global_settings/slp_data_root`.
    case smartPagingDataRoot
    /// An attached ISO image.
    case iso
    /// An attached virtual floppy.
    case floppy
    /// A drive slot of another kind.
    case drive(DriveKind)
    /// The guest state file (.vmgs).
    case guestState
    /// Saved state (.vsv, .bin, .vmrs).
    case savedState
    /// A runtime file found beside the configuration.
    case runtimeFile
    /// A runtime folder (`<id>`) found beside the configuration.
    case runtimeFolder
    /// Any other path the configuration names.
    case other

    /// The name the report uses (`dataRoot`, `iso`, `drive NONE`).
    var name: String {
        switch self {
        case .dataRoot: "dataRoot"
        case .vmFolder: "vmFolder"
        case .snapshotDataRoot: "snapshotDataRoot"
        case .smartPagingDataRoot: "smartPagingDataRoot"
        case .iso: "iso"
        case .floppy: "floppy"
        case .drive(let kind): "drive \(kind.typeText ?? "?")"
        case .guestState: "guestState"
        case .savedState: "savedState"
        case .runtimeFile: "runtime"
        case .runtimeFolder: "runtimeFolder"
        case .other: "other"
        }
    }
}

/// A drive slot's `type` value.
enum DriveKind: Sendable, Hashable {
    /// `VHD`: a virtual hard disk.
    case hardDisk
    /// `ISO`: an optical image.
    case iso
    /// `VFD`: a virtual floppy.
    case floppy
    /// Any other value (`NONE`, …), upper-cased.
    case other(String)
    /// No `type` key.
    case unknown

    /// Reads a `type` value (any case).
    init(type: String?) {
        guard let type else { self = .unknown; return }
        switch NTFSName.fold(type) {
        case "VHD": self = .hardDisk
        case "ISO": self = .iso
        case "VFD": self = .floppy
        case let value: self = .other(value)
        }
    }

    /// The `type` value, upper-case; nil when absent.
    var typeText: String? {
        switch self {
        case .hardDisk: "VHD"
        case .iso: "ISO"
        case .floppy: "VFD"
        case .other(let value): value
        case .unknown: nil
        }
    }
}

/// A path a VM uses, whether it exists, and where it was named.
struct UsedPath: Sendable, Equatable {
    /// The Windows path (on-disk spelling when it exists); nil when the text is not an absolute Windows path.
    var path: WindowsPath?
    /// The path as written, when `path` is nil.
    var text: String
    /// What it is for.
    var role: PathRole
    /// Whether it exists on a mapped volume.
    var exists: Bool
    /// Why it could not be checked or found.
    var problem: String?
    /// The configuration key (or rule) that named it.
    var keyPath: String

    /// The path as the report shows it.
    var display: String { path?.description ?? text }
}

/// A virtual disk attached to a VM, with its differencing chain.
struct AttachedDisk: Sendable, Equatable {
    /// The Windows path (on-disk spelling when found); nil when the text is not an absolute Windows path.
    var path: WindowsPath?
    /// The path as written, when `path` is nil.
    var text: String
    /// `ide 0:1`, `scsi 0:0`.
    var controller: String
    /// Key path of `pathname`.
    var keyPath: String
    /// Whether the disk exists.
    var exists: Bool
    /// The disk and each parent down to the base disk (first: the disk itself).
    var chain: [DiskChainLink]

    /// The path as the report shows it.
    var display: String { path?.description ?? text }
}

/// A Hyper-V artifact the walk found, with what the inventory learnt about it.
struct FoundArtifact: Sendable, Equatable {
    /// Windows path.
    var path: WindowsPath
    /// Host path.
    var hostPath: String
    /// What it is.
    var kind: ArtifactKind
    /// The VMs that use it; nil when none does.
    var users: [GUID]?
    /// For a virtual disk: its chain (first link: the disk itself).
    var chain: [DiskChainLink]?

    /// Creates an artifact as the walk classifies it.
    init(path: WindowsPath, hostPath: String, kind: ArtifactKind) {
        self.path = path
        self.hostPath = hostPath
        self.kind = kind
    }
}

/// Something found that no registered VM uses: reported, not excluded (unless `--include-unregistered`).
struct UnreferencedFile: Sendable, Equatable {
    /// Why it is listed.
    enum Reason: Sendable, Equatable, CustomStringConvertible {
        /// A disk no VM uses, directly or as a parent.
        case diskUnused
        /// A disk only unregistered VMs use.
        case diskUsedOnlyByUnregistered([GUID])
        /// An ISO no registered VM attaches.
        case imageUnattached
        /// A configuration no registration names.
        case configurationUnregistered(name: String?, id: GUID?)

        var description: String {
            switch self {
            case .diskUnused: "no VM uses this disk, directly or as a parent"
            case .diskUsedOnlyByUnregistered(let ids):
                "used only by unregistered VMs \(ids.map(\.description).sorted().joined(separator: ", "))"
            case .imageUnattached: "no registered VM attaches this image"
            case .configurationUnregistered(let name, let id):
                "no registration names this configuration (VM \(name ?? "?") \(id?.description ?? ""))"
            }
        }
    }

    /// Windows path.
    var path: WindowsPath
    /// `vmConfiguration`, `virtualDisk` or `iso`.
    var kind: ArtifactKind
    /// Why it is listed.
    var reason: Reason
}

/// A symlink or junction on a scanned volume and its true target.
struct FoundLink: Sendable, Equatable {
    /// The link's Windows path.
    var path: WindowsPath
    /// The link's host path.
    var hostPath: String
    /// Its target as read.
    var target: LinkTarget
}
