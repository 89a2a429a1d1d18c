import HVXBinary
import HVXVolume

/// Folders that are never excluded whole, however Hyper-V uses them (docs/exclusion-policy.md): a
/// volume root, `Windows`, `Program Files*`, `ProgramData` (except Hyper-V's subtree), `Users`, every profile and
/// its known folders (except `Public\Documents\Hyper-V`), temp folders, and any SMB share or folder holding one.
/// An exclusion there would hide everything else the folder holds, now and later.
package struct ProtectedPlaces: Sendable {
    /// `%SystemRoot%`.
    package let systemRoot: WindowsPath?
    /// `%ProgramData%`.
    package let programData: WindowsPath?
    /// `%ProgramData%\Microsoft\Windows\Hyper-V`, a subtree of ProgramData that may be excluded.
    package let dataRoot: WindowsPath
    /// `%ProgramData%\Microsoft\Windows\Virtual Hard Disks`, client Hyper-V's default disk folder (Windows 10/11):
    /// the other subtree of ProgramData that may be excluded.
    package let clientDiskFolder: WindowsPath?
    /// `%Public%\Documents\Hyper-V`, the one subtree of Users that may be excluded.
    package let publicHyperV: WindowsPath?
    /// The folders of the host's SMB shares, with their names.
    package let shares: [PolicyInput.Share]

    /// Folder names Windows creates in every profile (the shell's known folders), compared case-insensitively.
    package static let knownFolders: Set<String> = Set(
        [
            "AppData", "Contacts", "Desktop", "Documents", "Downloads", "Favorites", "Links", "Music", "OneDrive",
            "Pictures",
            "Saved Games", "Searches", "Videos", "3D Objects", "Local Settings", "My Documents", "Application Data",
        ].map { NTFSName.fold($0) })
    package static let tempNames: Set<String> = Set(["Temp", "Tmp", "$Recycle.Bin"].map { NTFSName.fold($0) })

    /// The protected places of a host.
    package init(environment: WindowsEnvironment, dataRoot: WindowsPath, shares: [PolicyInput.Share]) {
        systemRoot = environment.path("%SystemRoot%")
        programData = environment.path("%ProgramData%")
        self.dataRoot = dataRoot
        clientDiskFolder = environment.path("%ProgramData%\\Microsoft\\Windows\\Virtual Hard Disks")
        publicHyperV = environment.path("%Public%\\Documents\\Hyper-V")
        self.shares = shares
    }

    /// Why `folder` may not be excluded whole, or nil when it may.
    package func reason(_ folder: WindowsPath) -> String? {
        if folder.isRoot { return "it is a volume root" }
        let parts = folder.components.map { NTFSName.fold($0) }
        if let share = shares.first(where: { folder.contains($0.path) }) {
            return folder == share.path
                ? "it is the SMB share '\(share.name)' (\(share.evidence.source) \(share.evidence.detail)): its users can write there"
                : "it holds the SMB share '\(share.name)' (\(share.path)): its users can write there"
        }
        if let systemRoot, systemRoot.contains(folder) || systemRoot.isAncestor(of: folder) {
            return "it is in the Windows folder \(systemRoot)"
        }
        if parts.count >= 1, parts[0] == "WINDOWS" { return "it is in a Windows folder" }
        if parts[0].hasPrefix("PROGRAM FILES") { return "it is in \(folder.components[0])" }
        if dataRoot.contains(folder) { return nil }
        if let clientDiskFolder, clientDiskFolder.contains(folder) { return nil }
        if let programData, programData.contains(folder) {
            return
                "it is in ProgramData (only \(dataRoot) and \(clientDiskFolder?.description ?? "its Virtual Hard Disks folder") may be excluded there)"
        }
        if parts[0] == "PROGRAMDATA" {
            return
                "it is in ProgramData (only its Microsoft\\Windows\\Hyper-V and Microsoft\\Windows\\Virtual Hard Disks subtrees may be excluded)"
        }
        if let temp = parts.firstIndex(where: { ProtectedPlaces.tempNames.contains($0) }) {
            return
                "it is \(temp == parts.count - 1 ? "" : "in ")the temporary folder \(WindowsPath(root: folder.root, components: Array(folder.components[...temp])))"
        }
        if parts[0] == "USERS" {
            if let publicHyperV, publicHyperV.contains(folder) { return nil }
            if parts.count == 1 { return "it is the folder of all user profiles" }
            if parts.count == 2 { return "it is the user profile \(folder)" }
            if ProtectedPlaces.knownFolders.contains(parts[2]) && parts.count == 3 {
                return "it is the known folder \(folder.components[2]) of the profile \(folder.components[1])"
            }
            if parts.count >= 3, parts[2] == "APPDATA" || parts[2] == "LOCAL SETTINGS" || parts[2] == "APPLICATION DATA"
            {
                return "it is in the application data of the profile \(folder.components[1])"
            }
        }
        return nil
    }
}
