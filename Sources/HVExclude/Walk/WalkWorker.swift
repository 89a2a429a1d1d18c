import CSystemShims
import Dispatch
import HVXBinary
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One worker's private state: its read buffer and what it recorded. Only its own thread touches it
/// until the walk's `DispatchGroup` is waited on.
package final class WalkWorker: @unchecked Sendable {
    package let context: WalkContext
    package let roots: [String]
    package var entries: [WalkEntry] = []
    package var issues: [WalkIssue] = []
    package var children: [PendingDirectory] = []
    private let buffer: UnsafeMutableRawPointer

    // d_type values from <dirent.h>.
    private static let typeUnknown: UInt8 = 0
    private static let typeDirectory: UInt8 = 4
    private static let typeRegular: UInt8 = 8
    private static let typeLink: UInt8 = 10
    private static let slash = UInt8(ascii: "/")
    private static let dot = UInt8(ascii: ".")

    package init(context: WalkContext, roots: [String]) {
        self.context = context
        self.roots = roots
        buffer = UnsafeMutableRawPointer.allocate(byteCount: DirectoryWalker.bufferSize, alignment: 8)
    }

    deinit { buffer.deallocate() }

    /// Reads one directory: records matches, symlinks and issues, and queues subdirectories in `children`.
    package func read(_ directory: inout PendingDirectory) {
        context.progress.started(directory: directory.path)
        if !directory.isRoot, let hook = context.options.beforeOpeningDirectory {
            hook(Self.text(directory.path))
        }
        let fd = openDirectory(directory)
        directory.parent = nil  // the parent's descriptor may close as soon as its last child is open
        guard fd >= 0 else {
            let code = errno
            // O_DIRECTORY|O_NOFOLLOW answers ENOTDIR (not ELOOP) when the directory became a link.
            let note =
                code == ENOENT
                ? " (it vanished during the walk)"
                : code == ENOTDIR || code == ELOOP
                    ? " (it was replaced during the walk by something that is not a directory; links are not followed)"
                    : ""
            issue(directory.path, "open", code, note)
            return
        }
        // Subdirectories share this descriptor through `handle` (made on the first one); it then closes
        // when the last of them has been opened.
        var handle: OpenDirectory? = nil
        var mayShare = true
        defer { if handle == nil { close(fd) } }
        var seen = 0
        reading: while true {
            let count = hvx_getdents64(fd, buffer, DirectoryWalker.bufferSize)
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                issue(directory.path, "getdents64", errno, " (entries read before the error are kept)")
                break
            }
            // struct linux_dirent64: d_ino u64 @0, d_off i64 @8, d_reclen u16 @16, d_type u8 @18, d_name @19.
            var offset = 0
            while offset < count {
                let record = buffer + offset
                let length = Int(record.loadUnaligned(fromByteOffset: 16, as: UInt16.self))
                guard length >= 20, offset + length <= count else {
                    issue(directory.path, "getdents64", EIO, " (malformed record of \(length) bytes at \(offset))")
                    break reading
                }
                let type = record.load(fromByteOffset: 18, as: UInt8.self)
                let namePointer = (record + 19).assumingMemoryBound(to: CChar.self)
                let nameLength = strnlen(namePointer, length - 19)
                offset += length
                let name = UnsafeBufferPointer(
                    start: UnsafeRawPointer(namePointer).assumingMemoryBound(to: UInt8.self), count: nameLength)
                if name.first == Self.dot && (nameLength == 1 || (nameLength == 2 && name[1] == Self.dot)) {
                    continue
                }
                seen += 1
                visit(
                    name, namePointer: namePointer, type: type, fd: fd, in: directory, handle: &handle,
                    mayShare: &mayShare)
            }
        }
        context.progress.finished(entries: seen)
    }

    private func visit(
        _ name: UnsafeBufferPointer<UInt8>, namePointer: UnsafePointer<CChar>, type: UInt8, fd: Int32,
        in directory: PendingDirectory, handle: inout OpenDirectory?, mayShare: inout Bool
    ) {
        let kind: EntryKind
        switch type {
        case Self.typeDirectory: kind = .directory
        case Self.typeRegular: kind = .file
        case Self.typeLink: kind = .symlink
        case Self.typeUnknown:
            var info = stat()
            guard fstatat(fd, namePointer, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
                issue(childPath(directory.path, name), "lstat", errno, "")
                return
            }
            kind = EntryKind(mode: info.st_mode)
        default: kind = .other
        }
        let validName = RawName.isValidUTF8(name)
        if !validName {
            let path = childPath(directory.path, name)
            issues.append(
                WalkIssue(
                    path: Self.text(path), operation: "decode name", code: EILSEQ,
                    message: "name is not valid UTF-8: \"\(RawName.escaped(path.dropLast()))\" "
                        + "(bytes that are not UTF-8 written as \\xHH); reported with U+FFFD in their place"))
        }
        let matched = context.match(name, kind)
        if kind == .directory {
            let path = childPath(directory.path, name)
            if let type = context.mounts[path] {
                issues.append(
                    WalkIssue(
                        path: Self.text(path), operation: "mount point", code: 0,
                        message: "not crossing mount point \(Self.text(path)) (\(type)); walk it as a root of "
                            + "its own or allow crossing mounts", severity: .info))
            } else {
                if handle == nil && mayShare {
                    mayShare = context.openCount.reserve()
                    if mayShare { handle = OpenDirectory(fd: fd, openCount: context.openCount) }
                }
                children.append(
                    PendingDirectory(
                        path: path, depth: directory.depth + 1, root: directory.root, isRoot: false, parent: handle,
                        nameOffset: path.count - 1 - name.count))
            }
            if matched { record(path, name, kind, target: nil, matched: true, in: directory) }
        } else if matched || kind == .symlink {
            let path = childPath(directory.path, name)
            let target = kind == .symlink ? readLink(fd, namePointer, path) : nil
            record(path, name, kind, target: target, matched: matched, in: directory)
        }
    }

    private func record(
        _ path: [UInt8], _ name: UnsafeBufferPointer<UInt8>, _ kind: EntryKind, target: String?, matched: Bool,
        in directory: PendingDirectory
    ) {
        let bytes = Array(path.dropLast())
        entries.append(
            WalkEntry(
                root: roots[directory.root], hostPath: String(decoding: bytes, as: UTF8.self), hostPathBytes: bytes,
                name: String(decoding: name, as: UTF8.self), kind: kind, linkTarget: target,
                depth: directory.depth + 1, matched: matched))
    }

    private func readLink(_ fd: Int32, _ name: UnsafePointer<CChar>, _ path: [UInt8]) -> String? {
        var size = 4096
        while size <= 1 << 20 {
            var buffer = [UInt8](repeating: 0, count: size)
            let count = buffer.withUnsafeMutableBytes { readlinkat(fd, name, $0.baseAddress!, size) }
            if count < 0 {
                issue(path, "readlink", errno, "")
                return nil
            }
            if count < size { return String(decoding: buffer[0..<count], as: UTF8.self) }
            size *= 4
        }
        issue(path, "readlink", ENAMETOOLONG, "")
        return nil
    }

    /// Opens a directory without following a final link; paths past PATH_MAX are opened piecewise with
    /// `openat`, each piece below PATH_MAX.
    private func openDirectory(_ directory: PendingDirectory) -> Int32 {
        let flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (directory.isRoot ? 0 : O_NOFOLLOW)
        if let parent = directory.parent {
            return directory.path.withUnsafeBufferPointer { bytes in
                let name = UnsafeRawPointer(bytes.baseAddress! + directory.nameOffset).assumingMemoryBound(
                    to: CChar.self)
                var fd = openat(parent.fd, name, flags | hvx_O_NOATIME)
                if fd < 0 && errno == EPERM { fd = openat(parent.fd, name, flags) }
                return fd
            }
        }
        var fd = LongPath.openPiece(AT_FDCWD, directory.path, flags)
        if fd < 0 && errno == ENAMETOOLONG {
            fd = LongPath.open(Array(directory.path.dropLast()), folderFlags: flags, lastFlags: flags)
        }
        return fd
    }

    private func childPath(_ parent: [UInt8], _ name: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var path: [UInt8] = []
        path.reserveCapacity(parent.count + name.count + 1)
        path.append(contentsOf: parent.dropLast())
        if path.last != Self.slash { path.append(Self.slash) }
        path.append(contentsOf: name)
        path.append(0)
        return path
    }

    private func issue(_ path: [UInt8], _ operation: String, _ code: Int32, _ note: String) {
        let text = Self.text(path)
        issues.append(
            WalkIssue(
                path: text, operation: operation, code: code,
                message: "\(operation) \(text): \(SystemError.text(for: code))\(note)"))
    }

    /// NUL-terminated path bytes as (lossy) text.
    package static func text(_ path: [UInt8]) -> String {
        String(decoding: path.last == 0 ? path.dropLast() : path[...], as: UTF8.self)
    }
}
