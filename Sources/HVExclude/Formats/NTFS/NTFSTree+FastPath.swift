// Reference: libyal libfsntfs, "New Technologies File System (NTFS)" (MFT entry header, fix-up values, attribute
// headers, $STANDARD_INFORMATION, $FILE_NAME, $DATA, $REPARSE_POINT) — the same fields NTFSFileRecord,
// NTFSAttribute and NTFSFileName parse, read here in place.

extension NTFSTree {
    /// What one well-formed record contributes, read without allocating an attribute per attribute.
    package struct Scanned {
        var inUse = false
        package var isDirectory = false
        var sequence: UInt16 = 0
        package var base: UInt64 = 0
        var fileAttributes: UInt32?
        var dataSize: UInt64?
        var dataFlags: UInt16 = 0
        var interixTarget: String?
        var reparseTag: UInt32?
        var streams: [String] = []
        /// Whether the record has an `$ATTRIBUTE_LIST` (its attributes continue in extension records).
        var hasAttributeList = false
    }

    /// One `$FILE_NAME` the fast path read: its folder and where its UTF-8 bytes went in ``NTFSTree/nameBytes``.
    package struct ScannedName {
        package var parent: NTFSReference
        package var start: Int
        package var length: Int
    }

    /// Reads record `bytes` in place (fixups applied to the buffer): the fields the tree needs, or `nil` when
    /// anything is out of the ordinary — then ``NTFSFileRecord`` parses it and says precisely what is wrong (the
    /// caller drops what this appended to `nameBytes`). Names go to `nameBytes` as UTF-8 and to `names`.
    ///
    /// The MFT walk spends its time here: 400k records must cost microseconds each, so no `Array` and no `String`
    /// per record, no attribute values copied, no runlists decoded, and ASCII names (nearly all) copied byte by byte.
    ///
    /// **The measured exception to "untrusted bytes only through ByteReader"** (scripts/check-raw-reads.sh names
    /// it): this loop is a quarter of a native scan's instructions (callgrind, 100k-entry image). Every raw read
    /// lies inside the record by the guard before it: the header fields (0…47) by `size >= 512`; the fixup array
    /// and each sector's last two bytes by `fixupOffset + fixupCount * 2 <= size` and `fixupCount == size / 512 +
    /// 1`; an attribute's header by `offset + 16 <= used <= size`; its resident value by `valueOffset <= length`,
    /// `valueLength <= length - valueOffset` and `length <= used - offset`; its non-resident sizes (to offset + 56)
    /// by `length >= 64` (its runlist offset and compression unit are checked as the parser checks them, so a damaged
    /// one goes to the parser); its name by `nameOffset + nameLength * 2 <= length`; a `$FILE_NAME`'s fields (to 66) by
    /// `valueLength >= 66` and its name by `66 + units * 2 <= valueLength`. `NTFSFastPathAgreementTests` checks
    /// that the parser agrees on every record of every test image and on randomly damaged records, in a debug build
    /// that bounds-checks each read.
    package static func scan(
        _ bytes: UnsafeMutableRawBufferPointer, nameBytes: inout [UInt8], names: inout [ScannedName]
    ) -> Scanned? {
        let size = bytes.count
        guard size >= 512, size % 512 == 0 else { return nil }
        func u16(_ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> UInt32 { UInt32(u16(at)) | UInt32(u16(at + 2)) << 16 }
        func u64(_ at: Int) -> UInt64 { UInt64(u32(at)) | UInt64(u32(at + 4)) << 32 }
        guard bytes[0] == 0x46, bytes[1] == 0x49, bytes[2] == 0x4C, bytes[3] == 0x45 else { return nil }  // "FILE"
        let fixupOffset = Int(u16(4))
        let fixupCount = Int(u16(6))
        guard fixupCount == size / 512 + 1, fixupOffset >= 42, fixupOffset + fixupCount * 2 <= size else { return nil }
        let usn = u16(fixupOffset)
        for index in 1..<fixupCount {
            let end = index * 512 - 2
            guard u16(end) == usn else { return nil }
            bytes[end] = bytes[fixupOffset + index * 2]
            bytes[end + 1] = bytes[fixupOffset + index * 2 + 1]
        }
        var result = Scanned()
        let flags = u16(22)
        result.inUse = flags & 1 != 0
        result.isDirectory = flags & 2 != 0
        result.sequence = u16(16)
        result.base = u64(32) & 0xFFFF_FFFF_FFFF
        guard result.inUse else { return result }
        let used = Int(u32(24))
        guard used >= 48, used <= size else { return nil }
        var offset = Int(u16(20))
        var count = 0
        while true {
            guard offset >= 0, offset + 4 <= used else { return nil }
            let type = u32(offset)
            if type == 0xFFFF_FFFF { break }
            guard offset + 16 <= used else { return nil }
            let length = Int(u32(offset + 4))
            guard length >= 16, length <= used - offset else { return nil }
            count += 1
            guard count < NTFSFileRecord.maximumAttributes else { return nil }
            let nonResident = bytes[offset + 8] != 0
            let nameLength = Int(bytes[offset + 9])
            let nameOffset = Int(u16(offset + 10))
            let attributeFlags = u16(offset + 12)
            guard nameLength == 0 || nameOffset + nameLength * 2 <= length else { return nil }
            var valueStart = 0
            var valueLength = 0
            if nonResident {
                // The runlist offset and compression unit are checked as the record parser checks them: a record
                // whose non-resident header is out of bounds goes to the parser, which skips that attribute and
                // says so (the fast path decodes no runlist, so it cannot skip it the same way itself).
                guard length >= 64 else { return nil }
                let runsOffset = Int(u16(offset + 32))
                guard runsOffset >= 64, runsOffset <= length, u16(offset + 34) <= 16 else { return nil }
            } else {
                guard length >= 24 else { return nil }
                valueLength = Int(u32(offset + 16))
                let valueOffset = Int(u16(offset + 20))
                guard valueOffset <= length, valueLength <= length - valueOffset else { return nil }
                valueStart = offset + valueOffset
            }
            switch type {
            case NTFSAttribute.Kind.standardInformation.rawValue where !nonResident && valueLength >= 36:
                result.fileAttributes = u32(valueStart + 32)
            case NTFSAttribute.Kind.fileName.rawValue:
                guard !nonResident, valueLength >= 66 else { return nil }
                let units = Int(bytes[valueStart + 64])
                guard 66 + units * 2 <= valueLength else { return nil }
                if bytes[valueStart + 65] == NTFSFileName.dosNamespace { break }
                let start = nameBytes.count
                appendUTF8(bytes, at: valueStart + 66, units: units, to: &nameBytes)
                names.append(
                    ScannedName(parent: NTFSReference(u64(valueStart)), start: start, length: nameBytes.count - start))
            case NTFSAttribute.Kind.data.rawValue:
                if nameLength > 0 {
                    result.streams.append(text(bytes, at: offset + nameOffset, units: nameLength))
                } else if nonResident {
                    if u64(offset + 16) == 0 {
                        result.dataSize = u64(offset + 48)
                        result.dataFlags = attributeFlags
                    }
                } else {
                    result.dataSize = UInt64(valueLength)
                    result.dataFlags = attributeFlags
                    if valueLength > 8, valueLength <= Int(NTFSTree.interixMaximum), bytes[valueStart] == 0x49 {  // "I"
                        result.interixTarget = NTFSTree.interixTarget(
                            ArraySlice(UnsafeRawBufferPointer(rebasing: bytes[valueStart..<(valueStart + valueLength)]))
                        )
                    }
                }
            case NTFSAttribute.Kind.attributeList.rawValue:
                result.hasAttributeList = true
            case NTFSAttribute.Kind.reparsePoint.rawValue:
                result.reparseTag = !nonResident && valueLength >= 4 ? u32(valueStart) : 0xFFFF_FFFF
            default:
                break
            }
            offset += length
        }
        return result
    }

    /// Appends UTF-16LE text at `at` to `output` as UTF-8: ASCII (nearly every name) without the general decoder.
    static func appendUTF8(_ bytes: UnsafeMutableRawBufferPointer, at: Int, units: Int, to output: inout [UInt8]) {
        // Narrowed into a stack buffer in the same pass that checks for ASCII, then appended in one copy.
        let ascii = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(units, 1)) { narrow -> Bool in
            var high: UInt8 = 0
            for index in 0..<units {
                let low = bytes[at + index * 2]
                high |= bytes[at + index * 2 + 1] | (low & 0x80)
                narrow[index] = low
            }
            guard high == 0 else { return false }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: narrow[0..<units]))
            return true
        }
        if !ascii { output.append(contentsOf: text(bytes, at: at, units: units).utf8) }
    }

    /// UTF-16LE text at `at`: ASCII (nearly every name) without the general decoder.
    package static func text(_ bytes: UnsafeMutableRawBufferPointer, at: Int, units: Int) -> String {
        var ascii = true
        for index in 0..<units where bytes[at + index * 2 + 1] != 0 || bytes[at + index * 2] >= 0x80 {
            ascii = false
            break
        }
        if ascii {
            return String(unsafeUninitializedCapacity: units) { buffer in
                for index in 0..<units { buffer[index] = bytes[at + index * 2] }
                return units
            }
        }
        var decoded: [UInt16] = []
        decoded.reserveCapacity(units)
        for index in 0..<units {
            decoded.append(UInt16(bytes[at + index * 2]) | UInt16(bytes[at + index * 2 + 1]) << 8)
        }
        return String(decoding: decoded, as: UTF16.self)
    }
}
