import HVXBinary

/// Registry key and value names: compared the way Windows compares them, with ``NTFSName``.
package enum RegistryName {
    /// The name upper-cased per character, never changing its length in characters (``NTFSName/fold(_:)``).
    package static func uppercased(_ name: String) -> String { NTFSName.fold(name) }

    /// Whether two names are equal ignoring case, Windows-style (``NTFSName/equal(_:_:)``).
    package static func equal(_ lhs: String, _ rhs: String) -> Bool { NTFSName.equal(lhs, rhs) }

    /// Splits a backslash-separated key path into its non-empty components.
    package static func components(of path: String) -> [String] {
        path.split(separator: "\\", omittingEmptySubsequences: true).map(String.init)
    }
}
