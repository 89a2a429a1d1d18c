import CSystemShims

#if canImport(Glibc)
import Glibc
#endif

/// Opening a host path longer than PATH_MAX, which `open` refuses with ENAMETOOLONG: the walker and the file
/// reader both reach such folders and files this way.
package enum LongPath {
    /// Opens `path` (its bytes, no NUL) piece by piece with `openat`, each piece shorter than PATH_MAX and cut at
    /// a slash. Every piece is tried with `O_NOATIME` first (allowed only to the owner or a privileged process).
    /// - Parameters:
    ///   - folderFlags: the flags for the pieces before the last (folders).
    ///   - lastFlags: the flags for the last piece.
    /// - Returns: the descriptor, or -1 with `errno` set (ENAMETOOLONG when one name alone is too long).
    package static func open(_ path: [UInt8], folderFlags: Int32, lastFlags: Int32) -> Int32 {
        let limit = Int(PATH_MAX) - 1
        var start = 0
        var base = AT_FDCWD
        while start < path.count {
            var stop = path.count
            if path.count - start > limit {
                // Cut at the last slash that keeps this piece under the limit.
                guard let cut = path[start..<(start + limit)].lastIndex(of: UInt8(ascii: "/")), cut > start else {
                    if base != AT_FDCWD { close(base) }
                    errno = ENAMETOOLONG
                    return -1
                }
                stop = cut
            }
            let fd = openPiece(base, Array(path[start..<stop]) + [0], stop == path.count ? lastFlags : folderFlags)
            let code = errno
            if base != AT_FDCWD { close(base) }
            guard fd >= 0 else {
                errno = code
                return -1
            }
            base = fd
            start = stop + 1
        }
        return base
    }

    /// `openat` of one NUL-terminated path, with `O_NOATIME` when permitted: it keeps the scanned volume unchanged,
    /// and only the owner or root may ask for it.
    package static func openPiece(_ base: Int32, _ piece: [UInt8], _ flags: Int32) -> Int32 {
        piece.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                var fd = openat(base, chars.baseAddress!, flags | hvx_O_NOATIME)
                if fd < 0 && errno == EPERM { fd = openat(base, chars.baseAddress!, flags) }
                return fd
            }
        }
    }
}
