#if canImport(Glibc)
import Glibc
#endif

/// What a directory entry is, from `d_type` (or `lstat` when the file system leaves it unknown).
public enum EntryKind: String, Sendable, Codable, Hashable {
    case file
    case directory
    case symlink
    case other
    case unknown

    /// The kind a `d_type` value names.
    public init(direntType: UInt8) {
        switch Int32(direntType) {
        case Int32(DT_REG): self = .file
        case Int32(DT_DIR): self = .directory
        case Int32(DT_LNK): self = .symlink
        case Int32(DT_UNKNOWN): self = .unknown
        default: self = .other
        }
    }

    /// The kind `lstat` reports for `path`, `.unknown` when it fails.
    public init(lstatPath path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { self = .unknown; return }
        switch info.st_mode & S_IFMT {
        case S_IFREG: self = .file
        case S_IFDIR: self = .directory
        case S_IFLNK: self = .symlink
        default: self = .other
        }
    }
}
