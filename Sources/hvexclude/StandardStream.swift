#if canImport(Glibc)
import Glibc
#endif

/// Unbuffered writes to stdout and stderr by descriptor (C's `FILE *` globals are not concurrency-safe).
public enum StandardStream: Int32, Sendable {
    case output = 1
    case error = 2

    /// Writes all of `text`, retrying on EINTR and short writes; errors (a closed pipe) are ignored.
    public func write(_ text: String) {
        write(Array(text.utf8))
    }

    /// Writes all of `data`, retrying on EINTR and short writes; errors (a closed pipe) are ignored.
    public func write(_ data: [UInt8]) {
        var bytes = data[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(rawValue, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            bytes = bytes.dropFirst(written)
        }
    }

    /// Whether the stream is a terminal.
    public var isTerminal: Bool { isatty(rawValue) == 1 }
}
