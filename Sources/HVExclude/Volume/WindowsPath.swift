import HVXBinary

/// An absolute Windows path, parsed and normalised: `C:\…`, `\\?\C:\…`, `\??\C:\…`, `\\?\Volume{GUID}\…`,
/// `\\server\share\…` and `\\?\UNC\server\share\…`.
///
/// Components keep their spelling; comparisons (`==`, `key`, ``isAncestor(of:)``) are case-insensitive,
/// as NTFS is. `.` is dropped and `..` is applied; a path that climbs above its root does not parse.
package struct WindowsPath: Hashable, Sendable, Comparable, TextCodable {
    /// What a path hangs from.
    package enum Root: Hashable, Sendable {
        /// A drive letter, upper-case.
        case drive(Character)
        /// A volume named by its GUID (`\\?\Volume{…}\`).
        case volume(GUID)
        /// An SMB share.
        case unc(server: String, share: String)
    }

    /// The root.
    package let root: Root
    /// The components below the root, in their original spelling.
    package let components: [String]

    /// A path from a root and components (already split, without separators).
    package init(root: Root, components: [String]) {
        self.root = root
        self.components = components
    }

    /// Parses an absolute Windows path, literally: `%` is a letter in an NTFS name (a VM folder may be called
    /// `%PATH%`), so only ``WindowsEnvironment/path(_:)`` expands or refuses `%VAR%` forms. `nil` for relative
    /// paths and paths that climb above their root.
    package init?(_ text: String) {
        var rest = Substring(text.replacing("/", with: "\\"))
        let root: Root
        // Win32 file namespace and NT object namespace prefixes.
        for prefix in ["\\\\?\\", "\\??\\", "\\\\.\\"] where rest.hasPrefix(prefix) {
            rest = rest.dropFirst(prefix.count)
            if NTFSName.hasPrefix(rest, "UNC\\") {
                rest = "\\\\" + rest.dropFirst(4)
            }
            break
        }
        if rest.hasPrefix("\\\\") {
            // Server and share are the next two components exactly: `\\\\?\C:` is not server "?" (its canonical
            // spelling `\\?\C:\` would parse as drive C:), and `.`/`..` name no server or share.
            let parts = rest.dropFirst(2).split(separator: "\\", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count >= 2, !parts[0].isEmpty, !parts[1].isEmpty, !["?", ".", ".."].contains(parts[0]),
                ![".", ".."].contains(parts[1])
            else { return nil }
            root = .unc(server: String(parts[0]), share: String(parts[1]))
            rest = parts.count > 2 ? parts[2] : ""
        } else if rest.count >= 2, let letter = rest.first, letter.isASCII, letter.isLetter,
            rest[rest.index(after: rest.startIndex)] == ":"
        {
            root = .drive(Character(letter.uppercased()))
            rest = rest.dropFirst(2)
            // "C:relative" is relative to the drive's current directory: not an absolute path.
            guard rest.isEmpty || rest.hasPrefix("\\") else { return nil }
        } else if NTFSName.hasPrefix(rest, "volume{"), let close = rest.firstIndex(of: "}"),
            let guid = GUID(rest[rest.index(rest.startIndex, offsetBy: 6)...close])
        {
            root = .volume(guid)
            rest = rest[rest.index(after: close)...]
            guard rest.isEmpty || rest.hasPrefix("\\") else { return nil }
        } else {
            return nil
        }
        guard let components = WindowsPath.normalise(rest.split(separator: "\\").map(String.init), base: []) else {
            return nil
        }
        self.init(root: root, components: components)
    }

    /// Applies `.` and `..` to `parts` appended to `base`; `nil` when `..` climbs above the root.
    package static func normalise(_ parts: [String], base: [String]) -> [String]? {
        var out = base
        for part in parts {
            switch part {
            case "", ".": continue
            case "..":
                guard !out.isEmpty else { return nil }
                out.removeLast()
            default:
                // Windows ignores trailing dots and spaces in a component.
                var trimmed = Substring(part)
                while let last = trimmed.last, last == "." || last == " " { trimmed = trimmed.dropLast() }
                if trimmed.isEmpty { return nil }
                out.append(String(trimmed))
            }
        }
        return out
    }

    /// The root as printed: `C:`, `\\?\Volume{…}`, `\\server\share`.
    package var rootDescription: String {
        switch root {
        case .drive(let letter): return "\(letter):"
        case .volume(let guid): return "\\\\?\\Volume{\(guid.description.lowercased())}"
        case .unc(let server, let share): return "\\\\\(server)\\\(share)"
        }
    }

    /// The canonical spelling: `C:\VMs\a`, `C:\` for a drive root.
    package var description: String {
        components.isEmpty ? rootDescription + "\\" : rootDescription + "\\" + components.joined(separator: "\\")
    }

    /// A case-folded form for comparisons and dictionary keys.
    package var key: String { NTFSName.fold(description) }

    /// The drive letter, for a drive path.
    package var driveLetter: Character? {
        if case .drive(let letter) = root { return letter }
        return nil
    }

    /// Whether this is a volume root (`C:\`, `\\server\share\`).
    package var isRoot: Bool { components.isEmpty }

    /// The last component, `nil` for a root.
    package var lastComponent: String? { components.last }

    /// The containing folder, `nil` for a root.
    package var parent: WindowsPath? {
        components.isEmpty ? nil : WindowsPath(root: root, components: Array(components.dropLast()))
    }

    /// Appends a relative path (`x\y`, `..\x`, `.\x`, `/` accepted); `nil` when it climbs above the root.
    package func appending(_ relative: String) -> WindowsPath? {
        let parts = relative.replacing("/", with: "\\").split(separator: "\\").map(String.init)
        guard let joined = WindowsPath.normalise(parts, base: components) else { return nil }
        return WindowsPath(root: root, components: joined)
    }

    /// Whether `other` lies strictly below this path (case-insensitive).
    package func isAncestor(of other: WindowsPath) -> Bool {
        guard sameRoot(as: other), other.components.count > components.count else { return false }
        return zip(components, other.components).allSatisfy { NTFSName.fold($0) == NTFSName.fold($1) }
    }

    /// Whether a component holds a `%NAME%` form (a name between two `%`), which Windows tools may expand.
    package var hasEnvironmentForm: Bool {
        components.contains { $0.split(separator: "%", omittingEmptySubsequences: false).count > 2 }
    }

    /// Whether `other` is this path or lies below it.
    package func contains(_ other: WindowsPath) -> Bool { self == other || isAncestor(of: other) }

    /// Whether both paths hang from the same root (case-insensitive for UNC names).
    package func sameRoot(as other: WindowsPath) -> Bool {
        switch (root, other.root) {
        case (.drive(let a), .drive(let b)): return a == b
        case (.volume(let a), .volume(let b)): return a == b
        case (.unc(let s1, let h1), .unc(let s2, let h2)):
            return NTFSName.fold(s1) == NTFSName.fold(s2) && NTFSName.fold(h1) == NTFSName.fold(h2)
        default: return false
        }
    }

    /// Equal ignoring case (``NTFSName``).
    package static func == (lhs: WindowsPath, rhs: WindowsPath) -> Bool { lhs.key == rhs.key }
    /// Hashes the folded form.
    package func hash(into hasher: inout Hasher) { hasher.combine(key) }
    /// By folded form, then spelling.
    package static func < (lhs: WindowsPath, rhs: WindowsPath) -> Bool {
        lhs.key == rhs.key ? lhs.description < rhs.description : lhs.key < rhs.key
    }

    /// See ``TextCodable/textForm``.
    package static let textForm = "an absolute Windows path"

    /// Parses a path (``init(_:)``).
    package init?(text: String) { self.init(text) }
}
