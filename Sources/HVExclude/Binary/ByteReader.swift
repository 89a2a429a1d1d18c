/// A bounds-checked cursor over bytes read from a file.
///
/// Every read throws a ``BinaryFormatError`` naming the structure and the absolute file offset instead of
/// trapping, and every offset computed from on-disk values is overflow-checked.
package struct ByteReader: Sendable {
    /// The bytes this reader sees.
    package let bytes: [UInt8]
    /// Absolute file offset of `bytes[0]`.
    package let baseOffset: UInt64
    /// Name of the structure being read, used in error messages.
    package var structure: String
    /// Current position, relative to `bytes[0]`.
    package private(set) var position: Int = 0

    /// Creates a reader over `bytes` that were read from absolute file offset `baseOffset`.
    package init(_ bytes: [UInt8], baseOffset: UInt64 = 0, structure: String) {
        self.bytes = bytes
        self.baseOffset = baseOffset
        self.structure = structure
    }

    /// Number of bytes in the reader.
    package var count: Int { bytes.count }
    /// Bytes left after the current position.
    package var remaining: Int { bytes.count - position }
    /// Absolute file offset of the current position.
    package var absolutePosition: UInt64 { baseOffset + UInt64(position) }

    /// An error at relative offset `at` (default: the current position).
    package func error(_ message: String, at relative: Int? = nil) -> BinaryFormatError {
        BinaryFormatError(structure, at: baseOffset &+ UInt64(max(0, relative ?? position)), message)
    }

    /// Moves to relative offset `offset`; throws when it lies past the end.
    package mutating func seek(to offset: Int) throws {
        guard offset >= 0, offset <= bytes.count else {
            throw error("offset \(hex(offset)) lies outside the \(bytes.count)-byte structure", at: 0)
        }
        position = offset
    }

    /// Skips `count` bytes.
    package mutating func skip(_ count: Int) throws {
        try require(count)
        position += count
    }

    /// Throws unless `count` more bytes are available.
    package func require(_ count: Int) throws {
        guard count >= 0, count <= remaining else {
            throw error("needs \(count) bytes but only \(remaining) remain")
        }
    }

    /// Reads one byte.
    package mutating func u8() throws -> UInt8 {
        try require(1)
        defer { position += 1 }
        return bytes[position]
    }

    /// Reads an unsigned 16-bit integer.
    package mutating func u16(_ order: Endianness) throws -> UInt16 { try integer(order) }
    /// Reads an unsigned 32-bit integer.
    package mutating func u32(_ order: Endianness) throws -> UInt32 { try integer(order) }
    /// Reads an unsigned 64-bit integer.
    package mutating func u64(_ order: Endianness) throws -> UInt64 { try integer(order) }
    /// Reads a signed 32-bit integer.
    mutating func i32(_ order: Endianness) throws -> Int32 { Int32(bitPattern: try integer(order)) }
    /// Reads a signed 64-bit integer.
    mutating func i64(_ order: Endianness) throws -> Int64 { Int64(bitPattern: try integer(order)) }

    /// Reads a fixed-width unsigned integer.
    package mutating func integer<T: FixedWidthInteger & UnsignedInteger>(_ order: Endianness) throws -> T {
        let size = MemoryLayout<T>.size
        try require(size)
        var value: T = 0
        switch order {
        case .little:
            for index in (0..<size).reversed() { value = value << 8 | T(bytes[position + index]) }
        case .big:
            for index in 0..<size { value = value << 8 | T(bytes[position + index]) }
        }
        position += size
        return value
    }

    /// Reads `count` bytes.
    package mutating func bytes(count: Int) throws -> [UInt8] {
        try require(count)
        defer { position += count }
        return Array(bytes[position..<position + count])
    }

    /// Reads a GUID in Microsoft's mixed-endian layout (first three fields little-endian).
    package mutating func guid() throws -> GUID {
        GUID(mixedEndian: try bytes(count: 16))
    }

    /// Reads `byteCount` bytes of UTF-16 text; stops at the first NUL when `stopAtNUL` is set.
    ///
    /// Unpaired surrogates become U+FFFD rather than an error: names on disk are data, not contracts.
    package mutating func utf16(byteCount: Int, _ order: Endianness, stopAtNUL: Bool = false) throws -> String {
        guard byteCount % 2 == 0 else { throw error("UTF-16 string of odd length \(byteCount)") }
        let raw = try bytes(count: byteCount)
        return UTF16Text.decode(raw, order, stopAtNUL: stopAtNUL)
    }

    /// A reader over `count` bytes at relative offset `offset`, checked against this reader's bounds.
    package func sub(at offset: Int, count: Int, structure: String? = nil) throws -> ByteReader {
        let (end, overflow) = offset.addingReportingOverflow(count)
        guard offset >= 0, count >= 0, !overflow, end <= bytes.count else {
            throw error(
                "\(count) bytes at \(hex(max(0, offset))) lie outside the \(bytes.count)-byte structure",
                at: 0)
        }
        return ByteReader(
            Array(bytes[offset..<end]), baseOffset: baseOffset + UInt64(offset),
            structure: structure ?? self.structure)
    }

    /// Reads an integer at relative `offset` without moving the cursor.
    package func peek<T: FixedWidthInteger & UnsignedInteger>(_ type: T.Type, at offset: Int, _ order: Endianness) throws -> T {
        var copy = self
        try copy.seek(to: offset)
        return try copy.integer(order)
    }
}

