import HVXWalk
import HVXDiskImage
import HVXInventory

/// `hvexclude scan IMAGE` without `--mount`: the image's NTFS partitions read natively (``NativeImageScan``: no
/// root, no FUSE, no loop device), lettered from MountedDevices as `--mount` letters them, then the ordinary scan.
enum NativeImageCommand {
    /// Runs `scan`/`audit` for an image ROOT, natively.
    static func run(_ options: CommandLineOptions, scan: DiskImageCommand.Scan) -> ExitCode {
        let image = options.arguments[0]
        let volumes: NativeImageScan.Volumes
        // Opening reads every NTFS partition's MFT, which takes a while on a large image: say so on a terminal.
        let opening = WalkProgress()
        opening.enter("reading the partition table and each NTFS partition's MFT of \(image)")
        let progress = ProgressLine.onTerminal(opening, quiet: options.quiet)
        progress?.start()
        do {
            defer { progress?.stop() }
            volumes = try NativeImageScan.open(image: image)
        } catch let error as DiskImageError {
            printError("hvexclude: could not scan: \(error)")
            return .couldNotScan
        } catch {
            printError("hvexclude: could not scan: cannot read the disk image \(image): \(error)")
            return .couldNotScan
        }
        guard !volumes.partitions.isEmpty else {
            var text = "hvexclude: could not scan: "
            if volumes.refused.isEmpty {
                text += "\(DiskImageError.noNTFSPartition(image))"
            } else {
                text += "no NTFS partition of \(image) can be read natively:\n"
                    + volumes.refused.map { "  partition \($0.number): \($0.reason)" }.joined(separator: "\n")
            }
            printError(text + "\n\n" + DiskImageScan.listing(volumes.table, image: image))
            return .couldNotScan
        }
        let assignment = DriveAssignment(mounted: volumes.partitions)
        // A bare volume is C: by definition (as a mounted folder is); a partitioned disk gets --mount's notes.
        let lettering = volumes.table.kind == .bareNTFS ? [] : assignment.warnings
        let notes = volumes.notes + lettering.map { Finding(.image, path: image, message: $0, severity: .warning) }
        if !options.quiet {
            for drive in assignment.drives {
                printError("hvexclude: \(drive.prefix.rootDescription) = partition \(drive.mounted.partition.number) of \(image), "
                    + "read natively (\(volumes.format)) as \(drive.mounted.mountPoint) (\(drive.basis.rawValue))")
            }
        }
        return scan(assignment.mappings, notes, assignment.drives)
    }

    static func printError(_ text: String) {
        StandardStream.error.write(text + "\n")
    }
}
