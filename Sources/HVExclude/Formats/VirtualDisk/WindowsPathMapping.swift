/// How chain resolution turns Windows paths into host paths and back; the integrator plugs the volume map in.
public struct WindowsPathMapping: Sendable {
    /// The host path of a Windows path (`C:\…`, `\\?\Volume{…}\…`), or `nil` when it lies on no mapped volume
    /// or does not exist.
    public var resolveWindowsPath: @Sendable (String) -> String?
    /// The Windows path of a host path, or `nil` when the host path lies on no mapped volume.
    public var windowsPathForHost: @Sendable (String) -> String?

    /// Creates a mapping from the two closures.
    public init(
        resolveWindowsPath: @escaping @Sendable (String) -> String?,
        windowsPathForHost: @escaping @Sendable (String) -> String?
    ) {
        self.resolveWindowsPath = resolveWindowsPath
        self.windowsPathForHost = windowsPathForHost
    }

    /// A mapping that knows no volume: only relative candidates can resolve.
    public static let unmapped = WindowsPathMapping(resolveWindowsPath: { _ in nil }, windowsPathForHost: { _ in nil })

    /// A mapping from drive letters to host folders (`["C": "/mnt/c"]`), resolving components case-insensitively
    /// as NTFS does. `\\?\C:\` prefixes are accepted; volume GUID and UNC paths do not resolve.
    public static func drives(_ roots: [String: String]) -> WindowsPathMapping {
        var table: [String: String] = [:]
        for (letter, root) in roots { table[letter.uppercased()] = HostPath.trimmingTrailingSlash(root) }
        let drives = table
        return WindowsPathMapping(
            resolveWindowsPath: { windowsPath in
                guard let (letter, rest) = WindowsPathText.splitDrive(windowsPath), let root = drives[letter] else {
                    return nil
                }
                return try? CaseInsensitivePath.resolve(WindowsPathText.components(rest), from: root, within: root).get()
            },
            windowsPathForHost: { hostPath in
                var best: (letter: String, root: String)?
                for (letter, root) in drives where HostPath.isInside(hostPath, root) {
                    if best == nil || root.count > best!.root.count { best = (letter, root) }
                }
                guard let best else { return nil }
                let rest = hostPath.dropFirst(best.root.count).split(separator: "/").joined(separator: "\\")
                return "\(best.letter):\\" + rest
            })
    }
}

/// Small helpers for Windows path text.
enum WindowsPathText {
    /// The components of a Windows path (either separator; empty components dropped).
    static func components(_ path: some StringProtocol) -> [String] {
        String(path).split(whereSeparator: { (character: Character) in character == "\\" || character == "/" })
            .map(String.init)
    }

    /// `("C", rest)` for `C:\rest` or `\\?\C:\rest`.
    static func splitDrive(_ path: String) -> (String, Substring)? {
        var text = Substring(path)
        for prefix in ["\\\\?\\", "\\??\\", "\\\\.\\"] where text.hasPrefix(prefix) { text = text.dropFirst(prefix.count) }
        let scalars = Array(text.unicodeScalars.prefix(2))
        guard scalars.count == 2, scalars[1] == ":", scalars[0].isASCII,
            ("A"..."Z").contains(Character(scalars[0]).uppercased())
        else { return nil }
        return (Character(scalars[0]).uppercased(), text.dropFirst(2))
    }

    /// `relative` (which may hold `.` and `..`) joined to the folder of Windows path `base`, or `nil` when it
    /// climbs above the drive.
    static func join(folderOf base: String, _ relative: String) -> String? {
        guard let (letter, rest) = splitDrive(base) else { return nil }
        var parts = components(rest)
        guard !parts.isEmpty else { return nil }
        parts.removeLast()
        for part in components(relative) {
            if part == "." { continue }
            if part == ".." {
                guard !parts.isEmpty else { return nil }
                parts.removeLast()
            } else {
                parts.append(part)
            }
        }
        return "\(letter):\\" + parts.joined(separator: "\\")
    }
}

/// Small helpers for host path text.
enum HostPath {
    /// `path` without trailing slashes (but `/` stays `/`).
    static func trimmingTrailingSlash(_ path: String) -> String {
        var text = path
        while text.count > 1 && text.hasSuffix("/") { text.removeLast() }
        return text
    }

    /// Whether `path` is `root` or lies below it.
    static func isInside(_ path: String, _ root: String) -> Bool {
        if root == "/" { return path.hasPrefix("/") }
        return path == root || path.hasPrefix(root + "/")
    }

    /// The folder holding `path`.
    static func folder(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
