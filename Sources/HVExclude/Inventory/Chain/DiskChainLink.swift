import HVXFormats

/// One disk of a differencing chain, from the disk asked about (first) to the base disk (last).
package struct DiskChainLink: Codable, Sendable, Equatable {
    /// What is known about this link.
    package enum Status: String, Codable, Sendable {
        /// The disk the chain was asked for.
        case start
        /// Found, and its identity matches what the child recorded.
        case verified
        /// Found, but the child recorded no identity to check it against.
        case unverifiable
        /// Found, but its identity differs from what the child recorded: the chain is broken here.
        case broken
        /// No candidate path leads to an existing file.
        case unresolved
        /// Found but not readable as a virtual disk.
        case unreadable
        /// The parent is a disk already in the chain.
        case loop
        /// The chain is longer than the depth cap.
        case tooDeep
    }

    /// The Windows path when known, else the best path recorded (a candidate or the host path).
    package var path: String
    /// Where the file was found on this machine.
    package var hostPath: String?
    /// Whether the file exists.
    package var exists: Bool
    /// Whether the link to the child is confirmed (always true for the start disk when it could be read).
    package var verified: Bool
    /// What is known about this link.
    package var status: Status
    /// Why the link is not verified, in words.
    package var reason: String?
    /// For an unresolved parent: every candidate path, the absolute one first.
    package var candidates: [String]?
    /// The disk as read, when it could be.
    package var disk: VirtualDisk?

    /// Creates a link.
    package init(
        path: String, hostPath: String?, exists: Bool, verified: Bool, status: Status, reason: String? = nil,
        candidates: [String]? = nil, disk: VirtualDisk? = nil
    ) {
        self.path = path
        self.hostPath = hostPath
        self.exists = exists
        self.verified = verified
        self.status = status
        self.reason = reason
        self.candidates = candidates
        self.disk = disk
    }

    /// ``path`` as a finding's location. A link found on this machine has a host path, and its `path` is that
    /// host path unless the resolver knew the Windows path (a host path starts with `/`, a Windows one never does).
    /// A link with no host path holds only what a configuration or a parent locator said, which need not be a path
    /// at all (`not an absolute Windows path`): its text, the one place the kind is unknown.
    package var location: Finding.Location {
        guard let hostPath else { return .text(path) }
        return path == hostPath ? .hostPath(path) : .windowsPath(path)
    }
}
