#if canImport(Glibc)
import Glibc
#endif

/// Mount points below the walk's roots, read once from `/proc/self/mountinfo`, so staying on one file
/// system costs a hash lookup per directory instead of a `stat` (a FUSE round trip on ntfs-3g).
package struct MountTable: Sendable {
    /// Mount point path (as the walker spells it below its root, NUL-terminated) → file system type.
    let pointsBelowRoots: [[UInt8]: String]

    /// Reads `mountinfo` and keeps the mount points strictly below each root.
    /// - Parameter roots: roots as the walker spells them (trailing `/` removed).
    package init(roots: [String], mountinfo: [UInt8]? = MountTable.readMountinfo()) {
        guard let mountinfo else {
            pointsBelowRoots = [:]
            return
        }
        let mounts = MountTable.parse(mountinfo)
        var table: [[UInt8]: String] = [:]
        for root in roots {
            guard let canonical = MountTable.realPath(root) else { continue }
            let prefix = canonical == [UInt8(ascii: "/")] ? canonical : canonical + [UInt8(ascii: "/")]
            let spelled = Array(root.utf8)
            for (point, type) in mounts where point.count > prefix.count && point.starts(with: prefix) {
                // Re-spell the mount point below the root as given (which may be relative or a link).
                let suffix = point[(prefix.count - 1)...]
                let base = spelled == [UInt8(ascii: "/")] ? [] : spelled
                table[base + suffix + [0]] = type
            }
        }
        pointsBelowRoots = table
    }

    /// Parses mountinfo lines: field 5 is the mount point, the field after ` - ` the file system type;
    /// spaces, tabs, newlines and backslashes in paths are written as octal escapes (`\040`).
    package static func parse(_ text: [UInt8]) -> [(path: [UInt8], type: String)] {
        var result: [(path: [UInt8], type: String)] = []
        for line in text.split(separator: UInt8(ascii: "\n")) {
            let fields = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
            guard fields.count >= 7, let separator = fields.firstIndex(where: { $0.elementsEqual("-".utf8) }),
                separator + 1 < fields.count
            else { continue }
            let type = String(decoding: unescape(fields[separator + 1]), as: UTF8.self)
            result.append((unescape(fields[4]), type))
        }
        return result
    }

    /// Undoes the kernel's `\ooo` octal escapes.
    static func unescape(_ field: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(field.count)
        var index = field.startIndex
        while index < field.endIndex {
            let byte = field[index]
            if byte == UInt8(ascii: "\\"), field.endIndex - index >= 4,
                let value = octal(field[(index + 1)..<(index + 4)])
            {
                output.append(value)
                index += 4
            } else {
                output.append(byte)
                index += 1
            }
        }
        return output
    }

    private static func octal(_ digits: ArraySlice<UInt8>) -> UInt8? {
        var value = 0
        for digit in digits {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "7") else { return nil }
            value = value * 8 + Int(digit - UInt8(ascii: "0"))
        }
        return value <= 255 ? UInt8(value) : nil
    }

    static func readMountinfo() -> [UInt8]? {
        let fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            data.append(contentsOf: chunk[0..<count])
        }
        return data
    }

    /// The type of the file system holding `path` (the mount with the longest mount point above it), e.g.
    /// `fuseblk` for ntfs-3g, `ntfs3`, `ext4`; nil when mountinfo cannot be read.
    package static func fileSystemType(of path: String, mountinfo: [UInt8]? = MountTable.readMountinfo()) -> String? {
        guard let mountinfo, let canonical = realPath(path) else { return nil }
        let target = canonical + [UInt8(ascii: "/")]
        return parse(mountinfo)
            .filter { point in
                point.path == [UInt8(ascii: "/")] || target.starts(with: point.path + [UInt8(ascii: "/")])
            }
            .max { $0.path.count < $1.path.count }?.type
    }

    package static func realPath(_ path: String) -> [UInt8]? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return Array(UnsafeBufferPointer(start: resolved, count: strlen(resolved)).map { UInt8(bitPattern: $0) })
    }
}
