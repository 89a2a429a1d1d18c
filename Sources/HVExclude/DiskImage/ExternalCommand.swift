#if canImport(Glibc)
import Glibc
import HVXBinary
#endif

/// Runs a system tool (losetup, ntfs-3g, mount, umount) with posix_spawn and collects its output.
///
/// Only the `--mount` path uses it. Programs are looked up on PATH and in the sbin folders, so the tool works
/// under `env -i` and from a rescue shell whose PATH lacks `/sbin`.
package enum ExternalCommand {
    /// The outcome of one run.
    package struct Result: Sendable, Equatable {
        /// Exit status (128 + signal number when killed).
        package var status: Int32
        /// Standard output.
        package var output: String
        /// Standard error.
        var errorOutput: String
        /// Whether the status is 0.
        var succeeded: Bool { status == 0 }

        /// The memberwise initialiser, `package` for the layers above (Swift synthesises it internal).
        package init(status: Int32, output: String, errorOutput: String) {
            self.status = status
            self.output = output
            self.errorOutput = errorOutput
        }
    }

    /// Folders searched after PATH.
    static let fallbackPath = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]
    /// Cap on collected output per stream.
    static let outputCap = 1 << 20

    /// The full path of `program`, or nil when it is not installed.
    package static func locate(_ program: String) -> String? {
        if program.contains("/") { return access(program, X_OK) == 0 ? program : nil }
        let path = getenv("PATH").map { String(cString: $0) } ?? ""
        let folders = path.split(separator: ":").map(String.init) + fallbackPath
        return folders.lazy.map { $0 + "/" + program }.first { access($0, X_OK) == 0 }
    }

    /// Runs `program` with `arguments`, stdin from /dev/null.
    /// - Throws: ``SystemError`` when the program is missing or cannot be started.
    package static func run(_ program: String, _ arguments: [String]) throws -> Result {
        guard let path = locate(program) else { throw SystemError("exec", path: program, code: ENOENT) }
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        // Glibc's module does not export pipe2; FD_CLOEXEC is set right after (no other thread spawns here).
        guard pipe(&outPipe) == 0 else { throw SystemError.current("pipe", path: program) }
        guard pipe(&errPipe) == 0 else {
            let error = SystemError.current("pipe", path: program)
            close(outPipe[0]); close(outPipe[1])
            throw error
        }
        for descriptor in outPipe + errPipe { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        // dup2 clears close-on-exec on the copies; the originals close at exec.
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        // Children get the default dispositions even while the parent ignores SIGINT/SIGTERM/SIGHUP.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for number in [SIGINT, SIGTERM, SIGHUP, SIGPIPE] { sigaddset(&defaults, number) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        // Dispatch threads block most signals, and a child inherits the mask: start it with none blocked.
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let envp = environment()
        defer { for pointer in envp { free(pointer) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        close(outPipe[1]); close(errPipe[1])
        guard spawned == 0 else {
            close(outPipe[0]); close(errPipe[0])
            throw SystemError("posix_spawn", path: path, code: spawned)
        }
        let (output, errorOutput, status) = collect(pid: pid, out: outPipe[0], err: errPipe[0])
        return Result(
            status: status, output: String(decoding: output, as: UTF8.self),
            errorOutput: String(decoding: errorOutput, as: UTF8.self))
    }

    /// The current environment with PATH set when it is missing (tools such as ntfs-3g call helpers).
    private static func environment() -> [UnsafeMutablePointer<CChar>?] {
        var entries: [String] = []
        var index = 0
        while let entry = environ[index] {
            entries.append(String(cString: entry))
            index += 1
        }
        if !entries.contains(where: { $0.hasPrefix("PATH=") }) {
            entries.append("PATH=" + fallbackPath.joined(separator: ":"))
        }
        return entries.map { strdup($0) } + [nil]
    }

    /// Reads both pipes until the child has exited and they are drained. A daemonising child (ntfs-3g) may leave
    /// a copy of a pipe open in its daemon, so reading stops shortly after the direct child exits.
    private static func collect(pid: pid_t, out: Int32, err: Int32) -> ([UInt8], [UInt8], Int32) {
        var buffers: [[UInt8]] = [[], []]
        var descriptors = [
            pollfd(fd: out, events: Int16(POLLIN), revents: 0), pollfd(fd: err, events: Int16(POLLIN), revents: 0),
        ]
        var status: Int32?
        var quietRoundsAfterExit = 0
        var chunk = [UInt8](repeating: 0, count: 4096)
        while descriptors.contains(where: { $0.fd >= 0 }) {
            let ready = poll(&descriptors, 2, 100)
            if ready < 0 && errno != EINTR { break }
            var readSomething = false
            for index in 0..<2 where descriptors[index].fd >= 0 && descriptors[index].revents != 0 {
                let count = chunk.withUnsafeMutableBytes { read(descriptors[index].fd, $0.baseAddress, 4096) }
                if count > 0 {
                    readSomething = true
                    if buffers[index].count < outputCap { buffers[index] += chunk[0..<count] }
                } else if count == 0 || errno != EINTR {
                    close(descriptors[index].fd)
                    descriptors[index].fd = -1
                }
            }
            if status == nil { status = reap(pid, wait: false) }
            if status != nil && !readSomething {
                quietRoundsAfterExit += 1
                if quietRoundsAfterExit >= 3 { break }
            }
        }
        for descriptor in descriptors where descriptor.fd >= 0 { close(descriptor.fd) }
        return (buffers[0], buffers[1], status ?? reap(pid, wait: true) ?? 255)
    }

    /// waitpid, decoded: the exit code, or 128 + the signal number.
    private static func reap(_ pid: pid_t, wait: Bool) -> Int32? {
        var raw: Int32 = 0
        while true {
            let result = waitpid(pid, &raw, wait ? 0 : WNOHANG)
            if result == 0 { return nil }
            if result < 0 { if errno == EINTR { continue }; return 255 }
            break
        }
        return raw & 0x7F == 0 ? (raw >> 8) & 0xFF : 128 + (raw & 0x7F)
    }
}
