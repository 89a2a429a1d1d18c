import HVXBinary
import HVXFormats

/// The VM registrations of a Hyper-V 2016+ host, read from `%ProgramData%\Microsoft\Windows\Hyper-V\data.vmcx`.
///
/// `Configurations/VirtualMachines/_<GUID>_` = the absolute path of each registered VM's .vmcx;
/// `Configurations/VirtualMachinesCache` lists vmms's cached copies separately. `ResourceTypes` is ignored.
/// Only the live key tree counts: deleted registrations surviving in free space are never reported.
package struct VMRegistrations: Sendable, Equatable {
    /// One registration: a VM id and the configuration path it points at.
    package struct Entry: Sendable, Equatable, Codable {
        /// The VM id from the key name.
        package var id: GUID
        /// The configuration path (a Windows path, as stored).
        var configurationPath: String
        /// The key path (evidence), e.g. `Configurations/VirtualMachines/_EC04…_`.
        package var keyPath: String

        /// The memberwise initialiser, `package` for the layers above (Swift synthesises it internal).
        package init(id: GUID, configurationPath: String, keyPath: String) {
            self.id = id
            self.configurationPath = configurationPath
            self.keyPath = keyPath
        }
    }

    /// `Configurations/VirtualMachines`: the registered VMs, in stored order.
    package var virtualMachines: [Entry]
    /// `Configurations/VirtualMachinesCache`: cached configuration copies, in stored order.
    var cache: [Entry]
    /// `Configurations/FormatVersion`, when present.
    var formatVersion: Int64?
    /// Problems met reading the file and interpreting the tree.
    package var warnings: [Diagnostic]

    /// Reads `data.vmcx`.
    /// - Throws: ``BinaryFormatError`` or ``SystemError`` from the reader, ``VMConfigXMLError`` when the file
    ///   holds no `Configurations` key.
    package static func read(path: String) throws -> VMRegistrations {
        try VMRegistrations(tree: try VMCXFile.read(path: path).tree)
    }

    /// Interprets the key tree of a registration store.
    /// - Throws: ``VMConfigXMLError`` when there is no `Configurations` node.
    package init(tree: ConfigTree) throws {
        guard let configurations = tree.node(at: "Configurations"), configurations.isNode else {
            throw VMConfigXMLError.notARegistrationStore
        }
        warnings = tree.warnings
        formatVersion = configurations.integer(at: "FormatVersion")
        virtualMachines = []
        cache = []
        for (list, name) in [
            (\VMRegistrations.virtualMachines, "VirtualMachines"), (\VMRegistrations.cache, "VirtualMachinesCache"),
        ] {
            guard let node = configurations.child(named: name) else { continue }
            for child in node.children {
                let keyPath = "\(configurations.name)/\(node.name)/\(child.name)"
                guard let id = VMRegistrations.guid(fromKey: child.name) else {
                    warnings.append(.registrationKeyName, "\(keyPath): key name is not _<GUID>_; ignored")
                    continue
                }
                guard let path = child.value.stringValue, !path.isEmpty else {
                    warnings.append(
                        .registrationValueType,
                        "\(keyPath): value is a \(child.value.typeName), not a configuration path; ignored")
                    continue
                }
                self[keyPath: list].append(Entry(id: id, configurationPath: path, keyPath: keyPath))
            }
        }
    }

    /// The GUID of a registration key `_<GUID>_`, or nil.
    package static func guid(fromKey key: String) -> GUID? {
        guard key.hasPrefix("_"), key.hasSuffix("_"), key.count == 38 else { return nil }
        return GUID(key.dropFirst().dropLast())
    }

    /// The VM id of a ≤ 2012 R2 registration file name `<GUID>.xml` (any case), or nil.
    package static func guid(fromXMLFileName name: String) -> GUID? {
        guard name.count == 40, NTFSName.hasSuffix(name, ".xml") else { return nil }
        return GUID(name.dropLast(4))
    }
}
