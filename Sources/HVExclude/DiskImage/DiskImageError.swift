/// Why a disk image could not be mounted or read for a scan (exit code 2).
package enum DiskImageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Mounting needs root.
    case notRoot
    /// A needed program is not installed.
    case toolMissing(String, package: String)
    /// A command failed.
    case commandFailed(command: String, status: Int32, errorOutput: String)
    /// The image holds no NTFS partition.
    case noNTFSPartition(String)
    /// A regular file or device that starts with no partition table and no NTFS volume (nor a VHD/VHDX header).
    case notADiskImage(String)
    /// `--drive X=IMAGE` names a disk image the native reader cannot open.
    case imageDriveUnreadable(image: String, drive: String, reason: String)
    /// Sector 0 holds something named (another file system, an encrypted volume, an image container, an invalid
    /// MBR) that cannot be scanned; `format` is the container ("raw", "VHD dynamic", …).
    case unreadableContent(image: String, format: String, content: SectorZeroContent)
    /// Sector 0 (or the first bytes the table needs) could not be read: the container's own error.
    case sectorZeroUnreadable(image: String, format: String, reason: String)

    /// The error for an image whose table is ``PartitionTable/Kind/unknown``: what sector 0 holds when it could
    /// be named, else ``notADiskImage(_:)``.
    package static func unrecognised(_ table: PartitionTable, image: String, format: String = "raw") -> DiskImageError {
        table.content.map { .unreadableContent(image: image, format: format, content: $0) } ?? .notADiskImage(image)
    }

    /// What went wrong, for stderr.
    package var description: String {
        switch self {
        case .notRoot:
            return
                "--mount needs root (it attaches loop devices and mounts them); run it with sudo, or mount by hand as shown"
        case .toolMissing(let tool, let package):
            return "\(tool) is not installed (Debian package \(package))"
        case .commandFailed(let command, let status, let errorOutput):
            let text = errorOutput.split(whereSeparator: \.isNewline).map { String($0.drop(while: \.isWhitespace)) }
                .joined(separator: " / ")
            return "\(command) failed with exit code \(status)" + (text.isEmpty ? "" : ": \(text)")
        case .noNTFSPartition(let image):
            return "\(image) holds no NTFS partition"
        case .notADiskImage(let path):
            return "\(path) is a file, not a folder, and no disk image: no MBR, GPT or NTFS boot sector "
                + "(ROOT is the host's C: volume mounted or copied as a folder, or a raw disk image, see docs/rescue.md)"
        case .imageDriveUnreadable(let image, let drive, let reason):
            return "cannot read the disk image \(image) given for \(drive): \(reason)"
        case .unreadableContent(let image, let format, let content):
            let holder = format == "raw" ? image : "the \(format) disk \(image)"
            return "\(holder) holds at sector 0 \(content.what): \(content.advice(image: image))"
        case .sectorZeroUnreadable(let image, let format, let reason):
            return "cannot read sector 0 of the \(format) image \(image): \(reason)"
        }
    }
}
