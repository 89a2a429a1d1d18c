import HVXExclusions
import HVXReport
import HVXScan
import HVXVolume

/// What `scan` and `audit` are asked to do: the command line's values, typed (``ScanSession/run(_:observer:)``).
public struct ScanRequest: Sendable {
    /// `scan` or `audit` (which also compares the plan with the host's Defender exclusions).
    public enum Command: String, Sendable { case scan, audit }

    public var command: Command
    /// ROOT: the `C:` volume (a folder), or a disk image or block device.
    public var root: String
    /// `--drive X=PATH`, in order.
    public var drives: [DriveRequest] = []
    /// `--map WINPATH=PATH`, in order.
    public var maps: [MapRequest] = []
    /// `--jobs N`; nil: ``ScanOptions/defaultJobs(roots:)``.
    public var jobs: Int?
    /// `--cross-mounts`, `--hive-dir`, `--data-only`, `--mount`.
    public var crossMounts = false, hiveDirectory: String?, dataOnly = false, mount = false
    /// The planner's switches: `--include-unregistered` (`--data-only` implies it), `--extensions`,
    /// `--broad-extensions`, `--plan-deferred`, `--env-paths`.
    public var includeUnregistered = false, extensions = false, broadExtensions = false, planDeferred = false,
        environmentPaths = false
    /// `--replica-storage WINPATH`, in order (what is no absolute Windows path is left out).
    public var replicaStorage: [String] = []
    /// `--output FILE` (checked before the scan starts: ``OutputPlace``); nil: stdout.
    public var output: String?
    /// `audit --against FILE`.
    public var against: String?
    /// `--format`, `--vendor`, `--verbose`, and how `text` is laid out.
    public var format = ReportFormat.json, vendor: VendorProfile?, verbose = false, style = TextStyle()
    /// `--accept-detections`, `--strict`: the exit policy (``ScanOutcome/verdict``).
    public var acceptDetections = false, strict = false

    public init(_ command: Command, root: String) {
        self.command = command
        self.root = root
    }

    /// `--drive X=PATH`.
    public struct DriveRequest: Sendable {
        public var letter: Character, path: String
        public init(letter: Character, path: String) { (self.letter, self.path) = (letter, path) }
    }

    /// `--map WINPATH=PATH`.
    public struct MapRequest: Sendable {
        package var prefix: WindowsPath, path: String
        /// Nil when `windowsPath` is no absolute Windows path (`C:\…`, `\\server\share`, `\\?\Volume{GUID}\`).
        public init?(windowsPath: String, path: String) {
            guard let prefix = WindowsPath(windowsPath) else { return nil }
            (self.prefix, self.path) = (prefix, path)
        }
    }
}

extension ScanOptions {
    /// The scan's options: ROOT as `C:`, then `--drive` and `--map` in order.
    init(_ request: ScanRequest) {
        let root = request.root
        var mappings = [VolumeMap.Mapping(prefix: WindowsPath(root: .drive("C"), components: []), hostRoot: root)]
        for drive in request.drives {
            mappings.append(
                .init(prefix: WindowsPath(root: .drive(drive.letter), components: []), hostRoot: drive.path))
        }
        for map in request.maps { mappings.append(.init(prefix: map.prefix, hostRoot: map.path)) }
        self.init(
            mappings: mappings, jobs: request.jobs ?? ScanOptions.defaultJobs(roots: mappings.map(\.hostRoot)),
            crossMounts: request.crossMounts, hiveDirectory: request.hiveDirectory)
        dataOnly = request.dataOnly
        // A data-only copy has no registrations to tell used from unused: everything found is planned.
        planner = PlannerOptions(
            includeUnregistered: request.includeUnregistered || request.dataOnly, extensions: request.extensions,
            broadExtensions: request.broadExtensions, planDeferred: request.planDeferred,
            environmentPaths: request.environmentPaths,
            replicaStorage: request.replicaStorage.compactMap { WindowsPath($0) })
    }
}
