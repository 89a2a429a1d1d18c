import HVXBinary
import HVXVolume

/// What counts as a Hyper-V file or folder for the folder rule (docs/exclusion-policy.md, rule 3): a folder
/// is excluded whole only when everything it holds passes this test. The file types are ``HyperVFileType``'s.
package enum HyperVFiles {
    /// Folder names Hyper-V creates (compared case-insensitively).
    package static let folderNames: Set<String> = Set(
        ["Virtual Machines", "Snapshots", "Virtual Hard Disks", "UndoLog Configuration", "Hyper-V Replica"].map {
            NTFSName.fold($0)
        })
    /// The folder names that make a folder Hyper-V-owned by name alone.
    package static let ownedNames: Set<String> = Set(
        ["Virtual Machines", "Snapshots", "Virtual Hard Disks"].map { NTFSName.fold($0) })

    /// The lower-case extension of a file name, without the dot.
    package static func fileExtension(_ name: String) -> String? {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        return String(name[name.index(after: dot)...]).lowercased()
    }

    /// Whether a file is one Hyper-V writes: a listed type, a GUID-named `.xml`, `data.vmcx`, or an `.iso` a
    /// registered VM attaches (`attachedISOs` holds their keys).
    package static func isHyperVFile(_ path: WindowsPath, attachedISOs: Set<String>) -> Bool {
        guard let name = path.lastComponent, let ext = fileExtension(name) else { return false }
        if HyperVFileType.extensions.contains(ext) { return true }
        let stem = String(name.dropLast(ext.count + 1))
        if ext == "xml" { return GUID(stem) != nil }
        if ext == "iso" { return attachedISOs.contains(path.key) }
        return false
    }

    /// Whether a folder is one Hyper-V creates: a listed name or a GUID-named folder; or one a configuration, the
    /// registry or the cluster names as a Hyper-V root (`ownedRoots`, keys): such a folder is Hyper-V content
    /// inside another one (`D:\VMs\Disks` under `D:\VMs`).
    package static func isHyperVFolder(_ path: WindowsPath, ownedRoots: Set<String> = []) -> Bool {
        guard let name = path.lastComponent else { return false }
        return folderNames.contains(NTFSName.fold(name)) || GUID(name) != nil || ownedRoots.contains(path.key)
    }

    /// Whether `folder` is Hyper-V's by its name: `Virtual Machines`, `Snapshots`, `Virtual Hard Disks`, or a
    /// GUID-named folder below one of them.
    package static func isOwnedByName(_ folder: WindowsPath) -> Bool {
        guard let name = folder.lastComponent else { return false }
        if ownedNames.contains(NTFSName.fold(name)) { return true }
        if GUID(name) != nil, let parent = folder.parent?.lastComponent {
            return ownedNames.contains(NTFSName.fold(parent))
        }
        return false
    }

    /// The first thing under `folder` that is not a Hyper-V file or folder, or nil when there is none.
    ///
    /// Walks the whole subtree on the scanned volume, at most `limit` entries: a folder too large to check is
    /// refused as if it held a foreign file (the returned reason says so).
    package static func firstForeignEntry(
        in folder: WindowsPath, volume: some VolumeQueries, attachedISOs: Set<String>, ownedRoots: Set<String> = [],
        limit: Int = 20_000
    ) -> (path: WindowsPath, why: String)? {
        var stack = [folder]
        var seen = 0
        while let current = stack.popLast() {
            guard let entries = volume.children(of: current) else {
                return (current, "could not be listed, so its contents cannot be checked")
            }
            for entry in entries.sorted(by: { $0.path < $1.path }) {
                seen += 1
                if seen > limit { return (folder, "holds more than \(limit) entries, too many to check one by one") }
                switch entry.kind {
                case .directory:
                    guard isHyperVFolder(entry.path, ownedRoots: ownedRoots) else {
                        return (
                            entry.path,
                            "is a folder Hyper-V does not create (and no configuration or registry value names it)"
                        )
                    }
                    stack.append(entry.path)
                case .file:
                    guard isHyperVFile(entry.path, attachedISOs: attachedISOs) else {
                        return (entry.path, "is not a Hyper-V file")
                    }
                case .symlink:
                    return (entry.path, "is a link: what it points at cannot be vouched for")
                case .other:
                    return (entry.path, "is not a regular file")
                }
            }
        }
        return nil
    }
}
