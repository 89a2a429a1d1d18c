// Reference: libyal libfsntfs, "New Technologies File System (NTFS)", section "Data runs"; Sleuth Kit
// tsk/fs/ntfs.c (ntfs_make_data_run).
import HVXBinary

/// One run of a non-resident attribute: `length` clusters from virtual cluster `vcn`, stored at logical
/// cluster `lcn`, or sparse (`lcn == nil`: reads as zeros).
package struct NTFSRun: Sendable, Equatable {
    /// First virtual cluster of the run.
    var vcn: UInt64
    /// Clusters in the run.
    package var length: UInt64
    /// First logical cluster on the volume; `nil` for a sparse run.
    var lcn: UInt64?
}

/// A runlist ("mapping pairs"): a sequence of runs, each a header byte then a length and an LCN delta.
///
/// | size | field |
/// |---|---|
/// | 1 | header: low nibble = bytes of the length, high nibble = bytes of the LCN delta (0 = sparse) |
/// | n | run length in clusters (unsigned, little-endian) |
/// | m | LCN delta from the previous run's LCN (signed, little-endian) |
///
/// A header byte of 0 ends the list.
package enum NTFSRunList {
    /// Decodes the runlist in `bytes`, starting at virtual cluster `firstVCN`.
    /// - Throws: ``BinaryFormatError`` for a field wider than 8 bytes, a zero-length run, an LCN below 0, or VCN
    ///   overflow; the list ends at the end of `bytes` without a terminator too (read on).
    package static func decode(_ bytes: ByteReader, firstVCN: UInt64) throws -> [NTFSRun] {
        var runs: [NTFSRun] = []
        var position = 0
        var vcn = firstVCN
        var lcn: Int64 = 0
        func fail(_ message: String) -> BinaryFormatError { bytes.error(message, at: position) }
        while position < bytes.count {
            let header = try bytes.u8(at: position)
            if header == 0 { break }
            let lengthSize = Int(header & 0x0F)
            let offsetSize = Int(header >> 4)
            guard lengthSize >= 1, lengthSize <= 8, offsetSize <= 8 else {
                throw fail("run header \(hex(header)): field sizes \(lengthSize)/\(offsetSize) are not 1…8/0…8")
            }
            guard position + 1 + lengthSize + offsetSize <= bytes.count else {
                throw fail("run of \(lengthSize + offsetSize) bytes runs past the attribute")
            }
            let length = try bytes.integer(at: position + 1, size: lengthSize, .little)
            guard length > 0, length <= UInt64(Int64.max) else { throw fail("run length \(length) is 0 or too large") }
            var run = NTFSRun(vcn: vcn, length: length, lcn: nil)
            if offsetSize > 0 {
                let delta = try bytes.integer(at: position + 1 + lengthSize, size: offsetSize, .little)
                // Sign-extend from the field's top bit.
                let shift = UInt64(64 - offsetSize * 8)
                let signed =
                    offsetSize == 8 ? Int64(bitPattern: delta) : Int64(bitPattern: delta << shift) >> Int64(shift)
                let (next, overflow) = lcn.addingReportingOverflow(signed)
                guard !overflow, next >= 0 else { throw fail("run LCN \(lcn) + \(signed) leaves the volume") }
                lcn = next
                run.lcn = UInt64(next)
            }
            runs.append(run)
            let (end, overflow) = vcn.addingReportingOverflow(length)
            guard !overflow else { throw fail("virtual cluster \(vcn) + \(length) overflows") }
            vcn = end
            position += 1 + lengthSize + offsetSize
        }
        return runs
    }
}
