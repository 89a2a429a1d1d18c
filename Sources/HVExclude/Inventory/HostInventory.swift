import HVXVolume

/// What the readers found on the host, assembled: registered and unregistered VMs with every path they use,
/// disks with their chains, host facts, and what no VM uses. The exclusion planner's input.
package struct HostInventory: Sendable {
    /// The registry's facts; nil without hives.
    package var facts: HostFacts?
    /// Whether a SOFTWARE hive was read (the audit needs it).
    package var softwareHiveRead: Bool
    /// Environment values for `%VAR%` forms (the host's, else Windows' defaults).
    package var environment: WindowsEnvironment
    /// The Hyper-V data root, `%ProgramData%\Microsoft\Windows\Hyper-V`, in its on-disk spelling.
    package var dataRoot: WindowsPath
    /// VMs and checkpoints, registered first, then by configuration path.
    package var virtualMachines: [VirtualMachine]
    /// Artifacts, with the VMs that use them and disk chains.
    package var artifacts: [FoundArtifact]
    /// What no registered VM uses.
    package var unreferenced: [UnreferencedFile]
    /// Problems met.
    package var findings: [Finding]
}
