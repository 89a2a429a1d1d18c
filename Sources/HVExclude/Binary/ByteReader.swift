/// A bounds-checked cursor over bytes read from a file: the one way the readers look at untrusted bytes.
///
/// Every read throws a ``BinaryFormatError`` naming the structure and the absolute file offset instead of
/// trapping, and every offset computed from on-disk values is overflow-checked. Reads come in two kinds: at the
/// cursor (`u32(.little)`, which advances) and at a relative offset (`u32(at: 8, .little)`, which does not).
/// A reader made by ``sub(at:count:structure:)`` shares its parent's storage: slicing copies nothing.
package struct ByteReader: Sendable {
    /// The bytes this reader sees are `storage[start..<start + count]`.
    @usableFromInline let storage: [UInt8]
    /// Index in `storage` of relative offset 0.
    @usableFromInline let start: Int
    /// Number of bytes in the reader.
    package let count: Int
    /// Absolute file offset of relative offset 0.
    package let baseOffset: UInt64
    /// Name of the structure being read, used in error messages.
    package var structure: String
    /// Current position, relative to offset 0.
    package private(set) var position: Int = 0

    /// Creates a reader over `bytes` that were read from absolute file offset `baseOffset`.
    package init(_ bytes: [UInt8], baseOffset: UInt64 = 0, structure: String) {
        self.init(storage: bytes, start: 0, count: bytes.count, baseOffset: baseOffset, structure: structure)
    }

    private init(storage: [UInt8], start: Int, count: Int, baseOffset: UInt64, structure: String) {
        self.storage = storage
        self.start = start
        self.count = count
        self.baseOffset = baseOffset
        self.structure = structure
    }

    /// Bytes left after the current position.
    package var remaining: Int { count - position }
    /// Absolute file offset of the current position.
    package var absolutePosition: UInt64 { baseOffset + UInt64(position) }

    /// An error at relative offset `at` (default: the current position).
    package func error(_ message: String, at relative: Int? = nil) -> BinaryFormatError {
        BinaryFormatError(structure, at: baseOffset &+ UInt64(max(0, relative ?? position)), message)
    }

    /// The error of a read of `size` bytes at `offset` that does not fit.
    @usableFromInline func outOfBounds(_ offset: Int, _ size: Int) -> BinaryFormatError {
        error("\(size) bytes at \(hex(max(0, offset))) lie outside the \(count)-byte structure", at: 0)
    }

    /// Moves to relative offset `offset`; throws when it lies past the end.
    package mutating func seek(to offset: Int) throws {
        guard offset >= 0, offset <= count else {
            throw error("offset \(hex(offset)) lies outside the \(count)-byte structure", at: 0)
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

    // MARK: Reads at the cursor

    /// Reads one byte.
    package mutating func u8() throws -> UInt8 {
        try require(1)
        defer { position += 1 }
        return storage[start + position]
    }

    /// Reads an unsigned 16-bit integer.
    package mutating func u16(_ order: Endianness) throws -> UInt16 { try integer(order) }
    /// Reads an unsigned 32-bit integer.
    package mutating func u32(_ order: Endianness) throws -> UInt32 { try integer(order) }
    /// Reads an unsigned 64-bit integer.
    package mutating func u64(_ order: Endianness) throws -> UInt64 { try integer(order) }
    /// Reads a signed 32-bit integer.
    package mutating func i32(_ order: Endianness) throws -> Int32 { Int32(bitPattern: try integer(order)) }
    /// Reads a signed 64-bit integer.
    package mutating func i64(_ order: Endianness) throws -> Int64 { Int64(bitPattern: try integer(order)) }

    /// Reads a fixed-width unsigned integer.
    package mutating func integer<T: FixedWidthInteger & UnsignedInteger>(_ order: Endianness) throws -> T {
        try require(MemoryLayout<T>.size)
        defer { position += MemoryLayout<T>.size }
        return try integer(at: position, order)
    }

    /// Reads `count` bytes.
    package mutating func bytes(count: Int) throws -> [UInt8] {
        try require(count)
        defer { position += count }
        return Array(storage[(start + position)..<(start + position + count)])
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

    // MARK: Reads at an offset (the cursor stays)

    /// The byte at relative `offset`.
    @inlinable package func u8(at offset: Int) throws -> UInt8 {
        guard offset >= 0, offset < count else { throw outOfBounds(offset, 1) }
        return storage[start + offset]
    }

    /// The unsigned 16-bit integer at relative `offset`.
    @inlinable package func u16(at offset: Int, _ order: Endianness) throws -> UInt16 { try integer(at: offset, order) }
    /// The unsigned 32-bit integer at relative `offset`.
    @inlinable package func u32(at offset: Int, _ order: Endianness) throws -> UInt32 { try integer(at: offset, order) }
    /// The unsigned 64-bit integer at relative `offset`.
    @inlinable package func u64(at offset: Int, _ order: Endianness) throws -> UInt64 { try integer(at: offset, order) }

    /// The fixed-width unsigned integer at relative `offset`.
    @inlinable package func integer<T: FixedWidthInteger & UnsignedInteger>(
        at offset: Int, _ order: Endianness
    ) throws -> T {
        let size = MemoryLayout<T>.size
        guard offset >= 0, offset <= count - size else { throw outOfBounds(offset, size) }
        return T(truncatingIfNeeded: Self.assemble(storage, from: start + offset, size: size, order))
    }

    /// The `size` bytes (0…8) at `first` in `bytes` as one integer: the one loop behind every integer read, its
    /// bounds checked by the caller.
    @inlinable static func assemble(_ bytes: [UInt8], from first: Int, size: Int, _ order: Endianness) -> UInt64 {
        var value: UInt64 = 0
        switch order {
        case .little:
            for index in (0..<size).reversed() { value = value << 8 | UInt64(bytes[first + index]) }
        case .big:
            for index in 0..<size { value = value << 8 | UInt64(bytes[first + index]) }
        }
        return value
    }

    /// The unsigned integer of `size` bytes (0…8) at relative `offset`: a field whose width the data gives (an NTFS
    /// run's length and offset, 1–8 bytes) or that no Swift type has (a SID's 48-bit authority). Zero for size 0.
    @inlinable package func integer(at offset: Int, size: Int, _ order: Endianness) throws -> UInt64 {
        guard size >= 0, size <= 8 else { throw error("an integer field of \(size) bytes is wider than 8", at: offset) }
        guard offset >= 0, offset <= count - size else { throw outOfBounds(offset, size) }
        return Self.assemble(storage, from: start + offset, size: size, order)
    }

    /// ``integer(at:size:_:)`` in a whole buffer, for a reader that keeps its own offsets into one buffer (an EVTX
    /// chunk's values and headers): nothing is made per read. A field past the end throws, naming `structure`.
    @inlinable package static func integer(
        in bytes: [UInt8], at offset: Int, size: Int, _ order: Endianness, structure: String
    ) throws -> UInt64 {
        guard size >= 0, size <= 8, offset >= 0, offset <= bytes.count - size else {
            throw BinaryFormatError(
                structure, at: UInt64(max(0, offset)),
                "\(size) bytes at \(hex(max(0, offset))) lie outside the \(bytes.count)-byte buffer")
        }
        return assemble(bytes, from: offset, size: size, order)
    }

    /// Reads an integer at relative `offset` without moving the cursor.
    package func peek<T: FixedWidthInteger & UnsignedInteger>(
        _ type: T.Type, at offset: Int, _ order: Endianness
    ) throws -> T {
        guard offset >= 0, offset <= count else {
            throw error("offset \(hex(offset)) lies outside the \(count)-byte structure", at: 0)
        }
        guard MemoryLayout<T>.size <= count - offset else {
            throw error("needs \(MemoryLayout<T>.size) bytes but only \(count - offset) remain", at: offset)
        }
        return try integer(at: offset, order)
    }

    /// The bytes at relative `range`, not copied (the slice keeps the storage's indices, not relative ones).
    package func slice(_ range: Range<Int>) throws -> ArraySlice<UInt8> {
        guard range.lowerBound >= 0, range.upperBound <= count else { throw outOfBounds(range.lowerBound, range.count) }
        return storage[(start + range.lowerBound)..<(start + range.upperBound)]
    }

    /// All the reader's bytes: its storage itself, copied only when the reader is a slice of a larger buffer.
    package var array: [UInt8] {
        start == 0 && count == storage.count ? storage : Array(storage[start..<(start + count)])
    }

    /// A copy of the bytes at relative `range`.
    package func copy(_ range: Range<Int>) throws -> [UInt8] { Array(try slice(range)) }

    /// A reader over `count` bytes at relative offset `offset`, checked against this reader's bounds; it shares
    /// this reader's storage.
    package func sub(at offset: Int, count: Int, structure: String? = nil) throws -> ByteReader {
        let (end, overflow) = offset.addingReportingOverflow(count)
        guard offset >= 0, count >= 0, !overflow, end <= self.count else {
            throw error(
                "\(count) bytes at \(hex(max(0, offset))) lie outside the \(self.count)-byte structure",
                at: 0)
        }
        return ByteReader(
            storage: storage, start: start + offset, count: count, baseOffset: baseOffset + UInt64(offset),
            structure: structure ?? self.structure)
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
            let unit: UInt16 =
                order == .little
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
