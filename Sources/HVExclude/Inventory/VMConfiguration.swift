import HVXBinary
import HVXFormats

/// What a VM configuration (VMCX or XML) says about the VM: identity, version, generation, drives and every
/// Windows path it names, each with the key path it came from as evidence.
///
/// Paths stay Windows strings (`C:\Disks\a.vhdx`) here; mapping them onto mounted volumes happens later.
package struct VMConfiguration: Sendable, Equatable {
    /// The IDE controller key, the same in every VM.
    static let ideControllerKey = "_83f8638b-8dca-4152-9eda-2ca8b33039b4_"
    /// The floppy controller key, the same in every VM.
    static let floppyControllerKey = "_8f0d2762-0b00-4e04-af4f-19010527cb93_"
    /// The device id of a synthetic SCSI controller in `configuration/manifest/vdevNNN/device`.
    static let scsiDeviceID = "d422512d-2bf2-4752-809d-7b82b5fcb1b4"
    /// The key of the guest-state device holding `StateFilePath`.
    static let guestStateKey = "_917bd8cb-3bb6-4124-9383-b7d21ac07f79_"

    /// Kinds of storage controller.
    package enum ControllerKind: String, Sendable, Codable {
        /// Emulated IDE (generation 1).
        case ide
        /// Synthetic SCSI, found through the manifest.
        case scsi
        /// Emulated floppy.
        case floppy
        /// A `controllerN/driveM` layout under any other device key.
        case other
    }

    /// One drive slot `controllerN/driveM`.
    package struct Drive: Sendable, Equatable {
        /// Controller kind.
        var controllerKind: ControllerKind
        /// The controller's device key as stored (`_83f8638b-…_`).
        var controllerKey: String
        /// N of `controllerN`.
        package var controller: Int
        /// M of `driveM`.
        package var drive: Int
        /// `type`: VHD, ISO, VFD, NONE, ….
        package var kind: DriveKind
        /// `pathname`; nil when absent or empty.
        package var path: String?
        /// Key path of `pathname` (evidence).
        package var keyPath: String

        /// The memberwise initialiser, `package` for the layers above (Swift synthesises it internal).
        package init(
            controllerKind: ControllerKind,
            controllerKey: String,
            controller: Int,
            drive: Int,
            kind: DriveKind,
            path: String?,
            keyPath: String
        ) {
            self.controllerKind = controllerKind
            self.controllerKey = controllerKey
            self.controller = controller
            self.drive = drive
            self.kind = kind
            self.path = path
            self.keyPath = keyPath
        }
    }

    /// What a path is for.
    package enum PathRole: String, Sendable, Codable {
        /// A virtual hard disk (drive type VHD).
        case disk
        /// An optical image (drive type ISO).
        case iso
        /// A floppy image (drive type VFD).
        case floppy
        /// A drive path of another or missing type.
        case drive
        /// `global_settings/data_root`.
        case dataRoot
        /// `global_settings/snapshots/data_root`.
        case snapshotDataRoot
        /// `global_settings/slp_data_root` (smart paging).
        case smartPagingDataRoot
        /// Saved state (`savedstate/…`, `vsvlocation`, `memlocation`).
        case savedState
        /// Guest state file (`StateFilePath`, .vmgs).
        case guestState
        /// Any other absolute Windows path found in the tree.
        case other
    }

    /// One Windows path named by the configuration.
    package struct PathReference: Sendable, Equatable, Codable {
        /// What the path is for.
        package var role: PathRole
        /// The Windows path as stored.
        package var path: String
        /// The key path it came from (`configuration/_83f8638b-…_/controller0/drive0/pathname`).
        package var keyPath: String
    }

    /// Format of the file the configuration came from.
    package var format: ConfigTree.Format
    /// `properties/global_id`, when it is a GUID.
    package var id: GUID?
    /// `properties/name`.
    package var name: String?
    /// `properties/version` (major << 8 | minor), e.g. 2304.
    package var configurationVersion: Int?
    /// `properties/subtype` + 1.
    package var generation: Int?
    /// Every drive slot, empty ones included, in tree order.
    package var drives: [Drive]
    /// Every Windows path the tree names, with its role and key path, in tree order; one entry per key.
    package var paths: [PathReference]
    /// Snapshot ids listed under `global_settings/snapshots/list`.
    var snapshots: [String]
    /// Problems met reading the file and interpreting the tree.
    package var warnings: [Diagnostic]

    /// `configurationVersion` as "major.minor" ("9.0"), or nil.
    var configurationVersionString: String? {
        configurationVersion.map { "\($0 >> 8).\($0 & 0xFF)" }
    }

    /// Paths with `role`.
    package func paths(_ role: PathRole) -> [PathReference] { paths.filter { $0.role == role } }
    /// `global_settings/data_root`, when set.
    package var dataRoot: PathReference? { paths(.dataRoot).first }
    /// `global_settings/snapshots/data_root`, when set.
    package var snapshotDataRoot: PathReference? { paths(.snapshotDataRoot).first }
    /// `global_settings/slp_data_root`, when set.
    package var smartPagingDataRoot: PathReference? { paths(.smartPagingDataRoot).first }
    /// The guest state file (.vmgs), when set.
    var guestStateFile: PathReference? { paths(.guestState).first }

    /// Reads a configuration file (VMCX or XML, chosen by content).
    /// - Throws: the reader's errors, or ``VMConfigXMLError`` when the file is not a VM configuration.
    package static func read(path: String) throws -> VMConfiguration {
        try VMConfiguration(tree: try ConfigTree.read(path: path))
    }

    /// Reads a configuration through an open reader.
    /// - Throws: as ``read(path:)``.
    package static func read(file: FileReader) throws -> VMConfiguration {
        try VMConfiguration(tree: try ConfigTree.read(file: file))
    }

    /// Interprets a key tree.
    /// - Throws: ``VMConfigXMLError`` ("not a Hyper-V VM configuration: …") when `configuration/properties` has no
    ///   `global_id`: a registration store, a resource-type file or an unrelated XML file.
    package init(tree: ConfigTree) throws {
        guard let configuration = tree.node(at: "configuration"), configuration.isNode else {
            throw VMConfigXMLError.noConfigurationKey(found: Array(tree.root.children.map(\.name).prefix(3)))
        }
        guard let idText = configuration.string(at: "properties/global_id") else {
            throw VMConfigXMLError.noGlobalID
        }
        format = tree.format
        warnings = tree.warnings
        id = GUID(idText)
        if id == nil {
            warnings.append(.configIdNotGUID, "configuration/properties/global_id '\(idText)' is not a GUID")
        }
        name = configuration.string(at: "properties/name")
        configurationVersion = configuration.integer(at: "properties/version").flatMap { Int(exactly: $0) }
        generation = configuration.integer(at: "properties/subtype").flatMap { Int(exactly: $0) }.map { $0 + 1 }
        drives = []
        paths = []
        snapshots = []

        // SCSI controllers are per-VM instances named in the manifest.
        var scsiKeys = Set<String>()
        if let manifest = configuration.child(named: "manifest") {
            for vdev in manifest.children where vdev.isNode {
                guard let device = vdev.string(at: "device"), NTFSName.equal(device, VMConfiguration.scsiDeviceID),
                    let instance = vdev.string(at: "instance")
                else { continue }
                scsiKeys.insert(NTFSName.fold("_\(instance)_"))
            }
        }

        var claimed = Set<String>()
        for device in configuration.children where device.isNode {
            let kind: ControllerKind
            if NTFSName.equal(device.name, VMConfiguration.ideControllerKey) {
                kind = .ide
            } else if scsiKeys.contains(NTFSName.fold(device.name)) {
                kind = .scsi
            } else if NTFSName.equal(device.name, VMConfiguration.floppyControllerKey) {
                kind = .floppy
            } else {
                kind = .other
            }
            for controller in device.children where controller.isNode {
                guard let n = VMConfiguration.number(controller.name, prefix: "controller") else { continue }
                for slot in controller.children where slot.isNode {
                    guard let m = VMConfiguration.number(slot.name, prefix: "drive") else { continue }
                    let base = "configuration/\(device.name)/\(controller.name)/\(slot.name)"
                    let driveKind = DriveKind(type: slot.string(at: "type"))
                    let pathKey = slot.child(named: "pathname")
                    let keyPath = "\(base)/\(pathKey?.name ?? "pathname")"
                    var path = pathKey?.value.stringValue
                    if path?.isEmpty == true { path = nil }
                    drives.append(
                        Drive(
                            controllerKind: kind, controllerKey: device.name, controller: n, drive: m,
                            kind: driveKind, path: path, keyPath: keyPath))
                    if let path {
                        let role: PathRole
                        switch driveKind {
                        case .hardDisk: role = .disk
                        case .iso: role = .iso
                        case .floppy: role = .floppy
                        case .other, .unknown: role = .drive
                        }
                        paths.append(PathReference(role: role, path: path, keyPath: keyPath))
                        claimed.insert(keyPath)
                    }
                }
            }
        }

        if let list = configuration.node(at: "global_settings/snapshots/list") {
            for entry in list.children where !NTFSName.equal(entry.name, "size") {
                if let text = entry.value.stringValue, !text.isEmpty { snapshots.append(text) }
            }
        }

        // Every other absolute Windows path, classified by where it sits.
        configuration.forEach(path: "configuration") { keyPath, node in
            guard let text = node.value.stringValue, VMConfiguration.isWindowsPath(text), !claimed.contains(keyPath)
            else { return }
            paths.append(PathReference(role: VMConfiguration.role(ofKeyPath: keyPath), path: text, keyPath: keyPath))
        }
    }

    /// Whether `text` looks like an absolute Windows path: `X:\…`, `X:/…`, `\\server\…`, `\\?\…`, or `%VAR%\…`.
    static func isWindowsPath(_ text: String) -> Bool {
        let u = Array(text.utf8.prefix(3))
        if u.count >= 3, (u[0] | 0x20) >= 0x61, (u[0] | 0x20) <= 0x7A, u[1] == 0x3A, u[2] == 0x5C || u[2] == 0x2F {
            return true
        }
        if text.hasPrefix("\\\\") && text.utf8.count > 2 { return true }
        if text.hasPrefix("%"), let close = text.dropFirst().firstIndex(of: "%") {
            let rest = text[text.index(after: close)...]
            return close > text.index(after: text.startIndex) && (rest.isEmpty || rest.hasPrefix("\\"))
        }
        return false
    }

    private static func role(ofKeyPath keyPath: String) -> PathRole {
        let parts = keyPath.lowercased().split(separator: "/").map(String.init)
        let last = parts.last ?? ""
        if parts.count >= 3, parts[1] == "global_settings" {
            if parts.count == 3 && last == "data_root" { return .dataRoot }
            if parts.count == 4 && parts[2] == "snapshots" && last == "data_root" { return .snapshotDataRoot }
            if parts.count == 3 && last == "slp_data_root" { return .smartPagingDataRoot }
        }
        if parts.contains("savedstate") || last == "vsvlocation" || last == "memlocation" || last == "binlocation" {
            return .savedState
        }
        if last == "statefilepath" && parts.dropLast().last == guestStateKey { return .guestState }
        return .other
    }

    private static func number(_ name: String, prefix: String) -> Int? {
        guard name.count > prefix.count, NTFSName.hasPrefix(name, prefix) else { return nil }
        let digits = name.dropFirst(prefix.count)
        guard digits.count <= 6, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(digits)
    }
}
