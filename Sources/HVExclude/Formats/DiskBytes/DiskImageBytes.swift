#if canImport(Glibc)
import Glibc
import HVXBinary
#endif

/// Opens a disk image on the host as the bytes of the disk it holds: a raw image or block device as is, a VHD or
/// VHDX through its BAT, a differencing VHD/VHDX together with its parents (found beside it on the host by the
/// parent locator's relative path or file name, and checked by identity).
package enum DiskImageBytes {
    /// Most parents followed.
    static let maximumChainLength = 16

    /// What was opened.
    package struct Opened: Sendable {
        /// The guest disk's bytes.
        package var source: any ByteSource
        /// "raw", "VHD fixed", "VHDX dynamic", …, with the chain for a differencing disk.
        package var format: String
        /// Warnings from the container headers, the child's first.
        package var warnings: [Diagnostic]
        /// Damage that leaves guest bytes unreadable (BAT entries past the end of a file in the chain), each a
        /// sentence with the file's path, the blocks, their offsets and the file size.
        package var errors: [String] = []
    }

    /// Why an image could not be opened as a disk.
    package enum OpenError: Error, CustomStringConvertible, Sendable {
        case parentMissing(child: String, candidates: [String])
        case parentMismatch(child: String, parent: String)
        case chainTooLong(String)

        package var description: String {
            switch self {
            case .parentMissing(let child, let candidates):
                return
                    "\(child) is a differencing disk whose parent was not found beside it (tried: \(candidates.joined(separator: ", "))); put the parent next to it"
            case .parentMismatch(let child, let parent):
                return "\(parent) is not the parent of \(child): its identity differs from the one the child records"
            case .chainTooLong(let path):
                return
                    "\(path): more than \(DiskImageBytes.maximumChainLength) differencing disks in the chain (or a loop)"
            }
        }
    }

    /// Opens `path`.
    /// - Throws: ``SystemError`` when it cannot be opened, ``BinaryFormatError`` for damaged headers,
    ///   ``OpenError`` for a parent that cannot be found or does not match.
    package static func open(path: String) throws -> Opened {
        try open(path: path, depth: 0)
    }

    package static func open(path: String, depth: Int) throws -> Opened {
        guard depth <= maximumChainLength else { throw OpenError.chainTooLong(path) }
        let file = try FileReader(path: path, readBudget: UInt64.max)
        let size = try deviceSize(path: path, statSize: file.size)
        let head = try file.readUnbudgeted(at: 0, count: 8)
        if head == Array("vhdxfile".utf8) { return try openVHDX(path: path, file: file, depth: depth) }
        let tail = size >= 512 ? try file.readUnbudgeted(at: size - 512, count: 8) : []
        if head == Array("conectix".utf8) || tail == Array("conectix".utf8) {
            return try openVHD(path: path, file: file, depth: depth)
        }
        return Opened(source: FileBytes(reader: file, size: size), format: "raw", warnings: [])
    }

    /// A VHDX file and, for a differencing disk, its parent chain (the parent checked by its data-write GUID).
    private static func openVHDX(path: String, file: FileReader, depth: Int) throws -> Opened {
        let header = try VHDXFile(reading: file)
        var parent: Opened?
        if header.hasParent {
            guard let locator = header.parentLocator else { throw OpenError.parentMissing(child: path, candidates: []) }
            let candidates = parentCandidates(
                of: path, relative: locator.value("relative_path"), absolute: locator.value("absolute_win32_path"))
            guard let found = candidates.first(where: { access($0, R_OK) == 0 }) else {
                throw OpenError.parentMissing(child: path, candidates: candidates)
            }
            let parentFile = try FileReader(path: found)
            if let linkage = locator.value("parent_linkage").flatMap({ GUID($0) }),
                let parentHeader = try? VHDXFile(reading: parentFile), parentHeader.dataWriteGuid != linkage
            {
                throw OpenError.parentMismatch(child: path, parent: found)
            }
            parent = try open(path: found, depth: depth + 1)
        }
        let kind = header.hasParent ? "differencing" : header.leaveBlocksAllocated ? "fixed" : "dynamic"
        let bytes = try VHDXDiskBytes(file: file, header: header, parent: parent?.source)
        return Opened(
            source: bytes,
            format: "VHDX \(kind)" + (parent.map { " over \($0.format)" } ?? ""),
            warnings: header.warnings + (parent?.warnings ?? []),
            errors: (bytes.pastEnd.summary.map { [$0] } ?? []) + (parent?.errors ?? []))
    }

    /// A VHD file and, for a differencing disk, its parent chain (the parent checked by its unique id).
    private static func openVHD(path: String, file: FileReader, depth: Int) throws -> Opened {
        let header = try VHDFile(reading: file)
        var parent: Opened?
        if header.footer.diskType == 4 {
            let texts = header.locators.compactMap(\.text)
            var candidates: [String] = []
            for text in texts { candidates += parentCandidates(of: path, relative: text, absolute: text) }
            if let name = header.dynamicHeader?.parentUnicodeName, !name.isEmpty {
                candidates += parentCandidates(of: path, relative: nil, absolute: name)
            }
            var unique: [String] = []
            for candidate in candidates where !unique.contains(candidate) { unique.append(candidate) }
            guard let found = unique.first(where: { access($0, R_OK) == 0 }) else {
                throw OpenError.parentMissing(child: path, candidates: unique)
            }
            if let expected = header.dynamicHeader?.parentUniqueID,
                let parentHeader = try? VHDFile(reading: try FileReader(path: found)),
                parentHeader.footer.uniqueID != expected
            {
                throw OpenError.parentMismatch(child: path, parent: found)
            }
            parent = try open(path: found, depth: depth + 1)
        }
        let kind = header.footer.diskType == 2 ? "fixed" : header.footer.diskType == 4 ? "differencing" : "dynamic"
        let bytes = try VHDDiskBytes(file: file, header: header, parent: parent?.source)
        return Opened(
            source: bytes,
            format: "VHD \(kind)" + (parent.map { " over \($0.format)" } ?? ""),
            warnings: header.warnings + (parent?.warnings ?? []),
            errors: (bytes.pastEnd.summary.map { [$0] } ?? []) + (parent?.errors ?? []))
    }

    /// Size of a regular file or block device (fstat reports 0 for a block device: seek to its end).
    package static func deviceSize(path: String, statSize: UInt64) throws -> UInt64 {
        guard statSize == 0 else { return statSize }
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError.current("open", path: path) }
        defer { close(fd) }
        let end = lseek(fd, 0, SEEK_END)
        guard end >= 0 else { throw SystemError.current("lseek", path: path) }
        return UInt64(end)
    }

    /// Host paths where a parent may be: the relative path from the child's folder, then the absolute path's file
    /// name in the child's folder (a copied chain keeps its files together, not its Windows paths).
    static func parentCandidates(of child: String, relative: String?, absolute: String?) -> [String] {
        let folder = child.contains("/") ? String(child[..<child.lastIndex(of: "/")!]) : "."
        var candidates: [String] = []
        if let relative, !relative.isEmpty, !(relative.count >= 2 && relative.dropFirst().first == ":"),
            !relative.hasPrefix("\\\\")
        {
            var parts = relative.split(separator: "\\").map(String.init)
            if parts.first == "." { parts.removeFirst() }
            if !parts.isEmpty { candidates.append(([folder] + parts).joined(separator: "/")) }
        }
        if let absolute, let name = absolute.split(separator: "\\").last, !name.isEmpty {
            candidates.append(folder + "/" + name)
        }
        return candidates
    }
}
