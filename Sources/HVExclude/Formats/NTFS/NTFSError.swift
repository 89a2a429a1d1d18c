import HVXBinary

/// Why an NTFS volume, or one of its files, could not be read natively.
package enum NTFSError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The volume is BitLocker-encrypted (`-FVE-FS-` boot signature): only Windows or dislocker can read it.
    case bitLocker(offset: UInt64)
    /// The boot sector is not an NTFS one (or its geometry is impossible).
    case notNTFS(BinaryFormatError)
    /// One MFT record (or an attribute of it) is damaged or cannot be followed.
    case record(UInt64, String)
    /// The file's data is EFS-encrypted: listed, never read.
    case encrypted(UInt64)
    /// The path named does not exist in the volume.
    case notFound(String)
    /// The path names something that is not what was asked for (a folder opened as a file, …).
    case wrongKind(String, expected: String)

    package var description: String {
        switch self {
        case .bitLocker(let offset):
            return "the volume at \(hex(offset)) is BitLocker-encrypted (boot signature -FVE-FS-): unlock it first, "
                + "e.g. with dislocker (Debian dislocker) or in Windows, then scan the unlocked volume with --mount"
        case .notNTFS(let error): return "not an NTFS volume: \(error)"
        case .record(let number, let reason): return "MFT record \(number): \(reason)"
        case .encrypted(let number):
            return "MFT record \(number): the file is EFS-encrypted; its contents are not read"
        case .notFound(let path): return "\(path): no such file or folder in the NTFS volume"
        case .wrongKind(let path, let expected): return "\(path) is not a \(expected)"
        }
    }
}
