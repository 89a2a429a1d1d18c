import CSystemShims

#if canImport(Glibc)
import Glibc
#endif

/// Where a link on the scanned volume really points, as a Windows path, and how we know.
package struct LinkTarget: Equatable, Sendable, Codable {
    /// Where the target came from.
    package enum Source: String, Sendable, Codable {
        /// NTFS reparse data read through ntfs-3g's `system.ntfs_reparse_data` (authoritative).
        case reparseData
        /// The link text `readlink` returns (ntfs3 driver, copied trees); ntfs-3g's is not trustworthy.
        case linkText
    }

    /// The target as a Windows path, when it could be worked out.
    package var windowsPath: WindowsPath?
    /// The raw target text (reparse substitute name or `readlink` text).
    package var text: String
    /// How the target was read.
    package var source: Source
    /// `symlink` or `junction` (reparse data only).
    package var kind: ReparsePoint.Kind?
    /// Why `windowsPath` is missing, when it is.
    package var problem: String?
}

/// Reads link targets without following links.
package enum LinkReader {
    /// Reads the raw NTFS reparse data of `hostPath`, `nil` when the file system has none to give.
    package static func reparseData(_ hostPath: String) -> [UInt8]? {
        let name = "system.ntfs_reparse_data"
        // Ask for the size first: ntfs-3g answers a too-small buffer with EIO, not ERANGE.
        let size = hvx_lgetxattr(hostPath, name, nil, 0)
        guard size > 0, size <= 16 * 1024 else { return nil }
        var buffer = [UInt8](repeating: 0, count: Int(size))
        let read = buffer.withUnsafeMutableBytes { hvx_lgetxattr(hostPath, name, $0.baseAddress, Int(size)) }
        guard read > 0 else { return nil }
        return Array(buffer.prefix(Int(read)))
    }

    /// `readlink` text of `hostPath`, `nil` when it is not a link.
    package static func linkText(_ hostPath: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlink(hostPath, &buffer, 4096)
        guard count >= 0 else { return nil }
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The Windows target of the link at `hostPath`, whose own Windows path is `linkPath`.
    ///
    /// Reparse data wins; without it the link text is interpreted: ntfs-3g's `/.NTFS-3G/D:/…` form, a Windows
    /// path, a host path inside a mapped root, or a path relative to the link's folder. A host path outside every
    /// mapped root is reported, never followed.
    package static func target(ofLinkAt hostPath: String, linkPath: WindowsPath?, map: VolumeMap) -> LinkTarget {
        let fileSystem = map.fileSystem(forHostPath: hostPath)
        if let data = fileSystem.reparseData(hostPath) {
            do {
                let point = try ReparsePoint(parsing: data)
                if let absolute = point.absoluteTarget {
                    return LinkTarget(
                        windowsPath: absolute, text: point.substituteName, source: .reparseData, kind: point.kind)
                }
                let relative = linkPath?.parent?.appending(point.substituteName)
                return LinkTarget(
                    windowsPath: relative, text: point.substituteName, source: .reparseData, kind: point.kind,
                    problem: relative == nil ? "relative target climbs above the volume root" : nil)
            } catch {
                return LinkTarget(windowsPath: nil, text: "", source: .reparseData, kind: nil, problem: "\(error)")
            }
        }
        guard let text = fileSystem.linkText(hostPath) else {
            return LinkTarget(
                windowsPath: nil, text: "", source: .linkText, kind: nil, problem: "not a link, or unreadable")
        }
        return LinkTarget(text: text, linkPath: linkPath, map: map)
    }
}

extension LinkTarget {
    /// Interprets `readlink` text (no reparse data available).
    package init(text: String, linkPath: WindowsPath?, map: VolumeMap) {
        self.text = text
        self.source = .linkText
        self.kind = nil
        if let marker = text.firstRange(of: "/.NTFS-3G/") {
            // ntfs-3g's answer for a target on another drive: "<mount>/.NTFS-3G/D:/VMs/x.xml".
            windowsPath = WindowsPath(String(text[marker.upperBound...]))
            problem = windowsPath == nil ? "unreadable ntfs-3g target \(text)" : nil
        } else if let windows = WindowsPath(text) {
            windowsPath = windows
            problem = nil
        } else if text.hasPrefix("/") {
            windowsPath = map.windowsPath(forHostPath: text)
            problem = windowsPath == nil ? "points outside the mapped roots (\(text)); not followed" : nil
        } else {
            windowsPath = linkPath?.parent?.appending(text)
            problem = windowsPath == nil ? "relative target \(text) climbs above the volume root" : nil
        }
    }
}
