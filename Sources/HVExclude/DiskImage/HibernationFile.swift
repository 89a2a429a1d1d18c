// Reference: the PO_MEMORY_IMAGE header at offset 0 of hiberfil.sys (signature "hibr"/"HIBR" while a
// hibernated session or a Fast Startup kernel image is stored, "wake"/"RSTR" or zeros after resume); ntfs-3g's
// volume.c (ntfs_check_hiberfile) refuses a read-write mount on the same two signatures.
import HVXInventory
import HVXVolume

/// The first bytes of a volume's `hiberfil.sys`, to tell a hibernated (or Fast Startup) Windows volume.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 4 | signature: `hibr`, `HIBR` (hibernated), `RSTR` (resume in progress), `wake` or zeros (resumed) |
package struct HibernationFile: Sendable, Equatable {
    /// The host path of the file.
    package var hostPath: String
    /// The signature as text (non-printable bytes as `.`).
    package var signature: String
    /// Whether the signature says a hibernated session is stored.
    var isHibernated: Bool

    /// Signatures that mean "hibernated" (ntfs-3g's two, plus a resume cut short).
    static let hibernatedSignatures = ["hibr", "HIBR", "rstr", "RSTR"]

    /// Classifies the first bytes of a hiberfil.sys.
    package init(hostPath: String, header: [UInt8]) {
        self.hostPath = hostPath
        let first = Array(header.prefix(4))
        signature = String(decoding: first.map { (0x20..<0x7F).contains($0) ? $0 : UInt8(ascii: ".") }, as: UTF8.self)
        isHibernated =
            first.count == 4 && HibernationFile.hibernatedSignatures.contains(String(decoding: first, as: UTF8.self))
    }

    /// Reads `hiberfil.sys` (any case) at the root of the volume mounted at `volumeRoot`; nil when there is none
    /// or it cannot be read.
    package static func read(
        volumeRoot: String, fileSystem: any VolumeFileSystem = POSIXFileSystem.shared
    ) -> HibernationFile? {
        let map = VolumeMap([
            .init(prefix: WindowsPath(root: .drive("C"), components: []), hostRoot: volumeRoot, fileSystem: fileSystem)
        ])
        guard let path = map.hostPath(for: WindowsPath(root: .drive("C"), components: ["hiberfil.sys"])),
            let file = try? map.openFile(path, readBudget: 4), let header = try? file.read(at: 0, count: 4)
        else { return nil }
        return HibernationFile(hostPath: path, header: header)
    }

    /// Why a hibernated volume matters and what to do, for a drive named `drive` ("C:").
    func explanation(drive: String) -> String {
        "\(drive)\\hiberfil.sys starts with \"\(signature)\": Windows was hibernated or shut down with Fast Startup, so this volume "
            + "was not cleanly unmounted and changes made just before may exist only in the hibernation image. Reading it "
            + "read-only (all hvexclude needs) is safe. For a clean volume, boot Windows and shut it down fully "
            + "(shutdown /s /t 0, or turn Fast Startup off). Never mount it read-write with ntfs-3g's remove_hiberfile: "
            + "that deletes the hibernated session and any unsaved work in it."
    }

    /// A report warning for every drive root among `mappings` that holds a hibernated hiberfil.sys.
    package static func warnings(for mappings: [VolumeMap.Mapping]) -> [Finding] {
        mappings.compactMap { mapping in
            guard mapping.prefix.components.isEmpty, case .drive = mapping.prefix.root,
                let file = read(volumeRoot: mapping.hostRoot, fileSystem: mapping.fileSystem), file.isHibernated
            else { return nil }
            let drive = mapping.prefix.rootDescription
            return Finding(
                .image, at: .windowsPath(drive + "\\hiberfil.sys"), message: file.explanation(drive: drive),
                severity: .warning)
        }
    }

    /// Whether a mount tool's error text says the volume is hibernated or was left unclean by Fast Startup.
    package static func mentionsHibernation(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.contains("hibernat") || lower.contains("unsafe state") || lower.contains("unclean file system")
            || lower.contains("fast restart") || lower.contains("fast startup")
    }
}
