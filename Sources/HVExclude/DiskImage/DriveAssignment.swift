import HVXBinary
import HVXFormats
import HVXInventory
import HVXVolume

/// Which Windows drive each mounted partition of a disk image is: the `--drive` mappings of a scan.
///
/// The Windows partition (the first holding `Windows\System32\config\SYSTEM`) is scanned as `C:`. The others
/// get the letters the SYSTEM hive's `MountedDevices` gives them — matched by MBR disk signature + partition
/// byte offset, or by GPT partition GUID; a partition named there only by `\??\Volume{GUID}` is mapped as
/// `\\?\Volume{GUID}\`. Without a usable hive, or for a partition it does not name, letters follow partition
/// order from `D:` (skipping letters the hive gives to other disks), each with a warning.
package struct DriveAssignment: Sendable, Equatable {
    /// How a drive was decided.
    package enum Basis: String, Sendable, Equatable {
        /// The partition holds Windows: always `C:`.
        case windowsPartition = "Windows partition"
        /// A `\DosDevices\X:` value of MountedDevices names it.
        case mountedDevices = "MountedDevices"
        /// Only a `\??\Volume{GUID}` value names it.
        case volumeGUID = "MountedDevices volume GUID"
        /// Guessed from partition order.
        case order = "partition order"
    }

    /// One mounted partition and the Windows root it stands for.
    package struct Drive: Sendable, Equatable {
        /// The partition and its mount point.
        package var mounted: MountedPartition
        /// `C:\`, `D:\` or `\\?\Volume{…}\`.
        package var prefix: WindowsPath
        /// How it was decided.
        package var basis: Basis

        /// The memberwise initialiser, `package` for the layers above (Swift synthesises it internal).
        package init(mounted: MountedPartition, prefix: WindowsPath, basis: Basis) {
            self.mounted = mounted
            self.prefix = prefix
            self.basis = basis
        }
    }

    /// The drives, `C:` first, then in partition order.
    package var drives: [Drive]
    /// The partition holding Windows, if one does.
    var windowsPartition: DiskPartition?
    /// Guesses and conflicts, one sentence each.
    package var warnings: [String]

    /// The mappings for ``ScanOptions/mappings``.
    package var mappings: [VolumeMap.Mapping] {
        drives.map {
            VolumeMap.Mapping(prefix: $0.prefix, hostRoot: $0.mounted.mountPoint, fileSystem: $0.mounted.fileSystem)
        }
    }

    /// The same as `hvexclude scan` arguments: ROOT then `--drive X=PATH` / `--map WINPATH=PATH`.
    var commandLineArguments: [String] {
        drives.enumerated().flatMap { index, drive -> [String] in
            if index == 0 && drive.prefix == WindowsPath(root: .drive("C"), components: []) {
                return [drive.mounted.mountPoint]
            }
            if case .drive(let letter) = drive.prefix.root {
                return ["--drive", "\(letter)=\(drive.mounted.mountPoint)"]
            }
            return ["--map", "\(drive.prefix.rootDescription)\\=\(drive.mounted.mountPoint)"]
        }
    }

    /// Assigns drives to the partitions of the image at `imagePath` mounted as `mounted`.
    ///
    /// The image's table is read again only to learn its MBR disk signature when the records lack it.
    /// - Throws: ``SystemError``/``BinaryFormatError`` when the image cannot be read.
    static func assign(imagePath: String, mounted: [MountedPartition]) throws -> DriveAssignment {
        let table = try PartitionTable.read(path: imagePath)
        let completed = mounted.map { item -> MountedPartition in
            var item = item
            if item.partition.diskSignature == nil && item.partition.scheme != .gpt && table.kind == .mbr {
                item.partition.diskSignature = table.diskSignature
            }
            return item
        }
        return DriveAssignment(mounted: completed)
    }

    /// Assigns drives to `mounted` partitions (records carry their MBR disk signature or GPT partition GUID).
    package init(mounted: [MountedPartition]) {
        drives = []
        warnings = []
        windowsPartition = nil
        guard !mounted.isEmpty else { return }
        let systemHive = WindowsPath(root: .drive("C"), components: ["Windows", "System32", "config", "SYSTEM"])
        var windows: (index: Int, hive: String)?
        for (index, item) in mounted.enumerated() {
            let map = VolumeMap([
                .init(
                    prefix: WindowsPath(root: .drive("C"), components: []), hostRoot: item.mountPoint,
                    fileSystem: item.fileSystem)
            ])
            if case .found(let path, .file) = map.resolve(systemHive) {
                windows = (index, path)
                break
            }
        }
        var devices: [HostFacts.MountedDevice] = []
        if let windows {
            windowsPartition = mounted[windows.index].partition
            do {
                let fileSystem = mounted[windows.index].fileSystem
                let hive = try RegistryHive(
                    file: fileSystem.openFile(windows.hive, readBudget: RegistryHive.readBudget), fileSystem: fileSystem
                )
                let facts = HostFacts.read(software: nil, system: hive)
                devices = facts.mountedDevices
                if devices.isEmpty {
                    warnings.append(
                        "the SYSTEM hive of partition \(mounted[windows.index].partition.number) has no MountedDevices values; drive letters follow partition order"
                    )
                }
            } catch {
                warnings.append(
                    "cannot read the SYSTEM hive of partition \(mounted[windows.index].partition.number) (\(error)); drive letters follow partition order"
                )
            }
        } else {
            warnings.append(
                "no partition holds Windows\\System32\\config\\SYSTEM; partition \(mounted[0].partition.number) is scanned as C: and the others get letters by partition order"
            )
        }
        let cIndex = windows?.index ?? 0
        let letterDevices = devices.filter { $0.driveLetter != nil }
        var taken = Set(letterDevices.compactMap { $0.driveLetter?.first })
        taken.insert("C")
        var assigned = Set<Character>(["C"])
        var pending: [(Int, MountedPartition)] = []
        var chosen: [(Int, Drive)] = []

        chosen.append(
            (
                cIndex,
                Drive(
                    mounted: mounted[cIndex], prefix: WindowsPath(root: .drive("C"), components: []),
                    basis: .windowsPartition)
            ))
        if let letter = DriveAssignment.matching(mounted[cIndex].partition, letterDevices).first?.driveLetter,
            letter != "C:"
        {
            warnings.append(
                "MountedDevices names the Windows partition \(mounted[cIndex].partition.number) \(letter), but it is scanned as C:"
            )
        }
        for (index, item) in mounted.enumerated() where index != cIndex {
            let matches = DriveAssignment.matching(item.partition, devices)
            if let letter = matches.compactMap(\.driveLetter).compactMap(\.first).sorted().first(where: {
                !assigned.contains($0)
            }) {
                assigned.insert(letter)
                chosen.append(
                    (
                        index,
                        Drive(
                            mounted: item, prefix: WindowsPath(root: .drive(letter), components: []),
                            basis: .mountedDevices)
                    ))
            } else if let volume = matches.compactMap(\.volume).sorted().first,
                !matches.contains(where: { $0.driveLetter != nil })
            {
                chosen.append(
                    (
                        index,
                        Drive(
                            mounted: item, prefix: WindowsPath(root: .volume(volume), components: []),
                            basis: .volumeGUID)
                    ))
            } else {
                pending.append((index, item))
            }
        }
        var next = Character("D")
        for (index, item) in pending {
            while taken.contains(next) || assigned.contains(next) {
                next = Character(UnicodeScalar(next.asciiValue! + 1))
            }
            guard next <= "Z" else {
                warnings.append("no drive letter left for partition \(item.partition.number); not scanned")
                continue
            }
            assigned.insert(next)
            chosen.append(
                (index, Drive(mounted: item, prefix: WindowsPath(root: .drive(next), components: []), basis: .order)))
            let named = DriveAssignment.matching(item.partition, letterDevices).compactMap(\.driveLetter)
            if !named.isEmpty {
                warnings.append(
                    "MountedDevices names partition \(item.partition.number) \(named.sorted().joined(separator: ", ")), a letter already used here; scanned as \(next): — correct with --drive if that is wrong"
                )
            } else if !devices.isEmpty {
                warnings.append(
                    "MountedDevices does not name partition \(item.partition.number) (\(DriveAssignment.identity(item.partition))); scanned as \(next): by partition order — correct with --drive if that is wrong"
                )
            } else if windows != nil {
                warnings.append(
                    "partition \(item.partition.number) scanned as \(next): by partition order — correct with --drive if that is wrong"
                )
            }
        }
        drives = chosen.sorted { ($0.0 == cIndex ? -1 : $0.0) < ($1.0 == cIndex ? -1 : $1.0) }.map(\.1)
    }

    /// MountedDevices values whose data names `partition`.
    static func matching(_ partition: DiskPartition, _ devices: [HostFacts.MountedDevice]) -> [HostFacts.MountedDevice]
    {
        devices.filter { device in
            switch device.form {
            case "mbr":
                return partition.diskSignature != nil && device.diskSignature == partition.diskSignature
                    && device.partitionOffset == partition.offset && partition.scheme != .gpt
            case "gpt":
                return partition.partitionGUID != nil && device.partitionGUID == partition.partitionGUID
            default:
                return false
            }
        }
    }

    /// How Windows would name the partition, for messages.
    package static func identity(_ partition: DiskPartition) -> String {
        if let guid = partition.partitionGUID { return "GPT partition GUID \(guid)" }
        if let signature = partition.diskSignature {
            return "MBR disk signature \(hex(signature)), offset \(partition.offset)"
        }
        return "offset \(partition.offset)"
    }
}
