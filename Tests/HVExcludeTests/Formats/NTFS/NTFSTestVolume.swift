/// A small NTFS volume built in memory, record by record, so tests (and fuzz seeds) can corrupt exactly one
/// structure: 4 KiB clusters, 1 KiB records, the MFT (32 records) at cluster 4, `$UpCase` at cluster 16, data from
/// cluster 48, 256 clusters in all.
struct NTFSTestVolume {
    static let clusterSize = 4096
    static let recordSize = 1024
    static let mftCluster = 4
    static let mftRecords = 32
    static let upcaseCluster = 16
    static let clusters = 256

    /// Raw records (before fixups) by number.
    var records: [Int: [UInt8]] = [:]
    /// Data written at cluster numbers.
    var data: [Int: [UInt8]] = [:]
    /// Records whose fixup is deliberately broken.
    var tornRecords: Set<Int> = []

    /// A volume with $MFT, the root folder and $UpCase.
    init() {
        records[0] = Self.record(
            number: 0,
            attributes: [
                Self.fileName(parent: 5, name: "$MFT"),
                Self.nonResident(
                    type: 0x80,
                    runs: [(UInt64(Self.mftRecords * Self.recordSize / Self.clusterSize), UInt64(Self.mftCluster))],
                    size: UInt64(Self.mftRecords * Self.recordSize)),
            ])
        records[5] = Self.record(number: 5, directory: true, attributes: [Self.fileName(parent: 5, name: ".")])
        records[10] = Self.record(
            number: 10,
            attributes: [
                Self.fileName(parent: 5, name: "$UpCase"),
                Self.nonResident(type: 0x80, runs: [(32, UInt64(Self.upcaseCluster))], size: 131_072),
            ])
        var upcase: [UInt8] = []
        for unit in 0..<65536 {
            let upper = (0x61...0x7A).contains(unit) ? unit - 0x20 : unit
            upcase += [UInt8(upper & 0xFF), UInt8(upper >> 8)]
        }
        data[Self.upcaseCluster] = upcase
    }

    /// Adds a file or folder record.
    mutating func add(_ number: Int, directory: Bool = false, base: Int = 0, attributes: [[UInt8]]) {
        records[number] = Self.record(number: number, directory: directory, base: base, attributes: attributes)
    }

