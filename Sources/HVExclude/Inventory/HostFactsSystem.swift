import HVXBinary
import HVXFormats

extension HostFacts {
    /// A service looked up under `ControlSet00N\Services` of the SYSTEM hive.
    package struct Service: Codable, Sendable, Equatable {
        /// Service key name ("vmms", "vmcompute", "ClusSvc").
        package var name: String
        /// Whether the key exists; nil when the Services key could not be read (unknown is never false). Encoded as
        /// `null` then, not left out.
        package var present: Bool?
        /// `Start` (0 boot, 1 system, 2 automatic, 3 manual, 4 disabled).
        package var start: UInt32?
        /// `Start` in words.
        package var startType: String?
        /// `ImagePath` as stored.
        package var imagePath: String?
        /// The key looked at.
        package var source: Source

        private enum CodingKeys: String, CodingKey { case name, present, start, startType, imagePath, source }

        package func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(present, forKey: .present)
            try container.encodeIfPresent(start, forKey: .start)
            try container.encodeIfPresent(startType, forKey: .startType)
            try container.encodeIfPresent(imagePath, forKey: .imagePath)
            try container.encode(source, forKey: .source)
        }

        static func startName(_ start: UInt32) -> String {
            switch start {
            case 0: "boot"
            case 1: "system"
            case 2: "automatic"
            case 3: "manual"
            case 4: "disabled"
            default: "unknown (\(start))"
            }
        }
    }

    /// One `MountedDevices` value of the SYSTEM hive.
    ///
    /// Data forms: 12 bytes = MBR disk signature (u32) + partition byte offset (u64); 24 bytes starting
    /// `DMIO:ID:` = GPT partition GUID (mixed-endian) at 8; anything else (device paths in UTF-16) is "other".
    package struct MountedDevice: Codable, Sendable, Equatable {
        /// The value name (`\DosDevices\C:`, `\??\Volume{…}`).
        package var name: String
        /// The drive letter with colon ("C:") for `\DosDevices\X:` names.
        package var driveLetter: String?
        /// The volume GUID for `\??\Volume{GUID}` names.
        package var volume: GUID?
        /// "mbr", "gpt" or "other".
        package var form: String
        /// MBR disk signature.
        package var diskSignature: UInt32?
        /// MBR partition offset in bytes.
        package var partitionOffset: UInt64?
        /// GPT partition GUID.
        package var partitionGUID: GUID?
        /// The data in upper-case hex (used to pair letters with volumes).
        var dataHex: String
        /// Where it was read.
        package var source: Source

        package init(value: RegistryValue, source: Source) {
            name = value.name
            self.source = source
            let raw = value.raw
            dataHex = raw.map(RegistryBaseBlock.hexByte).joined()
            let upper = RegistryName.uppercased(value.name)
            if upper.hasPrefix("\\DOSDEVICES\\"), upper.count == 14, upper.hasSuffix(":") {
                driveLetter = String(upper.dropFirst(12))
            }
            if upper.hasPrefix("\\??\\VOLUME{"), upper.hasSuffix("}") {
                volume = GUID(value.name.dropFirst(10))
            }
            if raw.count == 12 {
                form = "mbr"
                let reader = ByteReader(raw, structure: "MountedDevices value")
                diskSignature = (try? reader.u32(at: 0, .little)) ?? 0
                let offset = (try? reader.u64(at: 4, .little)) ?? 0
                partitionOffset = offset
            } else if raw.count == 24, raw.prefix(8).elementsEqual("DMIO:ID:".utf8) {
                form = "gpt"
                partitionGUID = GUID(mixedEndian: Array(raw[8..<24]))
            } else {
                form = "other"
            }
        }
    }
}

extension HostFacts {
    /// One SMB share of the host: SYSTEM `ControlSet00N\Services\LanmanServer\Shares`, one REG_MULTI_SZ value per
    /// share whose lines are `Name=Value` pairs (`Path=D:\Shares`, `Permissions=0`, …).
    package struct Share: Codable, Sendable, Equatable {
        /// The share name (the value name).
        package var name: String
        /// The shared folder (`Path=`), as stored.
        package var path: String
        /// Where it was read.
        package var source: Source

        /// The memberwise initialiser, `package` for the layers above (Swift synthesises it internal).
        package init(name: String, path: String, source: Source) {
            self.name = name
            self.path = path
            self.source = source
        }
    }

    mutating func readShares(_ hive: RegistryHive, name: String, key: String) {
        guard let sharesKey = (try? hive.key(key)) ?? nil else { return }
        let values: [RegistryValue]
        do { values = try hive.values(of: sharesKey) } catch {
            warnings.append("\(name): could not read \(key): \(error)")
            return
        }
        for value in values {
            guard let text = value.stringValue else { continue }
            let lines = text.split(separator: "\n").map(String.init)
            guard let line = lines.first(where: { $0.uppercased().hasPrefix("PATH=") }) else { continue }
            shares.append(
                Share(
                    name: value.name, path: String(line.dropFirst(5)),
                    source: Source(hive: name, key: key, value: value.name)))
        }
        shares.sort { $0.name.uppercased() < $1.name.uppercased() }
    }
}
