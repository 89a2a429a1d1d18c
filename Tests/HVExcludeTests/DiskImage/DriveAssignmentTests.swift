import Foundation
import Testing

@testable import HVXBinary
@testable import HVXDiskImage

/// Drive letters from MountedDevices, on folders standing in for mounted partitions (no mounting needed).
@Suite("DriveAssignment")
struct DriveAssignmentTests {
    static func gptPartition(_ number: Int, _ guid: String) -> DiskPartition {
        var partition = DiskPartition(
            number: number, scheme: .gpt, offset: UInt64(number) << 20, size: 1 << 20, typeName: "Microsoft basic data")
        partition.partitionGUID = GUID(guid)
        return partition
    }

    static func mbrPartition(_ number: Int, offset: UInt64, signature: UInt32 = 0x5EED_1234) -> DiskPartition {
        var partition = DiskPartition(
            number: number, scheme: number > 4 ? .mbrLogical : .mbrPrimary, offset: offset, size: 1 << 20,
            typeName: "NTFS/exFAT")
        partition.diskSignature = signature
        return partition
    }

    /// Folders p1…pN under `folder`.
    static func mounts(_ folder: TemporaryDirectory, _ partitions: [DiskPartition]) throws -> [MountedPartition] {
        try partitions.map { partition in
            let path = folder.path + "/p\(partition.number)"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            return MountedPartition(partition: partition, mountPoint: path)
        }
    }

    static let g1 = "11111111-AAAA-4BBB-8CCC-000000000001"
    static let g2 = "11111111-AAAA-4BBB-8CCC-000000000002"
    static let g3 = "11111111-AAAA-4BBB-8CCC-000000000003"
    static let g4 = "11111111-AAAA-4BBB-8CCC-000000000004"
    static let volume3 = "A3A3A3A3-0000-4000-8000-000000000003"

