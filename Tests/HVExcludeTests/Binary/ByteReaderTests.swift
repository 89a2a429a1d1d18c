import Testing

@testable import HVXBinary

@Suite struct ByteReaderTests {
    @Test func readsBothEndiannesses() throws {
        var reader = ByteReader([0x01, 0x02, 0x03, 0x04, 0x01, 0x02, 0x03, 0x04], structure: "test")
        #expect(try reader.u32(.little) == 0x0403_0201)
        #expect(try reader.u32(.big) == 0x0102_0304)
        #expect(reader.remaining == 0)
    }

    @Test func shortReadThrowsWithAbsoluteOffset() {
        var reader = ByteReader([0x01, 0x02, 0x03], baseOffset: 0x1000, structure: "VHD footer")
        #expect(throws: BinaryFormatError.self) { try reader.u32(.big) }
        do {
            _ = try reader.u64(.little)
        } catch let error as BinaryFormatError {
            #expect(error.offset == 0x1000)
            #expect(error.description.hasPrefix("VHD footer at 0x1000: needs 8 bytes"))
        } catch { Issue.record("unexpected \(error)") }
    }

    /// Variable-width fields (NTFS run lists, a SID's authority): every width 0…8 at every offset agrees with the
    /// fixed-width reads and with a value built byte by byte; a width over 8 or a field past the end throws.
    @Test func variableWidthIntegersAgreeWithFixedWidthReads() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let bytes = (0..<24).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let reader = ByteReader(bytes, baseOffset: 0x200, structure: "runlist")
            for offset in 0...16 {
                for size in 0...8 {
                    var little: UInt64 = 0
                    var big: UInt64 = 0
                    for index in 0..<size {
                        little |= UInt64(bytes[offset + index]) << (8 * UInt64(index))
                        big = big << 8 | UInt64(bytes[offset + index])
                    }
                    #expect(try reader.integer(at: offset, size: size, .little) == little)
                    #expect(try reader.integer(at: offset, size: size, .big) == big)
                }
                #expect(try reader.integer(at: offset, size: 2, .little) == UInt64(try reader.u16(at: offset, .little)))
                #expect(try reader.integer(at: offset, size: 4, .big) == UInt64(try reader.u32(at: offset, .big)))
                #expect(try reader.integer(at: offset, size: 8, .little) == (try reader.u64(at: offset, .little)))
            }
            #expect(throws: BinaryFormatError.self) { try reader.integer(at: 17, size: 8, .little) }
            #expect(throws: BinaryFormatError.self) { try reader.integer(at: 0, size: 9, .little) }
            #expect(throws: BinaryFormatError.self) { try reader.integer(at: -1, size: 1, .little) }
            let sub = try reader.sub(at: 20, count: 4)
            #expect(throws: BinaryFormatError.self) { try sub.integer(at: 1, size: 4, .little) }
            #expect(
                try sub.integer(at: 1, size: 3, .big) == UInt64(bytes[21]) << 16 | UInt64(bytes[22]) << 8
                    | UInt64(bytes[23]))
        }
    }

    @Test func mixedEndianGUID() throws {
        // {B04AEFB7-D19E-4A81-B789-25B8E9445913} as stored on disk.
        let raw: [UInt8] = [
            0xB7, 0xEF, 0x4A, 0xB0, 0x9E, 0xD1, 0x81, 0x4A, 0xB7, 0x89, 0x25, 0xB8, 0xE9, 0x44, 0x59, 0x13,
        ]
        var reader = ByteReader(raw, structure: "guid")
        let guid = try reader.guid()
        #expect(guid.description == "B04AEFB7-D19E-4A81-B789-25B8E9445913")
        #expect(guid == GUID("{b04aefb7-d19e-4a81-b789-25b8e9445913}"))
        #expect(guid.mixedEndianBytes == raw)
        #expect(GUID("not-a-guid") == nil)
    }

    @Test func utf16BothOrders() throws {
        var little = ByteReader([0x41, 0x00, 0xE4, 0x00, 0x00, 0x00, 0x42, 0x00], structure: "s")
        #expect(try little.utf16(byteCount: 8, .little, stopAtNUL: true) == "Aä")
        var big = ByteReader([0x00, 0x41, 0x20, 0xAC], structure: "s")
        #expect(try big.utf16(byteCount: 4, .big) == "A€")
    }

    @Test func subReaderIsBoundsCheckedAndKeepsAbsoluteOffsets() throws {
        let reader = ByteReader([UInt8](0..<16), baseOffset: 100, structure: "outer")
        let inner = try reader.sub(at: 4, count: 4, structure: "inner")
        #expect(inner.baseOffset == 104)
        #expect(try inner.peek(UInt8.self, at: 0, .little) == 4)
        #expect(throws: BinaryFormatError.self) { try reader.sub(at: 14, count: 4) }
        #expect(throws: BinaryFormatError.self) { try reader.sub(at: Int.max, count: 4) }
        #expect(throws: BinaryFormatError.self) { try reader.sub(at: -1, count: 1) }
    }

    @Test func checkedArithmeticRejectsOverflow() {
        #expect(throws: BinaryFormatError.self) { try Checked.add(UInt64.max, 1, "x", at: 0) }
        #expect(throws: BinaryFormatError.self) { try Checked.multiply(UInt64.max / 2, 3, "x", at: 0) }
        #expect(throws: BinaryFormatError.self) { try Checked.int(UInt64.max, "x", at: 0) }
    }
}
