import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// `hvexclude scan ROOT` when ROOT is a disk image or block device rather than a folder (docs/rescue.md).
///
/// Without `--mount` it lists the partitions and prints the exact commands that mount the NTFS ones read-only,
/// then exits 2. With `--mount` (as root) it mounts them under a private temporary folder, assigns drive letters
/// (``DriveAssignment``), runs the ordinary scan, and unmounts and detaches again — also after errors and on
/// SIGINT, SIGTERM and SIGHUP.
public enum DiskImageScan {
    /// The ordinary scan, given the mappings of the mounted partitions and notes for the report.
    public typealias Scan = (_ mappings: [VolumeMap.Mapping], _ notes: [Finding]) -> ExitCode

    /// Whether `path` is a regular file or a block device (after following links), i.e. not a folder to walk.
    public static func isImage(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        let type = info.st_mode & S_IFMT
        return type == S_IFREG || type == S_IFBLK
    }

    /// Runs `scan`/`audit` for an image ROOT.
    public static func run(_ options: CommandLineOptions, scan: Scan) -> ExitCode {
        let root = options.arguments[0]
        guard isImage(root) else {
            printError("hvexclude: --mount takes a disk image file or a block device as ROOT; \(root) is not one (a mounted folder needs no --mount)")
            return .usage
        }
        let table: PartitionTable
        do {
            table = try PartitionTable.read(path: root)
        } catch {
            printError("hvexclude: could not scan: cannot read the disk image \(root): \(error)")
            return .couldNotScan
        }
        if table.kind == .unknown, let format = virtualDiskFormat(root) {
            printError("hvexclude: could not scan: \(root) is a \(format) virtual disk, not a raw disk image or a mounted folder. "
                + "Expose it read-only as a block device and scan that (docs/rescue.md):\n"
                + "  modprobe nbd max_part=8\n  qemu-nbd --read-only --connect=/dev/nbd0 \(quote(root))\n"
                + "  hvexclude scan /dev/nbd0 --mount -o report.json\n  qemu-nbd --disconnect /dev/nbd0")
            return .couldNotScan
        }
        guard options.mount else {
            printError("hvexclude: could not scan: \(root) is a disk image, not a mounted folder\n\n" + listing(table, image: root) + "\n" + instructions(table, image: root))
            return .couldNotScan
        }
        guard !table.ntfsPartitions.isEmpty else {
            printError("hvexclude: could not scan: \(DiskImageError.noNTFSPartition(root))\n\n" + listing(table, image: root))
            return .couldNotScan
        }
        let session: ImageMountSession
        do {
            session = try ImageMountSession(imagePath: root)
        } catch {
            printError("hvexclude: could not scan: \(error)\n\n" + instructions(table, image: root))
            return .couldNotScan
        }
        let handlers = installSignalHandlers(session)
        defer { removeSignalHandlers(handlers) }
        var notes = table.warnings.map { Finding(.image, path: root, message: $0, severity: .warning) }
        var mounted: [MountedPartition] = []
        for partition in table.ntfsPartitions {
            do {
                let item = try session.mount(partition)
                mounted.append(item)
            } catch {
                var message = "partition \(partition.number) (offset \(partition.offset)) could not be mounted read-only: \(error)"
                if HibernationFile.mentionsHibernation(message) {
                    message += ". The volume is hibernated or was left unclean by Fast Startup: boot Windows and shut it down fully "
                        + "(shutdown /s /t 0), then try again. Never use ntfs-3g's remove_hiberfile: it deletes the hibernated session and unsaved work."
                }
                notes.append(Finding(.image, path: root, message: message, severity: .error))
            }
        }
        guard !mounted.isEmpty else {
            for note in notes where note.severity == .error { printError("hvexclude: \(note.message)") }
            for problem in session.cleanup() { printError("warning: \(problem)") }
            printError("hvexclude: could not scan: no NTFS partition of \(root) could be mounted")
            return .couldNotScan
        }
        let assignment = DriveAssignment(mounted: mounted)
        notes += assignment.warnings.map { Finding(.image, path: root, message: $0, severity: .warning) }
        if !options.quiet {
            for drive in assignment.drives {
                printError("hvexclude: \(drive.prefix.rootDescription) = partition \(drive.mounted.partition.number) of \(root), mounted read-only at \(drive.mounted.mountPoint) (\(drive.basis.rawValue))")
            }
        }
        let code = scan(assignment.mappings, notes)
        for problem in session.cleanup() { printError("warning: \(problem)") }
        return code
    }

    /// "VHDX" or "VHD" when the file starts like one (a dynamic or differencing VHD starts with a footer copy;
    /// a fixed VHD is a raw image plus a footer and is read as one).
    static func virtualDiskFormat(_ path: String) -> String? {
        guard let file = try? FileReader(path: path), let head = try? file.read(at: 0, count: 8) else { return nil }
        if head == Array("vhdxfile".utf8) { return "VHDX" }
        if head == Array("conectix".utf8) { return "VHD" }
        return nil
    }

    // MARK: listing

