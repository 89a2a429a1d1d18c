import Testing

@testable import HVXBinary

@Suite struct CRC32Tests {
    @Test func ieeeCheckVector() {
        #expect(CRC32.ieee.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.ieee.checksum([UInt8]()) == 0)
    }

    @Test func castagnoliCheckVectors() {
        #expect(CRC32.castagnoli.checksum(Array("123456789".utf8)) == 0xE306_9283)
        // RFC 3720 B.4: 32 bytes of zeros, and of 0xFF.
        #expect(CRC32.castagnoli.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32.castagnoli.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
    }

    @Test func zeroingTheFieldMatchesAManualCopy() {
        var bytes = Array("abcdefgh".utf8)
        let withField = CRC32.castagnoli.checksum(bytes, zeroingFieldAt: 2)
        bytes[2] = 0; bytes[3] = 0; bytes[4] = 0; bytes[5] = 0
        #expect(withField == CRC32.castagnoli.checksum(bytes))
    }
}
