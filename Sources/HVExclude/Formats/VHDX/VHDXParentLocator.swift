// Reference: MS-VHDX 2.6.2.6 (Parent Locator)
import HVXBinary

/// The parent locator metadata item of a differencing VHDX: UTF-16LE key/value pairs naming the parent.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 16 | locator type (`B04AEFB7-D19E-4A81-B789-25B8E9445913` for VHDX parents) |
/// | 16 | 2 | reserved |
/// | 18 | 2 | key/value count |
/// | 20 | 12 × n | entries: u32 key offset, u32 value offset (both from the locator start), u16 key length, u16 value length (bytes) |
///
/// Keys and values are UTF-16LE without a terminating NUL.
package struct VHDXParentLocator: Sendable, Equatable {
    /// The only locator type MS-VHDX defines.
    static let vhdxParentType = GUID("B04AEFB7-D19E-4A81-B789-25B8E9445913")!

    /// One key/value pair.
    package struct Entry: Sendable, Equatable {
        /// Key, e.g. `parent_linkage`, `relative_path`.
        package var key: String
        /// Value.
        package var value: String

        /// The memberwise initialiser, `package` for the layers above (Swift synthesises it internal).
        package init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    /// Locator type GUID.
    var locatorType: GUID
    /// The pairs in stored order.
    package var entries: [Entry]

    /// Parses a locator from a reader over exactly the item's bytes.
    /// - Throws: ``BinaryFormatError`` when the item is shorter than its header or an entry's key or value lies
    ///   outside the item.
    package init(parsing reader: inout ByteReader) throws {
        let itemLength = reader.remaining
        let start = reader.position
        guard itemLength >= 20 else {
            throw reader.error("truncated: a parent locator needs 20 bytes but the item has \(itemLength)")
        }
        locatorType = try reader.guid()
        try reader.skip(2)
        let count = Int(try reader.u16(.little))
        guard 20 + count * 12 <= itemLength else {
            throw reader.error(
                "\(count) key/value entries need \(20 + count * 12) bytes but the item has \(itemLength)",
                at: start + 18)
        }
        var entries: [Entry] = []
        for index in 0..<count {
            let entryStart = reader.position
            let keyOffset = Int(try reader.u32(.little))
            let valueOffset = Int(try reader.u32(.little))
            let keyLength = Int(try reader.u16(.little))
            let valueLength = Int(try reader.u16(.little))
            for (what, offset, length) in [("key", keyOffset, keyLength), ("value", valueOffset, valueLength)]
            where offset + length > itemLength {
                throw reader.error(
                    "entry \(index): \(what) of \(length) bytes at locator offset \(hex(offset)) lies outside the "
                        + "\(itemLength)-byte locator", at: entryStart)
            }
            var keyReader = try reader.sub(at: start + keyOffset, count: keyLength)
            var valueReader = try reader.sub(at: start + valueOffset, count: valueLength)
            entries.append(
                Entry(
                    key: try keyReader.utf16(byteCount: keyLength, .little),
                    value: try valueReader.utf16(byteCount: valueLength, .little)))
        }
        self.entries = entries
    }

    /// The value of the first entry with `key` (keys compare exactly, as Hyper-V writes them).
    package func value(_ key: String) -> String? {
        entries.first { $0.key == key }?.value
    }
}
