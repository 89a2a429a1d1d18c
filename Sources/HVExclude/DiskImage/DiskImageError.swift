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

    /// What went wrong, for stderr.
    package var description: String {
        switch self {
        case .notRoot:
            return "--mount needs root (it attaches loop devices and mounts them); run it with sudo, or mount by hand as shown"
        case .toolMissing(let tool, let package):
            return "\(tool) is not installed (Debian package \(package))"
        case .commandFailed(let command, let status, let errorOutput):
            let text = errorOutput.split(whereSeparator: \.isNewline).map { String($0.drop(while: \.isWhitespace)) }.joined(separator: " / ")
            return "\(command) failed with exit code \(status)" + (text.isEmpty ? "" : ": \(text)")
        case .noNTFSPartition(let image):
            return "\(image) holds no NTFS partition"
        case .notADiskImage(let path):
            return "\(path) is a file, not a folder, and no disk image: no MBR, GPT or NTFS boot sector "
                + "(ROOT is the host's C: volume mounted or copied as a folder, or a raw disk image, see docs/rescue.md)"
        case .imageDriveUnreadable(let image, let drive, let reason):
            return "cannot read the disk image \(image) given for \(drive): \(reason)"
        }
    }
}
