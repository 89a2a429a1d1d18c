/// Where a fact came from: a file (Windows path) and the field or key inside it.
struct Evidence: Codable, Hashable, Sendable, Comparable {
    /// The file or hive that said so (`C:\ProgramData\Microsoft\Windows\Hyper-V\data.vmcx`, `SOFTWARE`).
    var source: String
    /// The key, value or structure inside it (`Configurations/VirtualMachines/_…_`, `parent locator relative_path`).
    var detail: String

    static func < (lhs: Evidence, rhs: Evidence) -> Bool { (lhs.source, lhs.detail) < (rhs.source, rhs.detail) }
}
