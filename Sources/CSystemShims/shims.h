// Declarations Swift's Glibc module does not export. Toolchain only: nothing here is compiled or linked
// beyond glibc itself.
#ifndef HVEXCLUDE_CSYSTEMSHIMS_H
#define HVEXCLUDE_CSYSTEMSHIMS_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/syscall.h>
#include <unistd.h>

/// Reads raw `struct linux_dirent64` records; bfs does the same to skip glibc's per-directory fstat.
static inline long hvx_getdents64(int fd, void *buffer, size_t count) {
    return syscall(SYS_getdents64, fd, buffer, count);
}

/// Linux's O_NOATIME (01000000 on every architecture Linux supports except alpha, sparc, parisc), a GNU
/// extension the Glibc module hides: reading a file on the scanned volume must not update its access time.
static const int hvx_O_NOATIME = 01000000;

/// Reads an extended attribute without following a final symlink (ntfs-3g's `system.ntfs_reparse_data`).
static inline long hvx_lgetxattr(const char *path, const char *name, void *value, size_t size) {
    return syscall(SYS_lgetxattr, path, name, value, size);
}

#endif
