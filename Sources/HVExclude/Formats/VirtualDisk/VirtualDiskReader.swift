import HVXBinary

/// Reads VHDX and VHD files into ``VirtualDisk`` values, telling the formats apart by signature.
package enum VirtualDiskReader {
    /// Reads the disk at host path `path`.
    /// - Throws: ``SystemError`` when the file cannot be opened or read; ``BinaryFormatError`` when it is neither
    ///   a VHDX nor a VHD, or a structure needed to describe it is invalid.
    package static func read(path: String) throws -> VirtualDisk {
        try read(file: FileReader(path: path))
    }

    /// Reads the disk behind an open reader (lets callers measure ``FileReader/bytesRead``), and checks its block
    /// allocation table against the file's size (``VirtualDisk/damage``).
    /// - Throws: as ``read(path:)``.
    package static func read(file: FileReader) throws -> VirtualDisk {
        let head = try file.read(at: 0, count: 8)
        if head == VHDXFileIdentifier.signature {
            let header = try VHDXFile(reading: file)
            var disk = disk(from: header)
            disk.damage = damage { try VHDXDiskBytes(file: file, header: header, parent: nil).pastEnd }
            return disk
        }
        if head == VHDFooter.cookie || hasVHDFooterAtEnd(file) {
            let header = try VHDFile(reading: file)
            var disk = disk(from: header)
            disk.damage = damage { try VHDDiskBytes(file: file, header: header, parent: nil).pastEnd }
            return disk
        }
        throw BinaryFormatError(
            "virtual disk", at: 0,
            "neither a VHDX file identifier (\"vhdxfile\") at 0x0 nor a VHD footer (\"conectix\") at the end "
                + "(file size \(file.size))")
    }

    /// The blocks `blocks` finds that the disk's BAT places past the end of its file (one sentence naming them,
    /// without the path: the finding names the disk), or why the BAT could not be read; empty for a whole disk. The
    /// BAT is read as the guest view reads it (``VHDDiskBytes``, ``VHDXDiskBytes``): bounded by the file's size and
    /// their caps.
    static func damage(_ blocks: () throws -> BlocksPastEnd) -> [Diagnostic] {
        do {
            return try blocks().problem.map { [Diagnostic(.diskBlocksPastEnd, $0)] } ?? []
        } catch {
            return [
                Diagnostic(
                    .diskBATUnreadable,
                    "the block allocation table cannot be read, so the disk's data cannot be: \(error)")
            ]
        }
    }

    /// Whether a VHD cookie sits 512 or 511 bytes before the end (a fixed VHD has no copy at 0).
    static func hasVHDFooterAtEnd(_ file: FileReader) -> Bool {
        for back in [UInt64(VHDFooter.size), UInt64(VHDFooter.size - 1)] where file.size >= back {
            if (try? file.read(at: file.size - back, count: 8)) == VHDFooter.cookie { return true }
        }
        return false
    }

    /// The common view of a parsed VHDX file.
    package static func disk(from file: VHDXFile) -> VirtualDisk {
        var warnings = file.warnings
        let type: VirtualDisk.DiskType =
            file.hasParent ? .differencing : file.leaveBlocksAllocated ? .fixed : .dynamic
        var parent: VirtualDiskParent?
        if file.hasParent, let locator = file.parentLocator, locator.locatorType == VHDXParentLocator.vhdxParentType {
            var candidates: [VirtualDiskParent.Candidate] = []
            for (key, kind) in [
                ("relative_path", VirtualDiskParent.Candidate.Kind.relative),
                ("volume_path", .volume), ("absolute_win32_path", .absolute),
            ] {
                if let value = locator.value(key), !value.isEmpty {
                    candidates.append(.init(kind: kind, path: value, source: key))
                }
            }
            var identities: [GUID] = []
            for key in ["parent_linkage", "parent_linkage2"] {
                guard let value = locator.value(key) else { continue }
                if let guid = GUID(value) {
                    if !guid.isZero { identities.append(guid) }
                } else {
                    warnings.append(
                        .vhdxParentLinkageInvalid, "VHDX parent locator: \(key) \"\(value)\" is not a GUID; ignored")
                }
            }
            if identities.isEmpty {
                warnings.append(
                    .vhdxParentLinkageMissing, "VHDX parent locator: no parent_linkage; the parent cannot be verified")
            }
            parent = VirtualDiskParent(candidates: candidates, expectedIdentities: identities)
        }
        return VirtualDisk(
            format: .vhdx, type: type, virtualSize: file.virtualDiskSize, blockSize: file.blockSize,
            creator: file.creator, identity: file.dataWriteGuid, parent: parent, warnings: warnings,
            virtualDiskID: file.virtualDiskID)
    }

    /// The common view of a parsed VHD file.
    package static func disk(from file: VHDFile) -> VirtualDisk {
        let type: VirtualDisk.DiskType
        switch file.footer.diskType {
        case 2: type = .fixed
        case 3: type = .dynamic
        default: type = .differencing
        }
        var parent: VirtualDiskParent?
        if type == .differencing, let header = file.dynamicHeader {
            var candidates: [VirtualDiskParent.Candidate] = []
            for (code, kind) in [
                ("W2ru", VirtualDiskParent.Candidate.Kind.relative), ("W2ku", .absolute),
                ("Wi2r", .relative), ("Wi2k", .absolute),
            ] {
                for locator in file.locators where locator.platformCode == code {
                    if let text = locator.text, !text.isEmpty {
                        candidates.append(.init(kind: kind, path: text, source: code))
                    }
                }
            }
            if !header.parentUnicodeName.isEmpty {
                candidates.append(
                    .init(kind: .unicodeName, path: header.parentUnicodeName, source: "parent unicode name"))
            }
            parent = VirtualDiskParent(
                candidates: candidates,
                expectedIdentities: header.parentUniqueID.isZero ? [] : [header.parentUniqueID])
        }
        return VirtualDisk(
            format: .vhd, type: type, virtualSize: file.footer.currentSize, blockSize: file.dynamicHeader?.blockSize,
            creator: file.footer.creatorDescription, identity: file.footer.uniqueID, parent: parent,
            warnings: file.warnings)
    }
}
