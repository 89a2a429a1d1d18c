import Dispatch
import HVXBinary
import HVXDiskImage
import HVXInventory
import HVXVolume
#if canImport(Glibc)
import Glibc
#endif

/// `hvexclude scan ROOT --mount` when ROOT is a disk image or block device rather than a folder (docs/rescue.md);
/// without `--mount` an image is read natively (``NativeImageCommand``).
///
/// As root it mounts the NTFS partitions under a private temporary folder, assigns drive letters
/// (``DriveAssignment``), runs the ordinary scan, and unmounts and detaches again — also after errors and on
/// SIGINT, SIGTERM and SIGHUP.
enum DiskImageCommand {
    /// The ordinary scan, given the mappings of the mounted partitions and notes for the report.
    typealias Scan = (_ mappings: [VolumeMap.Mapping], _ notes: [Finding], _ drives: [DriveAssignment.Drive]) -> ExitCode

    /// Runs `scan`/`audit` for an image ROOT.
    static func run(_ options: CommandLineOptions, scan: Scan) -> ExitCode {
        let root = options.arguments[0]
        guard DiskImageScan.isImage(root) else {
            printError("hvexclude: --mount takes a disk image file or a block device as ROOT; \(root) is not one (a mounted folder needs no --mount)")
            return .usage
        }
        let table: PartitionTable
        do {
            table = try PartitionTable.read(path: root)
        } catch is BinaryFormatError {
            // Shorter than one sector: no image at all, whatever its name says.
            printError("hvexclude: could not scan: \(DiskImageError.notADiskImage(root))")
            return .couldNotScan
        } catch {
            printError("hvexclude: could not scan: cannot read the disk image \(root): \(error)")
            return .couldNotScan
        }
        if table.kind == .unknown, let format = DiskImageScan.virtualDiskFormat(root) {
            printError("hvexclude: could not scan: \(root) is a \(format) virtual disk, not a raw disk image or a mounted folder. "
                + "Expose it read-only as a block device and scan that (docs/rescue.md):\n"
                + "  modprobe nbd max_part=8\n  qemu-nbd --read-only --connect=/dev/nbd0 \(DiskImageScan.quote(root))\n"
                + "  hvexclude scan /dev/nbd0 --mount -o report.json\n  qemu-nbd --disconnect /dev/nbd0")
            return .couldNotScan
        }
        if table.kind == .unknown {
            printError("hvexclude: could not scan: \(DiskImageError.unrecognised(table, image: root))")
            return .couldNotScan
        }
        guard !table.ntfsPartitions.isEmpty else {
            printError("hvexclude: could not scan: \(DiskImageError.noNTFSPartition(root))\n\n" + DiskImageScan.listing(table, image: root))
            return .couldNotScan
        }
        let session: ImageMountSession
        do {
            session = try ImageMountSession(imagePath: root)
        } catch {
            printError("hvexclude: could not scan: \(error)\n\n" + DiskImageScan.instructions(table, image: root))
            return .couldNotScan
        }
        let handlers = installSignalHandlers(session)
        defer { removeSignalHandlers(handlers) }
        var notes = table.warnings.map { Finding(.image, path: root, message: $0, severity: .warning) }
        notes += table.errors.map { Finding(.image, path: root, message: $0, severity: .error) }
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
        let code = scan(assignment.mappings, notes, assignment.drives)
        for problem in session.cleanup() { printError("warning: \(problem)") }
        return code
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
