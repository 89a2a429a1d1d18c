import HVXBinary
import HVXFormats

extension HostFacts {
    /// Facts from the failover cluster database (`%SystemRoot%\Cluster\CLUSDB`, itself a regf hive).
    ///
    /// Layout taken from Microsoft's failover-cluster documentation (not checked against a real cluster):
    /// `Resources\{GUID}` with values `Name` and `Type` and a `Parameters` subkey holding the private
    /// properties (`VmId`; `VmStoreRootPath`, `ConfigStoreRootPath` on "Virtual Machine Configuration").
    /// Cluster Shared Volume names are taken from the `C:\ClusterStorage\<Name>\…` paths those properties hold;
    /// "Physical Disk" resources are listed by name.
    package struct Cluster: Codable, Sendable, Equatable {
        /// Resources of type "Virtual Machine" and "Virtual Machine Configuration".
        package var virtualMachineResources: [Resource]
        /// Names of "Physical Disk" resources ("Cluster Disk 1").
        var physicalDisks: [Fact<String>]
        /// CSV folder names below `C:\ClusterStorage` referenced by VM resources ("Volume1"), sorted.
        package var sharedVolumes: [String]
        /// Problems met while reading.
        package var warnings: [String]
        /// The quorum (witness) resource, when the database names one (`Quorum\Resource`; the key's layout is
        /// known from community scripts only, so what is built on it is marked inferred).
        package var witness: WitnessResource? = nil
        /// Replica storage locations from a Hyper-V Replica Broker resource's `Parameters\Authorization` (server,
        /// location, trust group triples separated by U+00A0 — known from decompiled PowerShell code only).
        package var replicaStorage: [Fact<String>] = []

        /// The witness resource and, for a disk witness, the disk's identity.
        package struct WitnessResource: Codable, Sendable, Equatable {
            /// The resource key name.
            package var id: String
            /// `Name`.
            package var name: String?
            /// `Type` ("Physical Disk", "File Share Witness", "Cloud Witness").
            package var type: String?
            /// `Parameters\DiskSignature` (MBR disks).
            package var diskSignature: UInt32?
            /// `Parameters\DiskIdGuid` (GPT disks).
            package var diskIdGuid: String?
            /// The `Quorum` value and the resource key.
            package var sources: [Source]
        }

        /// One cluster resource with the private properties that name VM storage.
        package struct Resource: Codable, Sendable, Equatable {
            /// The resource key name (a GUID in braces).
            package var id: String
            /// `Name`.
            package var name: String?
            /// `Type` ("Virtual Machine", "Virtual Machine Configuration").
            package var type: String
            /// `Parameters\VmId`.
            package var vmId: String?
            /// `Parameters\VmStoreRootPath`.
            package var vmStoreRootPath: String?
            /// `Parameters\ConfigStoreRootPath`.
            package var configStoreRootPath: String?
            /// The resource key.
            package var source: Source
        }

        /// The resource types listed.
        static let virtualMachineTypes = ["Virtual Machine", "Virtual Machine Configuration"]

        /// Reads a cluster database hive; never throws: problems become warnings.
        package static func read(clusdb hive: RegistryHive) -> Cluster {
            var cluster = Cluster(virtualMachineResources: [], physicalDisks: [], sharedVolumes: [], warnings: [])
            do {
                guard let resources = try hive.key("Resources") else {
                    cluster.warnings.append("\(hive.name): no Resources key; not a cluster database?")
                    return cluster
                }
                for key in try hive.subkeys(of: resources) {
                    let keyPath = "Resources\\" + key.name
                    do {
                        let type = try hive.value("Type", of: key)?.stringValue ?? ""
                        let name = try hive.value("Name", of: key)?.stringValue
                        if RegistryName.equal(type, "Physical Disk"), let name {
                            cluster.physicalDisks.append(
                                Fact(name, source: Source(hive: hive.name, key: keyPath, value: "Name")))
                        }
                        if type.lowercased().contains("replication broker"),
                            let parameters = try hive.subkey("Parameters", of: key),
                            let text = try hive.value("Authorization", of: parameters)?.stringValue
                        {
                            for location in Cluster.authorizationLocations(text) {
                                cluster.replicaStorage.append(
                                    Fact(
                                        location,
                                        source: Source(
                                            hive: hive.name, key: keyPath + "\\Parameters", value: "Authorization")))
                            }
                        }
                        guard virtualMachineTypes.contains(where: { RegistryName.equal($0, type) }) else { continue }
                        var resource = Resource(
                            id: key.name, name: name, type: type, vmId: nil, vmStoreRootPath: nil,
                            configStoreRootPath: nil, source: Source(hive: hive.name, key: keyPath))
                        if let parameters = try hive.subkey("Parameters", of: key) {
                            resource.vmId = try hive.value("VmId", of: parameters)?.stringValue
                            resource.vmStoreRootPath = try hive.value("VmStoreRootPath", of: parameters)?.stringValue
                            resource.configStoreRootPath = try hive.value("ConfigStoreRootPath", of: parameters)?
                                .stringValue
                        }
                        cluster.virtualMachineResources.append(resource)
                    } catch {
                        cluster.warnings.append("\(hive.name): could not read \(keyPath): \(error)")
                    }
                }
            } catch {
                cluster.warnings.append("\(hive.name): could not read Resources: \(error)")
            }
            cluster.readWitness(hive)
            var volumes = Set<String>()
            for resource in cluster.virtualMachineResources {
                for path in [resource.vmStoreRootPath, resource.configStoreRootPath].compactMap({ $0 }) {
                    if let volume = sharedVolume(in: path) { volumes.insert(volume) }
                }
            }
            cluster.sharedVolumes = volumes.sorted()
            return cluster
        }

        /// The storage locations of a Replica Broker `Authorization` value: (server, location, trust group) triples,
        /// fields separated by U+00A0 (line breaks of a multi-string count as separators too); distinct, in order.
        static func authorizationLocations(_ text: String) -> [String] {
            let fields = text.split(whereSeparator: { $0 == "\u{00A0}" || $0 == "\n" }).map(String.init)
            var locations: [String] = []
            var index = 1
            while index < fields.count {
                let location = fields[index]
                if !location.isEmpty && !locations.contains(location) { locations.append(location) }
                index += 3
            }
            return locations
        }

        /// Reads `Quorum\Resource` and the resource it names; problems become warnings.
        mutating func readWitness(_ hive: RegistryHive) {
            do {
                guard let value = try hive.value("Resource", at: "Quorum"), let id = value.stringValue else { return }
                var witness = WitnessResource(
                    id: id, name: nil, type: nil, diskSignature: nil, diskIdGuid: nil,
                    sources: [Source(hive: hive.name, key: "Quorum", value: "Resource")])
                if let resources = try hive.key("Resources"),
                    let key = try hive.subkeys(of: resources).first(where: {
                        GUID($0.name) != nil && GUID($0.name) == GUID(id)
                    })
                {
                    witness.sources.append(Source(hive: hive.name, key: "Resources\\" + key.name))
                    witness.name = try hive.value("Name", of: key)?.stringValue
                    witness.type = try hive.value("Type", of: key)?.stringValue
                    if let parameters = try hive.subkey("Parameters", of: key) {
                        witness.diskSignature = try hive.value("DiskSignature", of: parameters)?.integerValue.map {
                            UInt32(truncatingIfNeeded: $0)
                        }
                        witness.diskIdGuid = try hive.value("DiskIdGuid", of: parameters)?.stringValue
                    }
                }
                self.witness = witness
            } catch {
                warnings.append("\(hive.name): could not read Quorum: \(error)")
            }
        }

        /// "Volume1" for `C:\ClusterStorage\Volume1\…` (any drive, any case).
        static func sharedVolume(in path: String) -> String? {
            let parts = RegistryName.components(of: path)
            guard parts.count >= 3, parts[0].count == 2, parts[0].hasSuffix(":"),
                RegistryName.equal(parts[1], "ClusterStorage")
            else { return nil }
            return parts[2]
        }
    }
}
