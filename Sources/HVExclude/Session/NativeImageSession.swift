import HVXDiskImage
import HVXInventory
import HVXVolume
import HVXWalk

/// `hvexclude scan IMAGE` without `--mount`: the image's NTFS partitions read natively (``NativeImageScan``: no
/// root, no FUSE, no loop device), lettered from MountedDevices as `--mount` letters them, then the ordinary scan.
enum NativeImageSession {
    /// The ordinary scan, given the mappings of the image's partitions and notes for the report.
    typealias Scan = (_ mappings: [VolumeMap.Mapping], _ notes: [Finding], _ drives: [DriveAssignment.Drive])
        throws(ScanFailure) -> ScanOutcome

    /// Runs `scan`/`audit` for an image ROOT, natively.
    static func run(_ request: ScanRequest, observer: some ScanObserver, scan: Scan) throws(ScanFailure) -> ScanOutcome
    {
        let image = request.root
        let volumes: NativeImageScan.Volumes
        // Opening reads every NTFS partition's MFT, which takes a while on a large image: say so on a terminal.
        let opening = WalkProgress()
        opening.enter("reading the partition table and each NTFS partition's MFT of \(image)")
        observer.phaseBegan(opening)
        do {
            defer { observer.phaseEnded() }
            volumes = try NativeImageScan.open(image: image)
        } catch let error as DiskImageError {
            throw .couldNotScan("\(error)")
        } catch {
            throw .couldNotScan("cannot read the disk image \(image): \(error)")
        }
        guard !volumes.partitions.isEmpty else {
            var text = ""
            if volumes.refused.isEmpty {
                text += "\(DiskImageError.noNTFSPartition(image))"
            } else {
                text +=
                    "no NTFS partition of \(image) can be read natively:\n"
                    + volumes.refused.map { "  partition \($0.number): \($0.reason)" }.joined(separator: "\n")
            }
            throw .couldNotScan(text + "\n\n" + DiskImageScan.listing(volumes.table, image: image))
        }
        let assignment = DriveAssignment(mounted: volumes.partitions)
        // A bare volume is C: by definition (as a mounted folder is); a partitioned disk gets --mount's notes.
        let lettering = volumes.table.kind == .bareNTFS ? [] : assignment.warnings
        let notes =
            volumes.notes + lettering.map { Finding(.image, at: .hostPath(image), message: $0, severity: .warning) }
        for drive in assignment.drives {
            observer.driveAssigned(
                "\(drive.prefix.rootDescription) = partition \(drive.mounted.partition.number) of \(image), "
                    + "read natively (\(volumes.format)) as \(drive.mounted.mountPoint) (\(drive.basis.rawValue))")
        }
        return try scan(assignment.mappings, notes, assignment.drives)
    }
}