/// UTF-16 decoding for on-disk strings.
package enum UTF16Text {
    /// Decodes UTF-16 code units from raw bytes in the given order.
    package static func decode(_ raw: [UInt8], _ order: Endianness, stopAtNUL: Bool = false) -> String {
        var units: [UInt16] = []
        units.reserveCapacity(raw.count / 2)
        var index = 0
        while index + 1 < raw.count {
            let unit: UInt16 = order == .little
                ? UInt16(raw[index]) | UInt16(raw[index + 1]) << 8
                : UInt16(raw[index]) << 8 | UInt16(raw[index + 1])
            if stopAtNUL && unit == 0 { break }
            units.append(unit)
            index += 2
        }
        return String(decoding: units, as: UTF16.self)
    }

    /// Encodes a string as UTF-16 bytes in the given order (no BOM, no NUL).
    package static func encode(_ text: String, _ order: Endianness) -> [UInt8] {
        var out: [UInt8] = []
        for unit in text.utf16 {
            if order == .little {
                out.append(UInt8(unit & 0xFF)); out.append(UInt8(unit >> 8))
            } else {
                out.append(UInt8(unit >> 8)); out.append(UInt8(unit & 0xFF))
            }
        }
        return out
    }
}

/// Overflow-checked arithmetic on values read from disk.
package enum Checked {
    /// `a + b`, or a ``BinaryFormatError`` when it overflows.
    package static func add(_ a: UInt64, _ b: UInt64, _ structure: String, at offset: UInt64) throws -> UInt64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        if overflow { throw BinaryFormatError(structure, at: offset, "offset \(hex(a)) + \(hex(b)) overflows") }
        return sum
    }

    /// `a * b`, or a ``BinaryFormatError`` when it overflows.
    package static func multiply(_ a: UInt64, _ b: UInt64, _ structure: String, at offset: UInt64) throws -> UInt64 {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        if overflow { throw BinaryFormatError(structure, at: offset, "\(a) × \(b) overflows") }
        return product
    }

    /// Converts an on-disk value to `Int`, or throws when it does not fit.
    static func int(_ value: UInt64, _ structure: String, at offset: UInt64) throws -> Int {
        guard let result = Int(exactly: value) else {
            throw BinaryFormatError(structure, at: offset, "value \(hex(value)) is out of range")
        }
        return result
    }
}
