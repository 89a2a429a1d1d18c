// Reference: signatures as their specifications place them: BitLocker "-FVE-FS-" (MS-FVE / libbde), exFAT
// "EXFAT   " (Microsoft exFAT specification 3.1), ReFS "ReFS" (libfsrefs), FAT12/16 at 54 and FAT32 at 82
// (Microsoft FAT specification, BS_FilSysType), NTFS "NTFS    " (3), LUKS "LUKS\xBA\xBE" (LUKS1 and LUKS2
// on-disk format), ext2/3/4 superblock magic 0xEF53 at 1080, qcow "QFI\xFB" (QEMU qcow2 specification), EWF
// "EVF\x09\x0D\x0A\xFF\x00" and EWF2 "EVF2\x0D\x0A\x81\x00" (libewf "Expert Witness Compression Format"),
// VMDK "KDMV"/"COWD" and the text descriptor "# Disk DescriptorFile" (VMware Virtual Disk Format 5.0), VDI
// 0xBEDA107F at 0x40 (VirtualBox).
import HVXBinary

/// What sector 0 of an image holds when it is neither a partition table nor a readable NTFS volume: a volume of
/// another kind (named, with why it cannot be read and what to do), an image container hvexclude does not open
/// (named, with the command that converts it), or an MBR-like sector whose records are not valid.
package enum SectorZeroContent: Sendable, Equatable {
    case bitLocker
    case damagedNTFS(String)
    case fat(String)
    case exFAT
    case refs
    case luks
    case ext
    case qcow
    case ewf
    case vmdk
    case vdi
    case invalidMBR(String)

    /// Bytes of the image's start that ``identify(_:)`` looks at (the ext superblock magic sits at 1080).
    package static let inspectedBytes = 2048

    /// Identifies an image container or a volume boot sector from the image's first bytes, or nil.
    /// A damaged NTFS boot sector is named here (its OEM id is read before any MBR is believed).
    package static func identify(_ head: [UInt8]) -> SectorZeroContent? {
        func at(_ offset: Int, _ text: [UInt8]) -> Bool {
            head.count >= offset + text.count && Array(head[offset..<offset + text.count]) == text
        }
        if at(0, Array("QFI".utf8) + [0xFB]) { return .qcow }
        if at(0, Array("EVF".utf8) + [0x09, 0x0D, 0x0A, 0xFF, 0x00])
            || at(0, Array("EVF2".utf8) + [0x0D, 0x0A, 0x81, 0x00])
        {
            return .ewf
        }
        if at(0, Array("KDMV".utf8)) || at(0, Array("COWD".utf8)) || at(0, Array("# Disk DescriptorFile".utf8)) {
            return .vmdk
        }
        if at(0x40, [0x7F, 0x10, 0xDA, 0xBE]) { return .vdi }
        if at(0, Array("LUKS".utf8) + [0xBA, 0xBE]) { return .luks }
        if at(3, Array("-FVE-FS-".utf8)) { return .bitLocker }
        if at(3, Array("EXFAT   ".utf8)) { return .exFAT }
        if at(3, Array("ReFS".utf8) + [0, 0, 0, 0]) { return .refs }
        let jumps = head.first == 0xEB || head.first == 0xE9
        if jumps, at(82, Array("FAT32   ".utf8)) { return .fat("FAT32") }
        for name in ["FAT12   ", "FAT16   ", "FAT     "] where jumps && at(54, Array(name.utf8)) {
            return .fat(name == "FAT     " ? "FAT12/16" : String(name.prefix(5)))
        }
        return nil
    }

    /// Whether the first bytes hold an ext2/3/4 superblock (consulted only once no MBR is believed: the
    /// superblock lies past sector 0, so a partitioned disk's own bytes could hold the magic there).
    package static func isExt(_ head: [UInt8]) -> Bool {
        head.count >= 1082 && head[1080] == 0x53 && head[1081] == 0xEF
    }

    /// What it is, in words.
    package var what: String {
        switch self {
        case .bitLocker: return "a BitLocker-encrypted volume (boot signature -FVE-FS- at 0x3) with no partition table"
        case .damagedNTFS(let reason): return "an NTFS boot sector that fails its checks (\(reason))"
        case .fat(let kind): return "a \(kind) volume with no partition table"
        case .exFAT: return "an exFAT volume (boot signature EXFAT at 0x3) with no partition table"
        case .refs: return "a ReFS volume (boot signature ReFS at 0x3) with no partition table"
        case .luks: return "a LUKS-encrypted volume (signature LUKS at 0x0)"
        case .ext: return "an ext2/3/4 file system (superblock magic 0xEF53 at 0x438)"
        case .qcow: return "a QEMU qcow/qcow2 image (signature QFI at 0x0)"
        case .ewf: return "an EnCase/EWF evidence file (E01/Ex01, signature EVF at 0x0)"
        case .vmdk: return "a VMware VMDK virtual disk"
        case .vdi: return "a VirtualBox VDI virtual disk"
        case .invalidMBR(let reason):
            return "a sector with the 0x55AA signature whose partition records are not valid (\(reason))"
        }
    }

    /// Why it cannot be read and what to do, with `image` quoted into the commands.
    package func advice(image: String) -> String {
        let quoted = DiskImageScan.quote(image)
        let raw = DiskImageScan.quote(image + ".raw")
        switch self {
        case .bitLocker:
            return "it cannot be read while encrypted: unlock it first, e.g. with dislocker (Debian dislocker): "
                + "dislocker -r -V \(quoted) -p -- /mnt/fve, then scan /mnt/fve/dislocker-file; "
                + "or unlock it on a Windows host"
        case .damagedNTFS:
            return "it is not read as a partition table; the volume cannot be read natively "
                + "(try chkdsk on a Windows host, or --mount, whose ntfs-3g may use the backup boot sector)"
        case .fat, .exFAT:
            return "hvexclude reads NTFS only (a Hyper-V host's system volume is NTFS); it is not scanned"
        case .refs:
            return "hvexclude reads NTFS only; attach the volume on a Windows host, "
                + "or copy the Hyper-V folders off it and scan the copy"
        case .luks:
            return "it cannot be read while encrypted: open it read-only first "
                + "(cryptsetup open --readonly \(quoted) hvx) and scan /dev/mapper/hvx"
        case .ext:
            return "it is no Windows volume: mount it (mount -o ro) and scan the host's volume or copy it holds"
        case .qcow, .vmdk, .vdi:
            return "hvexclude reads raw, VHD and VHDX images: convert it first "
                + "(qemu-img convert -O raw \(quoted) \(raw)) and scan the raw image, or expose it read-only "
                + "(qemu-nbd --read-only --connect=/dev/nbd0 \(quoted)) and scan /dev/nbd0"
        case .ewf:
            return "hvexclude reads raw, VHD and VHDX images: export it first "
                + "(ewfexport -u -f raw -t \(quoted) \(quoted), Debian ewf-tools) and scan \(raw), "
                + "or mount it (ewfmount \(quoted) /mnt/ewf) and scan /mnt/ewf/ewf1"
        case .invalidMBR:
            return "it is not believed as an MBR; no partition table or volume recognised"
        }
    }
}
