import HVXBinary
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Loop devices and read-only mounts of one disk image's partitions under a private temporary folder, undone
/// by ``cleanup(lazy:)`` — always, also after errors and (through the caller's signal handler) on signals.
///
/// Each partition is attached with `losetup -r -o OFFSET --sizelimit SIZE --show -f IMAGE` (ntfs-3g has no
/// offset option: it silently ignores `offset=`), then mounted with `ntfs-3g -o ro`, or with the kernel's
/// `mount -t ntfs3 -o ro` when ntfs-3g is missing or fails.
package final class ImageMountSession: Sendable {
    /// The image or block device.
    package let imagePath: String
    /// The private folder the partitions are mounted under (`/tmp/hvexclude-XXXXXX`).
    package let directory: String
    private let state = Mutex(State())

    private struct State {
        var devices: [String] = []
        var mountPoints: [String] = []
        package var folders: [String] = []
    }

    /// Creates the temporary folder.
    /// - Throws: ``DiskImageError/notRoot`` unless running as root, ``SystemError`` when mkdtemp fails.
    package init(imagePath: String) throws {
        guard geteuid() == 0 else { throw DiskImageError.notRoot }
        self.imagePath = imagePath
        var template = Array("/tmp/hvexclude-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw SystemError.current("mkdtemp", path: "/tmp/hvexclude-XXXXXX")
        }
        directory = String(cString: made)
        state.withLock { $0.folders.append(directory) }
    }

    deinit { cleanup() }

    /// Attaches `partition` read-only and mounts it read-only at `directory/pN`.
    /// - Throws: ``DiskImageError`` naming the command that failed and its message.
    package func mount(_ partition: DiskPartition) throws -> MountedPartition {
        guard ExternalCommand.locate("losetup") != nil else {
            throw DiskImageError.toolMissing("losetup", package: "mount")
        }
        let attach = try ExternalCommand.run(
            "losetup", ImageMountSession.losetupArguments(image: imagePath, partition: partition))
        let device = attach.output.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        guard attach.succeeded, device.hasPrefix("/dev/") else {
            throw DiskImageError.commandFailed(
                command: "losetup", status: attach.status, errorOutput: attach.errorOutput)
        }
        state.withLock { $0.devices.append(device) }
        let mountPoint = directory + "/p\(partition.number)"
        guard Glibc.mkdir(mountPoint, 0o700) == 0 else { throw SystemError.current("mkdir", path: mountPoint) }
        state.withLock { $0.folders.append(mountPoint) }
        var failures: [DiskImageError] = []
        for (tool, arguments) in [
            ("ntfs-3g", ["-o", "ro", device, mountPoint]), ("mount", ["-t", "ntfs3", "-o", "ro", device, mountPoint]),
        ] {
            guard ExternalCommand.locate(tool) != nil else {
                failures.append(.toolMissing(tool, package: tool == "ntfs-3g" ? "ntfs-3g" : "mount"))
                continue
            }
            let result = try ExternalCommand.run(tool, arguments)
            if result.succeeded {
                state.withLock { $0.mountPoints.append(mountPoint) }
                return MountedPartition(partition: partition, mountPoint: mountPoint, device: device)
            }
            failures.append(
                .commandFailed(
                    command: ([tool] + arguments).joined(separator: " "), status: result.status,
                    errorOutput: result.errorOutput))
        }
        // Report the ntfs-3g failure: it names hibernation and unclean volumes precisely.
        throw failures.first {
            if case .commandFailed = $0 { return true }; return false
        } ?? failures[0]
    }

    /// Unmounts (lazily when `lazy` or when busy), detaches the loop devices and removes the folders.
    /// Idempotent; safe to call from a signal handler's queue while another call runs (they serialise).
    /// - Returns: what could not be undone, one sentence each.
    @discardableResult
    package func cleanup(lazy: Bool = false) -> [String] {
        state.withLock { state in
            var problems: [String] = []
            for mountPoint in state.mountPoints.reversed() {
                var result = try? ExternalCommand.run("umount", lazy ? ["-l", mountPoint] : [mountPoint])
                if result?.succeeded != true && !lazy {
                    result = try? ExternalCommand.run("umount", ["-l", mountPoint])
                }
                if result?.succeeded != true {
                    problems.append("could not unmount \(mountPoint): \(result?.errorOutput ?? "umount not found")")
                }
            }
            state.mountPoints = []
            // A FUSE daemon may still hold the device a moment after umount: losetup -d then marks it for
            // automatic detach on last close, which is what we want.
            for device in state.devices.reversed() {
                let result = try? ExternalCommand.run("losetup", ["-d", device])
                if result?.succeeded != true {
                    problems.append("could not detach \(device): \(result?.errorOutput ?? "losetup not found")")
                }
            }
            state.devices = []
            for folder in state.folders.reversed() where rmdir(folder) != 0 && errno != ENOENT {
                problems.append("could not remove \(folder): \(SystemError.text(for: errno))")
            }
            state.folders = []
            return problems
        }
    }

    /// `losetup` arguments that attach `partition` of `image` read-only and print the device.
    static func losetupArguments(image: String, partition: DiskPartition) -> [String] {
        ["-r", "-o", String(partition.offset), "--sizelimit", String(partition.size), "--show", "-f", image]
    }
}
