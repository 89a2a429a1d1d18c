/// What a directory entry is, as `d_type` (or `lstat` when the file system leaves it unknown) says.
package enum EntryKind: String, Sendable, Hashable, Codable {
    /// A regular file.
    case file
    /// A directory (entered unless it is a mount point and mounts are not crossed).
    case directory
    /// A symbolic link: recorded, never followed.
    case symlink
    /// A FIFO, socket or device node.
    case other
}