    /// The partition listing printed for an image ROOT.
    public static func listing(_ table: PartitionTable, image: String) -> String {
        var header = "\(image): "
        switch table.kind {
        case .gpt: header += "GPT disk" + (table.diskGUID.map { " (disk GUID \($0))" } ?? "")
        case .mbr: header += "MBR disk" + (table.diskSignature.map { " (disk signature \(hex($0)))" } ?? "")
        case .bareNTFS: header += "one NTFS volume, no partition table"
        case .unknown: header += "no partition table or NTFS volume recognised"
        }
        header += ", \(table.diskSize) bytes, \(table.sectorSize)-byte sectors\n"
        var rows = [["#", "start (bytes)", "size (bytes)", "type", "Windows names it by", "file system"]]
        for partition in table.partitions {
            var identity = ""
            if let guid = partition.partitionGUID {
                identity = "partition GUID \(guid)"
            } else if let signature = partition.diskSignature {
                identity = "signature \(hex(signature)) + offset"
            }
            let system = partition.ntfs.map { "NTFS, serial \($0.serialText)" } ?? "-"
            var type = partition.typeName
            if let name = partition.name { type += " \"\(name)\"" }
            if partition.scheme == .mbrLogical { type += " (logical)" }
            rows.append([String(partition.number), String(partition.offset), String(partition.size), type, identity, system])
        }
        var widths = [Int](repeating: 0, count: rows[0].count)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        var text = header
        for row in rows {
            let cells = row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
            }
            text += "  " + cells.joined(separator: "  ") + "\n"
        }
        for warning in table.warnings { text += "warning: \(warning)\n" }
        return text
    }

    /// The exact commands that mount the NTFS partitions read-only and scan them, for an image ROOT.
    public static func instructions(_ table: PartitionTable, image: String) -> String {
        let ntfs = table.ntfsPartitions
        guard !ntfs.isEmpty else { return "No NTFS partition found: nothing to scan.\n" }
        let quoted = quote(image)
        var text = "To scan it, attach and mount each NTFS partition read-only (as root); ntfs-3g has no offset option, hence losetup:\n"
        text += "  mkdir -p " + ntfs.map { "/mnt/hvx/p\($0.number)" }.joined(separator: " ") + "\n"
        for partition in ntfs {
            let arguments = ImageMountSession.losetupArguments(image: image, partition: partition).map { $0 == image ? quoted : $0 }
            text += "  L\(partition.number)=$(losetup \(arguments.joined(separator: " ")))\n"
            text += "  ntfs-3g -o ro \"$L\(partition.number)\" /mnt/hvx/p\(partition.number)"
            text += "      # or: mount -t ntfs3 -o ro \"$L\(partition.number)\" /mnt/hvx/p\(partition.number)\n"
        }
        let first = ntfs[0]
        var scan = "  hvexclude scan /mnt/hvx/p\(first.number)"
        var letter = UInt8(ascii: "D")
        for partition in ntfs.dropFirst() where letter <= UInt8(ascii: "Z") {
            scan += " --drive \(Character(UnicodeScalar(letter)))=/mnt/hvx/p\(partition.number)"
            letter += 1
        }
        text += scan + " -o report.json\n"
        text += "    (ROOT is the partition holding Windows\\System32\\config\\SYSTEM; the letters of the others are in its MountedDevices)\n"
        text += "  umount " + ntfs.map { "/mnt/hvx/p\($0.number)" }.joined(separator: " ")
        text += "; losetup -d " + ntfs.map { "\"$L\($0.number)\"" }.joined(separator: " ") + "\n"
        text += "Or let hvexclude do all of this, drive letters included (as root):\n"
        text += "  hvexclude scan \(quoted) --mount -o report.json\n"
        return text
    }

    /// `text` quoted for a POSIX shell when it needs quoting.
    static func quote(_ text: String) -> String {
        let plain = text.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "/._-+=:,@%".unicodeScalars.contains(scalar))
        }
        return plain && !text.isEmpty ? text : "'" + text.replacing("'", with: "'\\''") + "'"
    }

    // MARK: signals

    /// Handlers that undo the mounts and exit on SIGINT, SIGTERM and SIGHUP.
    static func installSignalHandlers(_ session: ImageMountSession) -> [DispatchSourceSignal] {
        [SIGINT, SIGTERM, SIGHUP].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: DispatchQueue(label: "hvexclude.signal.\(number)"))
            source.setEventHandler {
                printError("\nhvexclude: signal \(number): unmounting and detaching \(session.directory)")
                // Lazy: the walker may still hold folders open on the mounts.
                for problem in session.cleanup(lazy: true) { printError("warning: \(problem)") }
                exit(128 + number)
            }
            source.resume()
            return source
        }
    }

    /// Restores the default dispositions.
    static func removeSignalHandlers(_ sources: [DispatchSourceSignal]) {
        for source in sources { source.cancel() }
        for number in [SIGINT, SIGTERM, SIGHUP] { signal(number, SIG_DFL) }
    }

    static func printError(_ text: String) {
        StandardStream.error.write(text + "\n")
    }
}
