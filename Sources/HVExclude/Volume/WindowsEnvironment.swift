import HVXBinary

/// The environment variables Windows paths on a host use (`%SystemRoot%`, `%ProgramData%`, …), with the
/// host's real values where the SOFTWARE hive gives them and Windows' defaults otherwise.
package struct WindowsEnvironment: Sendable, Equatable {
    /// Upper-cased variable name → value.
    package private(set) var values: [String: String]

    /// Windows' defaults for a system drive `C:`.
    package static let defaults = WindowsEnvironment(values: [
        "SYSTEMDRIVE": "C:",
        "SYSTEMROOT": "C:\\Windows",
        "WINDIR": "C:\\Windows",
        "PROGRAMDATA": "C:\\ProgramData",
        "ALLUSERSPROFILE": "C:\\ProgramData",
        "PUBLIC": "C:\\Users\\Public",
        "PROGRAMFILES": "C:\\Program Files",
        "PROGRAMFILES(X86)": "C:\\Program Files (x86)",
        "PROGRAMW6432": "C:\\Program Files",
        "COMMONPROGRAMFILES": "C:\\Program Files\\Common Files",
    ])

    /// An environment from explicit values (names are case-insensitive).
    package init(values: [String: String]) {
        self.values = Dictionary(
            values.map { (NTFSName.fold($0.key), $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// Sets one variable.
    package mutating func set(_ name: String, _ value: String) {
        values[NTFSName.fold(name)] = value
    }

    /// The value of `name`, case-insensitively.
    package func value(_ name: String) -> String? { values[NTFSName.fold(name)] }

    /// Replaces every `%NAME%` whose value is known (repeatedly, for values that are themselves env forms,
    /// at most 8 rounds); unknown variables stay as written.
    package func expand(_ text: String) -> String {
        var current = text
        for _ in 0..<8 {
            let next = expandOnce(current)
            if next == current { return next }
            current = next
        }
        return current
    }

    private func expandOnce(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "%") {
            out += rest[..<open]
            let afterOpen = rest.index(after: open)
            guard let close = rest[afterOpen...].firstIndex(of: "%") else {
                out += rest[open...]
                return out
            }
            let name = rest[afterOpen..<close]
            if let value = value(String(name)), !name.isEmpty {
                out += value
            } else {
                out += rest[open...close]
            }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    /// Parses `text` as a Windows path after expanding environment forms; nil when a `%NAME%` form is left that
    /// this environment does not know (for text that may hold variables: registry values, Defender entries,
    /// options). Paths from VM configurations and registrations are literal: parse them with `WindowsPath(_:)`.
    package func path(_ text: String) -> WindowsPath? {
        guard let path = WindowsPath(expand(text)), !path.hasEnvironmentForm else { return nil }
        return path
    }

    /// A path as a VM configuration or registration names it: literal when it is absolute as written (`%` is a
    /// letter there: a folder may be called `%PATH%`); only a path that starts with a `%NAME%` form, which no
    /// literal absolute path can, is expanded.
    package func literalPath(_ text: String) -> WindowsPath? {
        WindowsPath(text) ?? path(text)
    }

    /// The `%NAME%\…` form of `path` under the deepest of `names` that contains it, for `--env-paths`.
    package func environmentForm(
        of path: WindowsPath,
        using names: [String] = ["ProgramData", "Public", "SystemRoot", "ProgramFiles", "SystemDrive"]
    ) -> String? {
        var best: (name: String, depth: Int, rootPath: WindowsPath)?
        for name in names {
            guard let value = value(name), let rootPath = WindowsPath(value), rootPath.contains(path) else { continue }
            if best == nil || rootPath.components.count > best!.depth {
                best = (name, rootPath.components.count, rootPath)
            }
        }
        guard let best else { return nil }
        let rest = path.components.dropFirst(best.rootPath.components.count)
        return rest.isEmpty ? "%\(best.name)%" : "%\(best.name)%\\" + rest.joined(separator: "\\")
    }
}
