import HVXBinary
import HVXVolume

/// A Defender path or process exclusion parsed for comparison: an absolute Windows path whose components may
/// hold `*` and `?`.
///
/// Defender's folder wildcards replace exactly one folder each, and once the named and wild-carded folders are
/// matched every subfolder is included too (Microsoft Learn, "Use wildcards in the file name and folder path or
/// extension exclusion lists"); so a pattern of N components covers a path whose first N components match it.
package struct AuditPattern: Sendable, Equatable {
    /// The parsed path (wildcard characters kept in its components).
    let path: WindowsPath

    /// Parses `text` after expanding `%VAR%` forms; nil for a relative path or an unknown variable.
    init?(_ text: String, environment: WindowsEnvironment) {
        guard let path = environment.path(text.auditTrimmed) else { return nil }
        self.path = path
    }

    /// A pattern from an already parsed path.
    init(path: WindowsPath) {
        self.path = path
    }

    /// Whether any component holds `*` or `?`.
    var hasWildcard: Bool { path.components.contains(where: AuditPattern.isWildcard) }

    /// The components before the first wildcard: what must exist for the pattern to match anything.
    var literalPrefix: WindowsPath {
        WindowsPath(root: path.root, components: Array(path.components.prefix { !AuditPattern.isWildcard($0) }))
    }

    /// Whether the pattern names exactly `target` (no wildcard, same path after normalising).
    func equals(_ target: WindowsPath) -> Bool { !hasWildcard && path == target }

    /// Whether the pattern matches `target` itself (wildcards expanded, same depth).
    func matches(_ target: WindowsPath) -> Bool {
        guard path.sameRoot(as: target), path.components.count == target.components.count else { return false }
        return zip(path.components, target.components).allSatisfy { AuditPattern.glob($0, $1) }
    }

    /// Whether the pattern, read as a folder exclusion, covers `target`: it matches `target` or an ancestor.
    func covers(_ target: WindowsPath) -> Bool {
        guard path.sameRoot(as: target), path.components.count <= target.components.count else { return false }
        return zip(path.components, target.components).allSatisfy { AuditPattern.glob($0, $1) }
    }

    static func isWildcard(_ text: String) -> Bool { text.contains("*") || text.contains("?") }

    /// Case-insensitive match of `text` against `pattern`, where `*` is any run of characters and `?` one.
    static func glob(_ pattern: String, _ text: String) -> Bool {
        let p = Array(NTFSName.fold(pattern)), t = Array(NTFSName.fold(text))
        // Iterative matcher with one backtrack point: linear in practice, never recursive.
        var pi = 0, ti = 0
        var star: Int?, mark = 0
        while ti < t.count {
            if pi < p.count && (p[pi] == "?" || p[pi] == t[ti]) {
                pi += 1
                ti += 1
            } else if pi < p.count && p[pi] == "*" {
                star = pi
                mark = ti
                pi += 1
            } else if let s = star {
                pi = s + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    /// An extension as Defender compares it: without `*.` or `.`, lower-cased, spaces trimmed.
    package static func normaliseExtension(_ text: String) -> String {
        var rest = Substring(text.auditTrimmed)
        if rest.hasPrefix("*.") { rest = rest.dropFirst(2) } else if rest.hasPrefix(".") { rest = rest.dropFirst() }
        return rest.lowercased()
    }

    /// The extension of a file name, lower-cased, or nil.
    static func fileExtension(_ name: String) -> String? {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        let ext = name[name.index(after: dot)...]
        return ext.isEmpty ? nil : ext.lowercased()
    }
}

extension String {
    /// The text without leading and trailing spaces and tabs (as Defender ignores them in list entries).
    var auditTrimmed: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