    /// The image bytes.
    func image() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: Self.clusters * Self.clusterSize)
        // Boot record.
        bytes[3..<11] = ArraySlice(Array("NTFS    ".utf8))
        put(&bytes, 11, UInt64(512), 2)
        bytes[13] = UInt8(Self.clusterSize / 512)
        put(&bytes, 40, UInt64(Self.clusters * Self.clusterSize / 512 - 1), 8)
        put(&bytes, 48, UInt64(Self.mftCluster), 8)
        put(&bytes, 56, UInt64(Self.mftCluster), 8)
        bytes[64] = 0xF6  // 2^10 = 1024-byte records
        bytes[68] = 1
        put(&bytes, 72, 0x1234_5678_9ABC_DEF0, 8)
        bytes[510] = 0x55
        bytes[511] = 0xAA
        for (number, raw) in records {
            var record = raw
            Self.applyFixups(&record, torn: tornRecords.contains(number))
            let offset = Self.mftCluster * Self.clusterSize + number * Self.recordSize
            bytes[offset..<(offset + Self.recordSize)] = ArraySlice(record)
        }
        for (cluster, content) in data {
            let offset = cluster * Self.clusterSize
            bytes[offset..<(offset + content.count)] = ArraySlice(content)
        }
        return bytes
    }

    func put(_ bytes: inout [UInt8], _ offset: Int, _ value: UInt64, _ size: Int) {
        for index in 0..<size { bytes[offset + index] = UInt8((value >> (8 * UInt64(index))) & 0xFF) }
    }

    static func le(_ value: UInt64, _ size: Int) -> [UInt8] {
        (0..<size).map { UInt8((value >> (8 * UInt64($0))) & 0xFF) }
    }

    /// A FILE record: 56-byte header, the attributes, the end marker.
    static func record(
        number: Int, inUse: Bool = true, directory: Bool = false, base: Int = 0, sequence: UInt16 = 1,
        attributes: [[UInt8]]
    ) -> [UInt8] {
        var record = [UInt8](repeating: 0, count: recordSize)
        record[0..<4] = ArraySlice(Array("FILE".utf8))
        record[4..<6] = ArraySlice(le(48, 2))  // fixup array at 48
        record[6..<8] = ArraySlice(le(3, 2))  // USN + 2 sectors
        record[16..<18] = ArraySlice(le(UInt64(number == 5 ? 5 : Int(sequence)), 2))
        record[18..<20] = ArraySlice(le(1, 2))
        record[20..<22] = ArraySlice(le(56, 2))
        record[22..<24] = ArraySlice(le(UInt64((inUse ? 1 : 0) | (directory ? 2 : 0)), 2))
        record[32..<40] = ArraySlice(le(base == 0 ? 0 : UInt64(base) | UInt64(base == 5 ? 5 : 1) << 48, 8))
        record[44..<48] = ArraySlice(le(UInt64(number), 4))
        var offset = 56
        for attribute in attributes {
            record[offset..<(offset + attribute.count)] = ArraySlice(attribute)
            offset += attribute.count
        }
        record[offset..<(offset + 4)] = [0xFF, 0xFF, 0xFF, 0xFF]
        offset += 8
        record[24..<28] = ArraySlice(le(UInt64(offset), 4))
        record[28..<32] = ArraySlice(le(UInt64(recordSize), 4))
        return record
    }

    /// Moves the last two bytes of each sector into the fixup array and writes the update sequence number there.
    static func applyFixups(_ record: inout [UInt8], torn: Bool) {
        let usn: [UInt8] = [0x01, 0x00]
        record[48..<50] = ArraySlice(usn)
        for sector in 0..<2 {
            let end = (sector + 1) * 512 - 2
            record[50 + sector * 2] = record[end]
            record[51 + sector * 2] = record[end + 1]
            record[end] = usn[0]
            record[end + 1] = torn && sector == 1 ? 0x77 : usn[1]
        }
    }

    /// A resident attribute of `type` holding `value`, 8-byte aligned.
    static func resident(type: UInt32, value: [UInt8], name: String = "") -> [UInt8] {
        let nameBytes = Array(name.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let valueOffset = (24 + nameBytes.count + 7) / 8 * 8
        let length = (valueOffset + value.count + 7) / 8 * 8
        var bytes = [UInt8](repeating: 0, count: length)
        bytes[0..<4] = ArraySlice(le(UInt64(type), 4))
        bytes[4..<8] = ArraySlice(le(UInt64(length), 4))
        bytes[9] = UInt8(name.utf16.count)
        bytes[10..<12] = ArraySlice(le(24, 2))
        bytes[16..<20] = ArraySlice(le(UInt64(value.count), 4))
        bytes[20..<22] = ArraySlice(le(UInt64(valueOffset), 2))
        bytes[24..<(24 + nameBytes.count)] = ArraySlice(nameBytes)
        bytes[valueOffset..<(valueOffset + value.count)] = ArraySlice(value)
        return bytes
    }

    /// A `$FILE_NAME` in `parent` (Win32 namespace unless given).
    static func fileName(parent: Int, parentSequence: UInt16? = nil, name: String, namespace: UInt8 = 1) -> [UInt8] {
        let sequence = parentSequence ?? (parent == 5 ? 5 : 1)
        var value = le(UInt64(parent) | UInt64(sequence) << 48, 8) + [UInt8](repeating: 0, count: 56)
        value += [UInt8(name.utf16.count), namespace]
        value += Array(name.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        return resident(type: 0x30, value: value)
    }

    /// A non-resident attribute with `runs` (clusters, LCN or nil for sparse).
    static func nonResident(
        type: UInt32, runs: [(UInt64, UInt64?)], size: UInt64, firstVCN: UInt64 = 0, flags: UInt16 = 0,
        compressionUnit: UInt16 = 0, name: String = "", rawRunlist: [UInt8]? = nil
    ) -> [UInt8] {
        var runlist: [UInt8] = []
        var previous: Int64 = 0
        for (length, lcn) in runs {
            let lengthBytes = le(length, 8).reversed().drop { $0 == 0 }.reversed()
            var header = UInt8(max(1, lengthBytes.count))
            var offsetBytes: [UInt8] = []
            if let lcn {
                let delta = Int64(lcn) - previous
                previous = Int64(lcn)
                var size = 1
                while size < 8 && !(Int64(-(1 << (8 * size - 1)))..<Int64(1 << (8 * size - 1))).contains(delta) {
                    size += 1
                }
                offsetBytes = le(UInt64(bitPattern: delta), size)
                header |= UInt8(size) << 4
            }
            runlist += [header] + (lengthBytes.isEmpty ? [0] : Array(lengthBytes)) + offsetBytes
        }
        runlist = (rawRunlist ?? runlist) + [0]
        let nameBytes = Array(name.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let runsOffset = (64 + nameBytes.count + 7) / 8 * 8
        let length = (runsOffset + runlist.count + 7) / 8 * 8
        let clusters = runs.reduce(UInt64(0)) { $0 + $1.0 }
        var bytes = [UInt8](repeating: 0, count: length)
        bytes[0..<4] = ArraySlice(le(UInt64(type), 4))
        bytes[4..<8] = ArraySlice(le(UInt64(length), 4))
        bytes[8] = 1
        bytes[9] = UInt8(name.utf16.count)
        bytes[10..<12] = ArraySlice(le(64, 2))
        bytes[12..<14] = ArraySlice(le(UInt64(flags), 2))
        bytes[16..<24] = ArraySlice(le(firstVCN, 8))
        bytes[24..<32] = ArraySlice(le(firstVCN + clusters &- 1, 8))
        bytes[32..<34] = ArraySlice(le(UInt64(runsOffset), 2))
        bytes[34..<36] = ArraySlice(le(UInt64(compressionUnit), 2))
        bytes[40..<48] = ArraySlice(le(clusters * UInt64(clusterSize), 8))
        bytes[48..<56] = ArraySlice(le(size, 8))
        bytes[56..<64] = ArraySlice(le(size, 8))
        bytes[64..<(64 + nameBytes.count)] = ArraySlice(nameBytes)
        bytes[runsOffset..<(runsOffset + runlist.count)] = ArraySlice(runlist)
        return bytes
    }

    /// An `$ATTRIBUTE_LIST` value naming (type, first VCN, record) triples.
    static func attributeList(_ entries: [(type: UInt32, vcn: UInt64, record: Int)]) -> [UInt8] {
        var value: [UInt8] = []
        for entry in entries {
            value +=
                le(UInt64(entry.type), 4) + le(32, 2) + [0, 26] + le(entry.vcn, 8)
                + le(UInt64(entry.record) | UInt64(entry.record == 5 ? 5 : 1) << 48, 8) + le(0, 2) + [0, 0, 0, 0, 0, 0]
        }
        return resident(type: 0x20, value: value)
    }
}
