import Testing

@testable import HVXFormats

/// Names fold through the volume's own `$UpCase` table, also on the ASCII fast path.
struct NTFSUpCaseTests {
    /// A table that upper-cases ASCII and `é`, and maps `k` to the Kelvin sign (U+212A), as a hostile or exotic
    /// volume may: an ASCII name must not be folded as plain ASCII then.
    static func table() throws -> NTFSUpCase {
        var units = (0..<65536).map { UInt16($0) }
        for unit in UInt16(0x61)...UInt16(0x7A) { units[Int(unit)] = unit - 0x20 }
        units[0x6B] = 0x212A
        units[0xE9] = 0xC9
        return try NTFSUpCase(parsing: units.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
    }

    @Test func asciiNamesFoldThroughTheTable() throws {
        let upcase = try Self.table()
        #expect(upcase.fold("vm01.vhdx") == "VM01.VHDX")
        #expect(upcase.fold("Virtual Hard Disks") == "VIRTUAL HARD DISKS")
    }

    @Test func aTableMappingASCIIOutsideASCIIIsHonoured() throws {
        let upcase = try Self.table()
        #expect(upcase.fold("disk.vhdx") == "DIS\u{212A}.VHDX")
    }

    @Test func nonASCIINamesFoldUnitByUnit() throws {
        let upcase = try Self.table()
        #expect(upcase.fold("café.vhdx") == "CAFÉ.VHDX")
        #expect(upcase.fold("straße") == "STRAßE")  // no expansion: NTFS maps one unit to one unit
    }
}
