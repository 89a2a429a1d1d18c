/// The fixed parts of the exclusion policy (docs/exclusion-policy.md).
enum ExclusionPolicy {
    /// Hyper-V-specific extensions by Windows generation (KB 3105657): never narrowed to the files present.
    static func extensions(for generation: HostFacts.WindowsGeneration) -> [String] {
        var list = ["vhd", "avhd", "vsv"]
        if generation >= .v2012 { list = ["vhd", "vhdx", "avhd", "avhdx", "vsv"] }
        if generation >= .v2016 { list += ["vhds", "vmcx", "vmrs", "vmgs", "rct", "mrt"] }
        if generation >= .v2019 { list += ["vhdpmem"] }
        return list
    }

    /// Host-wide extensions far too broad to exclude; listed only with `--broad-extensions`.
    static let broadExtensions = ["xml", "bin", "iso"]

    /// Why each process is excluded.
    static let processReasons: [String: String] = [
        "vmms.exe": "Hyper-V Virtual Machine Management service (KB 3105657)",
        "vmwp.exe": "Hyper-V VM worker process, one per running VM (KB 3105657)",
        "vmsp.exe": "Hyper-V VM security process for shielded VMs and vTPM, 2016 and later (KB 3105657)",
        "vmcompute.exe": "Hyper-V Host Compute Service, 2019 and later (KB 3105657)",
        "clussvc.exe": "Failover Cluster service (KB 250355)",
        "rhs.exe": "Failover Cluster resource host subsystem (KB 250355)",
    ]
}
