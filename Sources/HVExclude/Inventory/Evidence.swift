/// Where a fact came from: a file (Windows path) and the field or key inside it.
package struct Evidence: Codable, Hashable, Sendable, Comparable {
    /// The file or hive that said so (`C:\ProgramData\Microsoft\Windows\Hyper-V\data.vmcx`, `SOFTWARE`).
    package var source: String
    /// The key, value or structure inside it (`Configurations/VirtualMachines/_…_`, `parent locator relative_path`).
    package var detail: String

    package static func < (lhs: Evidence, rhs: Evidence) -> Bool { (lhs.source, lhs.detail) < (rhs.source, rhs.detail) }

    /// The memberwise initialiser, `package` for the layers above (Swift synthesises it internal).
    package init(source: String, detail: String) {
        self.source = source
        self.detail = detail
    }
}
