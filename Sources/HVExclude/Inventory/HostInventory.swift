/// What the readers found on the host, assembled: registered and unregistered VMs with every path they use,
/// disks with their chains, host facts, and what no VM uses. The exclusion planner's input.
public struct HostInventory: Sendable {
    /// The registry's facts; nil without hives.
    public var facts: HostFacts?
    /// Whether a SOFTWARE hive was read (the audit needs it).
    public var softwareHiveRead: Bool
    /// Environment values for `%VAR%` forms (the host's, else Windows' defaults).
    public var environment: WindowsEnvironment
    /// The Hyper-V data root, `%ProgramData%\Microsoft\Windows\Hyper-V`, in its on-disk spelling.
    public var dataRoot: WindowsPath
    /// VMs and checkpoints, registered first, then by configuration path.
    public var virtualMachines: [VirtualMachine]
    /// Artifacts, with the VMs that use them and disk chains.
    public var artifacts: [FoundArtifact]
    /// What no registered VM uses.
    public var unreferenced: [UnreferencedFile]
    /// Problems met.
    public var findings: [Finding]
}
