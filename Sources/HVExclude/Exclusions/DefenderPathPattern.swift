// Reference: Microsoft Learn, "Configure and validate exclusions based on file extension and folder location",
// section "Use wildcards in the file name and folder path or extension exclusion lists" (MicrosoftDocs/defender-docs
// defender-endpoint/configure-extension-file-exclusions-microsoft-defender-antivirus.md).

import HVXBinary
import HVXFormats
import HVXInventory
import HVXVolume

/// A Defender path exclusion as Defender reads it — the one implementation of its documented matching, used by the
/// planner's patterns, the audit and the plan properties:
/// - a plain path excludes that file, or that folder and everything below it;
/// - in a **folder** part, `*` and `?` match within one folder name (a bare `*` is exactly one folder); once the
///   named and wild-carded folders match, every subfolder is included (`C:\somepath\*\Data`);
/// - in the **last** part, a wildcard makes a file-name pattern that matches names in that folder only, never in
///   its subfolders (`C:\MyData\*.txt`, `c:\data\*\marked\date*`);
/// - `%VAR%` forms are expanded with the host's values; at most six wildcards per entry; never in place of the
///   drive letter (such text does not parse as an absolute path).
package struct DefenderPathPattern: Sendable, Equatable, CustomStringConvertible {
    /// Defender's documented cap on wildcards in one entry.
    package static let maximumWildcards = 6

    /// The expanded path; wildcard characters are kept in its components.
    package let path: WindowsPath

    /// Parses `text` after expanding `%VAR%` forms; nil for a relative path, a wildcard drive or an unknown variable.
    package init?(_ text: String, environment: WindowsEnvironment) {
        guard let path = environment.path(text.auditTrimmed) else { return nil }
        self.path = path
    }

    /// A pattern from an already parsed path (a planned entry, written literally).
    package init(path: WindowsPath) {
        self.path = path
    }

    package var description: String { path.description }

    /// How many `*` and `?` the entry holds.
    package var wildcardCount: Int { path.components.reduce(0) { $0 + $1.count { $0 == "*" || $0 == "?" } } }

    /// Whether Defender accepts the entry: at most six wildcards.
    package var isWithinWildcardLimit: Bool { wildcardCount <= DefenderPathPattern.maximumWildcards }

    /// Whether any component holds `*` or `?`.
    package var hasWildcard: Bool { path.components.contains(where: DefenderPathPattern.isWildcard) }

    /// Whether the last part holds a wildcard: a file-name pattern, matching names in its folder only.
    package var isFileNamePattern: Bool { path.lastComponent.map(DefenderPathPattern.isWildcard) ?? false }

    /// Whether a folder part (any but the last) holds a wildcard.
    package var hasFolderWildcard: Bool { path.components.dropLast().contains(where: DefenderPathPattern.isWildcard) }

    /// The folder a file-name pattern matches in (the path without its last part); the path itself otherwise.
    package var folder: WindowsPath { isFileNamePattern ? (path.parent ?? path) : path }

    /// The components before the first wildcard: what must exist for the pattern to match anything.
    package var literalPrefix: WindowsPath {
        WindowsPath(root: path.root, components: Array(path.components.prefix { !DefenderPathPattern.isWildcard($0) }))
    }

    /// Whether the entry names exactly `target` (no wildcard, same path after normalising).
    package func equals(_ target: WindowsPath) -> Bool { !hasWildcard && path == target }

    /// Whether Defender excludes the file or folder at `target` by this entry.
    package func covers(_ target: WindowsPath) -> Bool {
        guard isWithinWildcardLimit, path.sameRoot(as: target) else { return false }
        let count = path.components.count
        if isFileNamePattern {
            guard target.components.count == count else { return false }
        } else {
            guard target.components.count >= count else { return false }
        }
        return zip(path.components, target.components).allSatisfy { DefenderPathPattern.glob($0, $1) }
    }

    /// Whether the entry names `target` itself, wildcards expanded at the same depth (a process exclusion names
    /// one binary, never a folder's contents).
    package func matches(_ target: WindowsPath) -> Bool {
        guard isWithinWildcardLimit, path.sameRoot(as: target), path.components.count == target.components.count else {
            return false
        }
        return zip(path.components, target.components).allSatisfy { DefenderPathPattern.glob($0, $1) }
    }

    /// Whether everything `other` excludes is excluded by this entry too (a configured entry against a planned
    /// pattern): component by component, each of `other`'s names is contained in this one's.
    package func covers(_ other: DefenderPathPattern) -> Bool {
        guard isWithinWildcardLimit, other.isWithinWildcardLimit, path.sameRoot(as: other.path) else { return false }
        if !other.hasWildcard { return covers(other.path) }
        let count = path.components.count
        if isFileNamePattern {
            guard other.path.components.count == count, other.isFileNamePattern else { return false }
        } else {
            // A folder (or a folder pattern) covers what lies below it; a file-name pattern at the same depth is
            // covered only when the folder's last name contains it (a literal cannot contain a wildcard).
            guard other.path.components.count >= count else { return false }
        }
        return zip(path.components, other.path.components).allSatisfy { DefenderPathPattern.contains($0, $1) }
    }

    package static func isWildcard(_ text: String) -> Bool { text.contains("*") || text.contains("?") }

    /// Case-insensitive match of `text` against `pattern`, where `*` is any run of characters and `?` one.
    package static func glob(_ pattern: String, _ text: String) -> Bool {
        let p = Array(NTFSName.fold(pattern))
        let t = Array(NTFSName.fold(text))
        // Iterative matcher with one backtrack point: linear in practice, never recursive.
        var pi = 0
        var ti = 0
        var star: Int?
        var mark = 0
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

    /// Whether every name `inner` matches is matched by `outer` (both glob patterns, case-insensitive): `*` in
    /// `outer` takes any run of `inner`'s characters and wildcards; `?` one character or `?`, never a `*`.
    package static func contains(_ outer: String, _ inner: String) -> Bool {
        let p = Array(NTFSName.fold(outer))
        let q = Array(NTFSName.fold(inner))
        // match[i][j]: p[i...] contains q[j...]. Names are short (≤ 255), so the table is small.
        var next = [Bool](repeating: false, count: q.count + 1)
        next[q.count] = true
        for i in stride(from: p.count - 1, through: 0, by: -1) {
            var row = [Bool](repeating: false, count: q.count + 1)
            for j in stride(from: q.count, through: 0, by: -1) {
                switch p[i] {
                case "*":
                    row[j] = next[j] || (j < q.count && row[j + 1])
                case "?":
                    row[j] = j < q.count && q[j] != "*" && next[j + 1]
                default:
                    row[j] = j < q.count && q[j] == p[i] && next[j + 1]
                }
            }
            next = row
        }
        return next[0]
    }

    /// An extension as Defender compares it: without `*.` or `.`, lower-cased, spaces trimmed.
    package static func normaliseExtension(_ text: String) -> String {
        var rest = Substring(text.auditTrimmed)
        if rest.hasPrefix("*.") { rest = rest.dropFirst(2) } else if rest.hasPrefix(".") { rest = rest.dropFirst() }
        return rest.lowercased()
    }

    /// The extension of a file name, lower-cased, or nil.
    package static func fileExtension(_ name: String) -> String? {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        let ext = name[name.index(after: dot)...]
        return ext.isEmpty ? nil : ext.lowercased()
    }
}

extension String {
    /// The text without leading and trailing spaces and tabs (as Defender ignores them in list entries).
    package var auditTrimmed: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
