/// The file types Hyper-V writes, in one table (docs/exclusion-policy.md, rules 2 and 3): the walker's
/// classifier (Inventory), the folder rule (Exclusions, ``HyperVFiles``) and the lock diagnosis (Diagnosis) each
/// take their set from here. Extensions are lower case, without the dot.
package enum HyperVFileType: Sendable {
    /// What Hyper-V uses a file of the type for.
    package enum Role: Sendable {
        /// A virtual disk (`.vhd`, `.vhdx`, their differencing disks, a VHD Set, a persistent-memory disk).
        case disk
        /// Resilient change tracking beside a disk (`.rct`, `.mrt`).
        case changeTracking
        /// Saved state and guest state (`.vsv`, `.bin`, `.vmrs`, `.vmgs`).
        case runtimeState
        /// A configuration (`.vmcx`).
        case configuration
        /// A smart-paging file (`.slp`).
        case smartPaging
        /// A Hyper-V Replica log (`.hrl`, `.hru`).
        case replicaLog
    }

    /// Every type and its role.
    package static let table: [(fileExtension: String, role: Role)] = [
        ("vhd", .disk), ("vhdx", .disk), ("avhd", .disk), ("avhdx", .disk), ("vhds", .disk), ("vhdpmem", .disk),
        ("rct", .changeTracking), ("mrt", .changeTracking),
        ("vsv", .runtimeState), ("bin", .runtimeState), ("vmrs", .runtimeState), ("vmgs", .runtimeState),
        ("vmcx", .configuration), ("slp", .smartPaging), ("hrl", .replicaLog), ("hru", .replicaLog),
    ]

    /// File types only Hyper-V writes: every type of the table.
    package static let extensions: Set<String> = Set(table.map(\.fileExtension))

    /// The types of one or more roles.
    package static func extensions(_ roles: Role...) -> Set<String> {
        Set(table.filter { roles.contains($0.role) }.map(\.fileExtension))
    }

    /// The types that mark a file as a VM's by name alone in the lock diagnosis: every type but `.bin` (other
    /// software writes `.bin` files too) and `.slp` (the diagnosis has never counted smart-paging files).
    package static let diagnosable: Set<String> = extensions.subtracting(["bin", "slp"])
}
