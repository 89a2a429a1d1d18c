#if canImport(Glibc)
import Glibc
import HVXBinary
#endif

/// What `hvexclude scan ROOT` needs when ROOT is a disk image or block device rather than a folder
/// (docs/rescue.md): whether it is one, what it holds, and the commands that mount it by hand. The command
/// line (the executable's `DiskImageCommand`) prints them, or mounts with ``ImageMountSession`` and scans.
package enum DiskImageScan {
    /// Whether `path` is a regular file or a block device (after following links), i.e. not a folder to walk.
    package static func isImage(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        let type = info.st_mode & S_IFMT
        return type == S_IFREG || type == S_IFBLK
    }

    /// "VHDX" or "VHD" when the file starts like one (a dynamic or differencing VHD starts with a footer copy;
    /// a fixed VHD is a raw image plus a footer and is read as one).
    package static func virtualDiskFormat(_ path: String) -> String? {
        guard let file = try? FileReader(path: path), let head = try? file.read(at: 0, count: 8) else { return nil }
        if head == Array("vhdxfile".utf8) { return "VHDX" }
        if head == Array("conectix".utf8) { return "VHD" }
        return nil
    }

    // MARK: listing

    /// The partition listing printed for an image ROOT.
    package static func listing(_ table: PartitionTable, image: String) -> String {
        var header = "\(image): "
        switch table.kind {
        case .gpt: header += "GPT disk" + (table.diskGUID.map { " (disk GUID \($0))" } ?? "")
        case .mbr: header += "MBR disk" + (table.diskSignature.map { " (disk signature \(hex($0)))" } ?? "")
        case .bareNTFS: header += "one NTFS volume, no partition table"
        case .unknown:
            let what = table.content.map { "sector 0 holds \($0.what)" }
            header += what ?? "no partition table or NTFS volume recognised"
        }
        header += ", \(table.diskSize) bytes, \(table.sectorSize)-byte sectors\n"
        var rows = [["#", "start (bytes)", "size (bytes)", "type", "Windows names it by", "file system"]]
        for partition in table.partitions {
            var identity = ""
            if let guid = partition.partitionGUID {
                identity = "partition GUID \(guid)"
            } else if let signature = partition.diskSignature {
                identity = "signature \(hex(signature)) + offset"
            }
            let system = partition.ntfs.map { "NTFS, serial \($0.serialText)" } ?? "-"
            var type = partition.typeName
            if let name = partition.name { type += " \"\(name)\"" }
            if partition.scheme == .mbrLogical { type += " (logical)" }
            rows.append([
                String(partition.number), String(partition.offset), String(partition.size), type, identity, system,
            ])
        }
        var widths = [Int](repeating: 0, count: rows[0].count)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        var text = header
        for row in rows {
            let cells = row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
            }
            text += "  " + cells.joined(separator: "  ") + "\n"
        }
        for warning in table.warnings { text += "warning: \(warning)\n" }
        for error in table.errors { text += "error: \(error)\n" }
        return text
    }

    /// The exact commands that mount the NTFS partitions read-only and scan them, for an image ROOT.
    package static func instructions(_ table: PartitionTable, image: String) -> String {
        let ntfs = table.ntfsPartitions
        guard !ntfs.isEmpty else { return "No NTFS partition found: nothing to scan.\n" }
        let quoted = quote(image)
        var text =
            "To scan it, attach and mount each NTFS partition read-only (as root); ntfs-3g has no offset option, hence losetup:\n"
        text += "  mkdir -p " + ntfs.map { "/mnt/hvx/p\($0.number)" }.joined(separator: " ") + "\n"
        for partition in ntfs {
            let arguments = ImageMountSession.losetupArguments(image: image, partition: partition).map {
                $0 == image ? quoted : $0
            }
            text += "  L\(partition.number)=$(losetup \(arguments.joined(separator: " ")))\n"
            text += "  ntfs-3g -o ro \"$L\(partition.number)\" /mnt/hvx/p\(partition.number)"
            text += "      # or: mount -t ntfs3 -o ro \"$L\(partition.number)\" /mnt/hvx/p\(partition.number)\n"
        }
        let first = ntfs[0]
        var scan = "  hvexclude scan /mnt/hvx/p\(first.number)"
        var letter = UInt8(ascii: "D")
        for partition in ntfs.dropFirst() where letter <= UInt8(ascii: "Z") {
            scan += " --drive \(Character(UnicodeScalar(letter)))=/mnt/hvx/p\(partition.number)"
            letter += 1
        }
        text += scan + " -o report.json\n"
        text +=
            "    (ROOT is the partition holding Windows\\System32\\config\\SYSTEM; the letters of the others are in its MountedDevices)\n"
        text += "  umount " + ntfs.map { "/mnt/hvx/p\($0.number)" }.joined(separator: " ")
        text += "; losetup -d " + ntfs.map { "\"$L\($0.number)\"" }.joined(separator: " ") + "\n"
        text += "Or let hvexclude do all of this, drive letters included (as root):\n"
        text += "  hvexclude scan \(quoted) --mount -o report.json\n"
        return text
    }

    /// `text` quoted for a POSIX shell when it needs quoting.
    package static func quote(_ text: String) -> String {
        let plain = text.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII
                && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                    || "/._-+=:,@%".unicodeScalars.contains(scalar))
        }
        return plain && !text.isEmpty ? text : "'" + text.replacing("'", with: "'\\''") + "'"
    }
}
