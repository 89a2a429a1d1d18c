import HVXBinary
import HVXSession

#if canImport(Glibc)
import Glibc
#endif

/// Writes the result to stdout or, atomically (temporary file + rename), to `--output`, never inside a
/// scanned root.
public enum OutputWriter {
    /// Writes `text` to `path` (or stdout when `nil`).
    /// - Throws: ``SystemError`` when the file cannot be written, ``OutputProblem`` when it lies in a scanned root.
    public static func write(_ text: String, to path: String?, scannedRoots: [String]) throws {
        try write(Array(text.utf8), to: path, scannedRoots: scannedRoots)
    }

    /// Writes `data` to `path` (or stdout when `nil`).
    /// - Throws: as ``write(_:to:scannedRoots:)``.
    public static func write(_ data: [UInt8], to path: String?, scannedRoots: [String]) throws {
        guard let path else {
            StandardStream.output.write(data)
            return
        }
        let folder = OutputPlace.folder(of: path, bare: true)
        guard let realFolder = OutputPlace.realPath(folder.isEmpty ? "/" : folder) else {
            throw SystemError.current("realpath", path: folder)
        }
        if let problem = OutputPlace.insideRoot(path, realFolder: realFolder, roots: scannedRoots) { throw problem }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let temporary = realFolder + "/.\(name).\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SystemError.current("open", path: temporary) }
        var bytes = data[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                let error = SystemError.current("write", path: temporary)
                close(fd); unlink(temporary)
                throw error
            }
            bytes = bytes.dropFirst(written)
        }
        guard fsync(fd) == 0, close(fd) == 0 else {
            let error = SystemError.current("fsync", path: temporary)
            unlink(temporary)
            throw error
        }
        guard rename(temporary, realFolder + "/" + name) == 0 else {
            let error = SystemError.current("rename", path: path)
            unlink(temporary)
            throw error
        }
    }

}