    @Test(
        "GPT: letters and volume GUIDs from MountedDevices; an unnamed partition gets the next free letter",
        .requires(Requirement.makeHives))
    func gpt() throws {
        let folder = try TemporaryDirectory("hvx-drives-gpt")
        let mounted = try Self.mounts(
            folder,
            [
                Self.gptPartition(1, Self.g1), Self.gptPartition(2, Self.g2), Self.gptPartition(3, Self.g3),
                Self.gptPartition(4, Self.g4),
            ])
        try SystemHiveFixture.write(
            volumeRoot: mounted[0].mountPoint,
            mounted: [
                "\\DosDevices\\C:": .gpt(Self.g1),
                "\\DosDevices\\E:": .gpt(Self.g2),
                "\\??\\Volume{\(Self.volume3)}": .gpt(Self.g3),
                "\\DosDevices\\D:": .mbr(0xABCD_EF01, 1 << 20),  // another disk: D: is taken
                "\\??\\Volume{B0B0B0B0-0000-4000-8000-000000000000}": .text("\\??\\SCSI#CdRom&Ven_Msft"),
            ])
        let assignment = DriveAssignment(mounted: mounted)
        #expect(assignment.windowsPartition?.number == 1)
        #expect(
            assignment.drives.map(\.prefix.description) == [
                "C:\\", "E:\\", "\\\\?\\Volume{\(Self.volume3.lowercased())}\\", "F:\\",
            ])
        #expect(assignment.drives.map(\.basis) == [.windowsPartition, .mountedDevices, .volumeGUID, .order])
        #expect(assignment.drives.map(\.mounted.partition.number) == [1, 2, 3, 4])
        #expect(
            assignment.warnings == [
                "MountedDevices does not name partition 4 (GPT partition GUID \(Self.g4)); scanned as F: by partition order — correct with --drive if that is wrong"
            ])
        #expect(
            assignment.commandLineArguments == [
                mounted[0].mountPoint, "--drive", "E=\(mounted[1].mountPoint)",
                "--map", "\\\\?\\Volume{\(Self.volume3.lowercased())}\\=\(mounted[2].mountPoint)", "--drive",
                "F=\(mounted[3].mountPoint)",
            ])
        #expect(assignment.mappings.map(\.hostRoot) == mounted.map(\.mountPoint))
    }

    @Test(
        "MBR: the partition holding Windows is C: even when it is not the first; others by signature + offset",
        .requires(Requirement.makeHives))
    func mbr() throws {
        let folder = try TemporaryDirectory("hvx-drives-mbr")
        let mounted = try Self.mounts(
            folder, [Self.mbrPartition(1, offset: 1 << 20), Self.mbrPartition(6, offset: 15 << 20)])
        try SystemHiveFixture.write(
            volumeRoot: mounted[1].mountPoint,
            mounted: [
                "\\DosDevices\\C:": .mbr(0x5EED_1234, 15 << 20),
                "\\DosDevices\\G:": .mbr(0x5EED_1234, 1 << 20),
                "\\DosDevices\\H:": .mbr(0x0BAD_0BAD, 1 << 20),  // same offset on another disk: not ours
            ])
        let assignment = DriveAssignment(mounted: mounted)
        #expect(assignment.windowsPartition?.number == 6)
        #expect(assignment.drives.map(\.prefix.description) == ["C:\\", "G:\\"])
        #expect(assignment.drives.map(\.mounted.partition.number) == [6, 1])
        #expect(assignment.warnings.isEmpty)
    }

    @Test("no partition holds SYSTEM: the first is C:, the others follow from D:, with a warning")
    func noWindows() throws {
        let folder = try TemporaryDirectory("hvx-drives-none")
        let mounted = try Self.mounts(folder, [Self.gptPartition(2, Self.g2), Self.gptPartition(3, Self.g3)])
        let assignment = DriveAssignment(mounted: mounted)
        #expect(assignment.windowsPartition == nil)
        #expect(assignment.drives.map(\.prefix.description) == ["C:\\", "D:\\"])
        #expect(assignment.drives.map(\.basis) == [.windowsPartition, .order])
        #expect(
            assignment.warnings == [
                "no partition holds Windows\\System32\\config\\SYSTEM; partition 2 is scanned as C: and the others get letters by partition order"
            ])
    }

    @Test(
        "a SYSTEM hive without MountedDevices values: letters by order, with warnings", .requires(Requirement.makeHives)
    )
    func emptyMountedDevices() throws {
        let folder = try TemporaryDirectory("hvx-drives-empty")
        let mounted = try Self.mounts(folder, [Self.gptPartition(1, Self.g1), Self.gptPartition(2, Self.g2)])
        try SystemHiveFixture.write(volumeRoot: mounted[0].mountPoint, mounted: [:])
        let assignment = DriveAssignment(mounted: mounted)
        #expect(assignment.drives.map(\.prefix.description) == ["C:\\", "D:\\"])
        #expect(
            assignment.warnings == [
                "the SYSTEM hive of partition 1 has no MountedDevices values; drive letters follow partition order",
                "partition 2 scanned as D: by partition order — correct with --drive if that is wrong",
            ])
    }

    @Test("an unreadable SYSTEM hive: letters by order, with the hive's error")
    func unreadableHive() throws {
        let folder = try TemporaryDirectory("hvx-drives-bad")
        let mounted = try Self.mounts(folder, [Self.gptPartition(1, Self.g1), Self.gptPartition(2, Self.g2)])
        try folder.write("p1/Windows/System32/config/SYSTEM", Array("not a hive".utf8))
        let assignment = DriveAssignment(mounted: mounted)
        #expect(assignment.drives.map(\.prefix.description) == ["C:\\", "D:\\"])
        #expect(
            assignment.warnings.first?.hasPrefix("cannot read the SYSTEM hive of partition 1 (") == true,
            "\(assignment.warnings)")
    }

    @Test(
        "MountedDevices naming the Windows partition E: is reported; it is still scanned as C:",
        .requires(Requirement.makeHives))
    func windowsNotC() throws {
        let folder = try TemporaryDirectory("hvx-drives-e")
        let mounted = try Self.mounts(folder, [Self.gptPartition(1, Self.g1), Self.gptPartition(2, Self.g2)])
        try SystemHiveFixture.write(
            volumeRoot: mounted[0].mountPoint,
            mounted: [
                "\\DosDevices\\E:": .gpt(Self.g1), "\\DosDevices\\C:": .gpt(Self.g2),
            ])
        let assignment = DriveAssignment(mounted: mounted)
        #expect(assignment.drives.map(\.prefix.description) == ["C:\\", "D:\\"])
        #expect(
            assignment.warnings == [
                "MountedDevices names the Windows partition 1 E:, but it is scanned as C:",
                "MountedDevices names partition 2 C:, a letter already used here; scanned as D: — correct with --drive if that is wrong",
            ])
    }
}
