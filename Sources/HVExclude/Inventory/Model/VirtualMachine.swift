import HVXBinary
import HVXFormats
import HVXVolume
import HVXWalk

/// One VM (or checkpoint) configuration as the inventory knows it: where its file is, whether the host
/// registers it, and every file and folder it uses, as typed values.
///
/// The report's `VirtualMachineRecord` is built from this in one step at the end (`Report(_:)`).
package struct VirtualMachine: Sendable, Equatable {
    /// `properties/global_id`, else the id the registration names.
    package var id: GUID?
    /// `properties/name`.
    package var name: String?
    /// `properties/version` (major << 8 | minor).
    package var configurationVersion: Int?
    /// `properties/subtype` + 1.
    package var generation: Int?
    /// The configuration file and how reading it went.
    package var configuration: ConfigurationFile
    /// Whether the host's registrations name it (or, for a checkpoint, its VM's).
    package var registered: Bool
    /// The registration entries that name it.
    package var registration: [Evidence]
    /// For a checkpoint configuration: the VM it belongs to.
    package var checkpointOf: GUID?
    /// The checkpoint ids the configuration lists, upper-case when they are GUIDs.
    package var checkpoints: [String]
    /// The VM's folders: data roots (or the folder above `Virtual Machines`), snapshot and smart-paging roots.
    package var folders: [UsedPath]
    /// Virtual disks attached, each with its differencing chain.
    package var disks: [AttachedDisk]
    /// Attached ISO images.
    package var isos: [UsedPath]
    /// Attached virtual floppies.
    package var floppies: [UsedPath]
    /// Guest state, saved state and runtime files (and folders) found beside the configuration.
    package var stateFiles: [UsedPath]
    /// Every other absolute Windows path in the configuration.
    package var otherPaths: [UsedPath]
    /// Problems with this VM, in words.
    package var problems: [String]

    /// `configurationVersion` as "major.minor" ("9.0").
    package var configurationVersionText: String? { configurationVersion.map { "\($0 >> 8).\($0 & 0xFF)" } }
    /// Whether it is a checkpoint of another VM.
    var isCheckpoint: Bool { checkpointOf != nil }
}

/// A configuration's file format: VMCX (2016+) or XML (up to 2012 R2).
package typealias ConfigurationFormat = ConfigTree.Format

/// A VM's configuration file and the outcome of reading it.
package struct ConfigurationFile: Sendable, Equatable {
    /// The Windows path (on-disk spelling when found); nil when a registration's path cannot be worked out.
    package var path: WindowsPath?
    /// The path as the report shows it: `path`, else the registration's raw text.
    package var text: String
    /// Where it was read on this machine.
    package var hostPath: String?
    /// What reading it gave.
    package var outcome: ReadOutcome

    /// VMCX or XML, when it parsed.
    package var format: ConfigurationFormat? {
        if case .parsed(let format) = outcome { return format }
        return nil
    }
    /// Whether the file exists (on a mapped volume).
    package var exists: Bool { outcome.exists }
}

/// What looking for and reading one configuration file gave.
package enum ReadOutcome: Sendable, Equatable {
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
    package var exists: Bool {
        switch self {
        case .parsed, .notAConfiguration, .unreadable, .notAFile, .unresolvedLink: true
        case .tooManyLinks, .missing, .unmapped, .unresolvableRegistration: false
        }
    }

    /// Why it is missing or unreadable, as the VM's warning says it; nil when parsed.
    package var problem: String? {
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
package enum PathRole: Sendable, Hashable {
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
    package var name: String {
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
package enum DriveKind: Sendable, Hashable {
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
    package init(type: String?) {
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
package struct UsedPath: Sendable, Equatable {
    /// The Windows path (on-disk spelling when it exists); nil when the text is not an absolute Windows path.
    package var path: WindowsPath?
    /// The path as written, when `path` is nil.
    package var text: String
    /// What it is for.
    package var role: PathRole
    /// Whether it exists on a mapped volume.
    package var exists: Bool
    /// Why it could not be checked or found.
    package var problem: String?
    /// The configuration key (or rule) that named it.
    package var keyPath: String

    /// The path as the report shows it.
    package var display: String { path?.description ?? text }
}

/// A virtual disk attached to a VM, with its differencing chain.
package struct AttachedDisk: Sendable, Equatable {
    /// The Windows path (on-disk spelling when found); nil when the text is not an absolute Windows path.
    package var path: WindowsPath?
    /// The path as written, when `path` is nil.
    package var text: String
    /// `ide 0:1`, `scsi 0:0`.
    package var controller: String
    /// Key path of `pathname`.
    package var keyPath: String
    /// Whether the disk exists.
    package var exists: Bool
    /// The disk and each parent down to the base disk (first: the disk itself).
    package var chain: [DiskChainLink]

    /// The path as the report shows it.
    package var display: String { path?.description ?? text }
}

/// A Hyper-V artifact the walk found, with what the inventory learnt about it.
package struct FoundArtifact: Sendable, Equatable {
    /// Windows path.
    package var path: WindowsPath
    /// Host path.
    package var hostPath: String
    /// What it is.
    package var kind: ArtifactKind
    /// The VMs that use it; nil when none does.
    package var users: [GUID]?
    /// For a virtual disk: its chain (first link: the disk itself).
    package var chain: [DiskChainLink]?

    /// Creates an artifact as the walk classifies it.
    package init(path: WindowsPath, hostPath: String, kind: ArtifactKind) {
        self.path = path
        self.hostPath = hostPath
        self.kind = kind
    }
}

/// Something found that no registered VM uses: reported, not excluded (unless `--include-unregistered`).
package struct UnreferencedFile: Sendable, Equatable {
    /// Why it is listed.
    package enum Reason: Sendable, Equatable, CustomStringConvertible {
        /// A disk no VM uses, directly or as a parent.
        case diskUnused
        /// A disk only unregistered VMs use.
        case diskUsedOnlyByUnregistered([GUID])
        /// An ISO no registered VM attaches.
        case imageUnattached
        /// A configuration no registration names.
        case configurationUnregistered(name: String?, id: GUID?)

        package var description: String {
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
    package var path: WindowsPath
    /// `vmConfiguration`, `virtualDisk` or `iso`.
    package var kind: ArtifactKind
    /// Why it is listed.
    package var reason: Reason

    /// The memberwise initialiser, `package` for the layers above (Swift synthesises it internal).
    package init(path: WindowsPath, kind: ArtifactKind, reason: Reason) {
        self.path = path
        self.kind = kind
        self.reason = reason
    }
}

/// A symlink or junction on a scanned volume and its true target.
package struct FoundLink: Sendable, Equatable {
    /// The link's Windows path.
    package var path: WindowsPath
    /// The link's host path.
    package var hostPath: String
    /// Its target as read.
    package var target: LinkTarget

    /// The memberwise initialiser, `package` for the layers above (Swift synthesises it internal).
    package init(path: WindowsPath, hostPath: String, target: LinkTarget) {
        self.path = path
        self.hostPath = hostPath
        self.target = target
    }
}
