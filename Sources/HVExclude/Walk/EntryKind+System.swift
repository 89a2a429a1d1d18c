#if canImport(Glibc)
import Glibc
#endif

extension EntryKind {
    /// The kind a `d_type` value names; `nil` for `DT_UNKNOWN` (ask `lstat`).
    package init?(direntType: UInt8) {
        switch Int32(direntType) {
        case Int32(DT_REG): self = .file
        case Int32(DT_DIR): self = .directory
        case Int32(DT_LNK): self = .symlink
        case Int32(DT_UNKNOWN): return nil
        default: self = .other
        }
    }

    /// The kind `lstat` reports for `path`, `nil` when it fails.
    package init?(lstatPath path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        self.init(mode: info.st_mode)
    }

    /// The kind a `stat` mode names.
    package init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .file
        case S_IFDIR: self = .directory
        case S_IFLNK: self = .symlink
        default: self = .other
        }
    }
}
