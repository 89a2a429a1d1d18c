import HVXBinary

/// Where a differencing disk says its parent is, and how to recognise the right one.
package struct VirtualDiskParent: Codable, Sendable, Equatable {
    /// One place the parent may be, as the child recorded it.
    package struct Candidate: Codable, Sendable, Equatable, Hashable {
        /// How the path is to be read.
        package enum Kind: String, Codable, Sendable {
            /// Relative to the child's folder (`relative_path`, `W2ru`, `Wi2r`).
            case relative
            /// A `\\?\Volume{GUID}\…` path (`volume_path`).
            case volume
            /// A drive-letter path (`absolute_win32_path`, `W2ku`, `Wi2k`).
            case absolute
            /// A bare file name, looked up in the child's folder (VHD parent unicode name).
            case unicodeName
        }

        /// How the path is to be read.
        package var kind: Kind
        /// The path as stored.
        package var path: String
        /// Which field it came from (`relative_path`, `W2ku`, `parent unicode name`).
        package var source: String
    }

    /// Candidates in the order they are to be tried.
    package var candidates: [Candidate]
    /// Identities the parent may have (VHDX `parent_linkage`/`parent_linkage2`, VHD parent unique id); empty when
    /// the child recorded none, so a found parent cannot be verified.
    package var expectedIdentities: [GUID]
}
