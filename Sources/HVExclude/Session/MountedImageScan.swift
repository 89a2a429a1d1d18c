import HVXBinary
import HVXDiskImage
import HVXInventory
import HVXVolume

/// `hvexclude scan ROOT --mount` when ROOT is a disk image or block device rather than a folder (docs/rescue.md);
/// without `--mount` an image is read natively (``NativeImageSession``).
///
/// As root it mounts the NTFS partitions under a private temporary folder, assigns drive letters
/// (``DriveAssignment``), runs the ordinary scan, and unmounts and detaches again — also after errors; the
/// observer learns how to undo the mounts from a signal handler (``ScanObserver/mounting(directory:undo:)``).
enum MountedImageScan {
    /// Runs `scan`/`audit` for an image ROOT.
    static func run(
        _ request: ScanRequest, observer: some ScanObserver, scan: NativeImageSession.Scan
    )
        throws(ScanFailure) -> ScanOutcome
    {
        let root = request.root
        guard DiskImageScan.isImage(root) else {
            throw ScanFailure(
                .usage(
                    "--mount takes a disk image file or a block device as ROOT; \(root) is not one (a mounted folder needs no --mount)"
                ))
        }
        let table = try ntfsPartitionTable(root)
        let session: ImageMountSession
        do {
            session = try ImageMountSession(imagePath: root)
        } catch {
            throw .couldNotScan("\(error)\n\n" + DiskImageScan.instructions(table, image: root))
        }
        observer.mounting(directory: session.directory) { session.cleanup(lazy: true) }
        let (mounted, failures) = mount(table, in: session, image: root)
        guard !mounted.isEmpty else {
            let before = failures.map { "hvexclude: \($0.message)" } + session.cleanup().map { "warning: \($0)" }
            throw ScanFailure(.couldNotScan("no NTFS partition of \(root) could be mounted"), before: before)
        }
        var notes =
            table.warnings.map { Finding(.image, at: .hostPath(root), $0, severity: .warning) } + failures
        notes += table.errors.map { Finding(.image, at: .hostPath(root), message: $0, severity: .error) }
        let assignment = DriveAssignment(mounted: mounted)
        notes += assignment.warnings.map { Finding(.image, at: .hostPath(root), message: $0, severity: .warning) }
        for drive in assignment.drives {
            observer.driveAssigned(
                "\(drive.prefix.rootDescription) = partition \(drive.mounted.partition.number) of \(root), mounted read-only at \(drive.mounted.mountPoint) (\(drive.basis.rawValue))"
            )
        }
        do {
            var outcome = try scan(assignment.mappings, notes, assignment.drives)
            outcome.cleanupProblems = session.cleanup()
            return outcome
        } catch {
            var failure = error
            failure.cleanupProblems = session.cleanup()
            throw failure
        }
    }

    /// The partition table of the image `root`, which must hold an NTFS partition; a virtual disk (VHD, VHDX) is
    /// refused with the commands that expose it as a block device.
    static func ntfsPartitionTable(_ root: String) throws(ScanFailure) -> PartitionTable {
        let table: PartitionTable
        do {
            table = try PartitionTable.read(path: root)
        } catch is BinaryFormatError {
            // Shorter than one sector: no image at all, whatever its name says.
            throw .couldNotScan("\(DiskImageError.notADiskImage(root))")
        } catch {
            throw .couldNotScan("cannot read the disk image \(root): \(error)")
        }
        if table.kind == .unknown, let format = DiskImageScan.virtualDiskFormat(root) {
            throw .couldNotScan(
                "\(root) is a \(format) virtual disk, not a raw disk image or a mounted folder. "
                    + "Expose it read-only as a block device and scan that (docs/rescue.md):\n"
                    + "  modprobe nbd max_part=8\n  qemu-nbd --read-only --connect=/dev/nbd0 \(DiskImageScan.quote(root))\n"
                    + "  hvexclude scan /dev/nbd0 --mount -o report.json\n  qemu-nbd --disconnect /dev/nbd0")
        }
        if table.kind == .unknown {
            throw .couldNotScan("\(DiskImageError.unrecognised(table, image: root))")
        }
        guard !table.ntfsPartitions.isEmpty else {
            throw .couldNotScan(
                "\(DiskImageError.noNTFSPartition(root))\n\n" + DiskImageScan.listing(table, image: root))
        }
        return table
    }

    /// Mounts every NTFS partition of `table` read-only; a partition that cannot be mounted is an error finding
    /// (with what to do when the volume is hibernated).
    static func mount(
        _ table: PartitionTable, in session: ImageMountSession, image root: String
    )
        -> (mounted: [MountedPartition], failures: [Finding])
    {
        var mounted: [MountedPartition] = []
        var failures: [Finding] = []
        for partition in table.ntfsPartitions {
            do {
                let item = try session.mount(partition)
                mounted.append(item)
            } catch {
                var message =
                    "partition \(partition.number) (offset \(partition.offset)) could not be mounted read-only: \(error)"
                if HibernationFile.mentionsHibernation(message) {
                    message +=
                        ". The volume is hibernated or was left unclean by Fast Startup: boot Windows and shut it down fully "
                        + "(shutdown /s /t 0), then try again. Never use ntfs-3g's remove_hiberfile: it deletes the hibernated session and unsaved work."
                }
                failures.append(Finding(.image, at: .hostPath(root), message: message, severity: .error))
            }
        }
        return (mounted, failures)
    }
}
