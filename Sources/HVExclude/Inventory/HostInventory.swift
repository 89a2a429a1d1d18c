/// What the readers found on the host, assembled: registered and unregistered VMs with every path they use,
/// disks with their chains, host facts, and what no VM uses. The exclusion planner's input.
struct HostInventory: Sendable {
    /// The registry's facts; nil without hives.
    var facts: HostFacts?
    /// Whether a SOFTWARE hive was read (the audit needs it).
    var softwareHiveRead: Bool
    /// Environment values for `%VAR%` forms (the host's, else Windows' defaults).
    var environment: WindowsEnvironment
    /// The Hyper-V data root, `%ProgramData%\Microsoft\Windows\Hyper-V`, in its on-disk spelling.
    var dataRoot: WindowsPath
    /// VMs and checkpoints, registered first, then by configuration path.
    var virtualMachines: [VirtualMachine]
    /// Artifacts, with the VMs that use them and disk chains.
    var artifacts: [FoundArtifact]
    /// What no registered VM uses.
    var unreferenced: [UnreferencedFile]
    /// Problems met.
    var findings: [Finding]
}
