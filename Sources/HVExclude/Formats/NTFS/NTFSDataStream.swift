// Reference: libyal libfsntfs, "New Technologies File System (NTFS)", sections "Data runs" and "Compression";
// Sleuth Kit tsk/fs/ntfs.c (ntfs_data_walk, ntfs_uncompress_compunit).
import HVXBinary

/// The bytes of one attribute value (a file's unnamed `$DATA`, `$MFT`, `$UpCase`, a non-resident attribute
/// list), read through its runlist: sparse runs read as zeros, bytes past the valid data size as zeros,
/// LZNT1-compressed units decompressed.
package struct NTFSDataStream: ByteSource {
    /// Where the value lives.
    package enum Storage: Sendable {
        case resident([UInt8])
        case runs([NTFSRun], compressionUnitClusters: UInt64?)
    }

    package let volume: any ByteSource
    let clusterSize: UInt64
    package let storage: Storage
    /// The value's size.
    package let size: UInt64
    /// Bytes past this offset read as zeros (never written).
    let initializedSize: UInt64
    /// The record it belongs to, for messages.
    package let record: UInt64

    /// Cap on runs in one stream (across attribute-list fragments).
    static let maximumRuns = 1 << 20

    /// A stream over a resident value.
    package init(resident value: [UInt8], volume: any ByteSource, clusterSize: UInt64, record: UInt64) {
        self.volume = volume
        self.clusterSize = clusterSize
        storage = .resident(value)
        size = UInt64(value.count)
        initializedSize = size
        self.record = record
    }

    /// A stream over the fragments of one non-resident attribute (one per extension record, in VCN order).
    /// - Throws: ``NTFSError/record(_:_:)`` when fragments leave gaps or overlap, a run lies outside the volume,
    ///   or the runs do not cover the allocated size.
    package init(
        fragments: [NTFSAttribute.NonResident], flags: UInt16, volume: any ByteSource, clusterSize: UInt64,
        clusterCount: UInt64, record: UInt64
    ) throws {
        guard let first = fragments.first else {
            throw NTFSError.record(record, "non-resident attribute without fragments")
        }
        var runs: [NTFSRun] = []
        var nextVCN: UInt64 = 0
        for fragment in fragments {
            guard fragment.firstVCN == nextVCN else {
                throw NTFSError.record(
                    record,
                    "attribute fragment starts at VCN \(fragment.firstVCN), expected \(nextVCN) (a gap, an overlap or a loop in the runlists)"
                )
            }
            for run in fragment.runs {
                guard run.vcn == nextVCN else {
                    throw NTFSError.record(record, "runlist out of order at VCN \(run.vcn)")
                }
                if let lcn = run.lcn {
                    let (end, overflow) = lcn.addingReportingOverflow(run.length)
                    guard !overflow, end <= clusterCount else {
                        throw NTFSError.record(
                            record,
                            "run at LCN \(lcn) (\(run.length) clusters) lies outside the \(clusterCount)-cluster volume"
                        )
                    }
                }
                runs.append(run)
                nextVCN = run.vcn + run.length
            }
            guard runs.count <= NTFSDataStream.maximumRuns else {
                throw NTFSError.record(record, "more than \(NTFSDataStream.maximumRuns) runs")
            }
            if fragment.lastVCN &+ 1 != nextVCN {
                throw NTFSError.record(
                    record, "runlist ends at VCN \(nextVCN), the attribute says \(fragment.lastVCN &+ 1)")
            }
        }
        let (allocatedClusters, overflow) = nextVCN.multipliedReportingOverflow(by: clusterSize)
        guard !overflow else { throw NTFSError.record(record, "runlist of \(nextVCN) clusters overflows") }
        guard first.dataSize <= allocatedClusters || (first.dataSize == 0) else {
            throw NTFSError.record(
                record, "data size \(first.dataSize) exceeds the \(allocatedClusters) bytes its runs hold")
        }
        let compressed = flags & 0x0001 != 0 && first.compressionUnit > 0
        self.volume = volume
        self.clusterSize = clusterSize
        storage = .runs(runs, compressionUnitClusters: compressed ? 1 << UInt64(first.compressionUnit) : nil)
        size = first.dataSize
        initializedSize = min(first.initializedSize, first.dataSize)
        self.record = record
    }

    package func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        guard offset < size, count > 0 else { return [] }
        let wanted = Int(min(UInt64(count), size - offset))
        switch storage {
        case .resident(let value):
            return Array(value[Int(offset)..<(Int(offset) + wanted)])
        case .runs(let runs, let unit):
            let end = offset + UInt64(wanted)
            // The common case (the MFT read in large pieces, a file in one extent): one read, no second buffer.
            if unit == nil, end <= initializedSize,
                let index = NTFSDataStream.runIndex(runs, vcn: offset / clusterSize),
                let lcn = runs[index].lcn, end <= (runs[index].vcn + runs[index].length) * clusterSize
            {
                let diskOffset = lcn * clusterSize + (offset - runs[index].vcn * clusterSize)
                let bytes = try volume.read(at: diskOffset, count: wanted)
                guard bytes.count == wanted else {
                    throw NTFSError.record(
                        record, "the image ends inside the data at volume offset \(hex(diskOffset)) (truncated image)")
                }
                return bytes
            }
            var output = [UInt8](repeating: 0, count: wanted)
            let validEnd = min(end, initializedSize)
            if offset < validEnd {
                if let unit {
                    try readCompressed(
                        runs, unitClusters: unit, from: offset, to: validEnd, into: &output, outputStart: offset)
                } else {
                    try readPlain(runs, from: offset, to: validEnd, into: &output, outputStart: offset)
                }
            }
            return output
        }
    }

    /// The index of the run holding `vcn` (runs are sorted and contiguous).
    static func runIndex(_ runs: [NTFSRun], vcn: UInt64) -> Int? {
        var low = 0
        var high = runs.count - 1
        while low <= high {
            let middle = (low + high) / 2
            let run = runs[middle]
            if vcn < run.vcn {
                high = middle - 1
            } else if vcn >= run.vcn + run.length {
                low = middle + 1
            } else {
                return middle
            }
        }
        return nil
    }

    private func readPlain(
        _ runs: [NTFSRun], from start: UInt64, to end: UInt64, into output: inout [UInt8], outputStart: UInt64
    ) throws {
        var position = start
        guard var index = NTFSDataStream.runIndex(runs, vcn: start / clusterSize) else {
            throw NTFSError.record(record, "offset \(start) lies past the runlist")
        }
        while position < end, index < runs.count {
            let run = runs[index]
            let runStart = run.vcn * clusterSize
            let runEnd = runStart + run.length * clusterSize
            let pieceEnd = min(end, runEnd)
            if let lcn = run.lcn {
                let diskOffset = lcn * clusterSize + (position - runStart)
                let bytes = try volume.read(at: diskOffset, count: Int(pieceEnd - position))
                guard bytes.count == Int(pieceEnd - position) else {
                    throw NTFSError.record(
                        record, "the image ends inside the data at volume offset \(hex(diskOffset)) (truncated image)")
                }
                let target = Int(position - outputStart)
                output.replaceSubrange(target..<(target + bytes.count), with: bytes)
            }
            position = pieceEnd
            index += 1
        }
    }

    private func readCompressed(
        _ runs: [NTFSRun], unitClusters: UInt64, from start: UInt64, to end: UInt64,
        into output: inout [UInt8], outputStart: UInt64
    ) throws {
        let unitBytes = unitClusters * clusterSize
        var unit = start / unitBytes
        while unit * unitBytes < end {
            let unitStart = unit * unitBytes
            let data = try compressionUnit(runs, unit: unit, unitClusters: unitClusters)
            let from = max(start, unitStart)
            let to = min(end, unitStart + unitBytes)
            let dataFrom = Int(from - unitStart)
            let dataTo = min(Int(to - unitStart), data.count)
            if dataFrom < dataTo {
                let target = Int(from - outputStart)
                output.replaceSubrange(target..<(target + dataTo - dataFrom), with: data[dataFrom..<dataTo])
            }
            unit += 1
        }
    }

    /// One compression unit's bytes: stored as is when all its clusters are allocated, zeros when all are sparse,
    /// else LZNT1 data in the allocated clusters.
    private func compressionUnit(_ runs: [NTFSRun], unit: UInt64, unitClusters: UInt64) throws -> [UInt8] {
        let firstVCN = unit * unitClusters
        var stored: [UInt8] = []
        var allocated: UInt64 = 0
        var vcn = firstVCN
        while vcn < firstVCN + unitClusters {
            guard let index = NTFSDataStream.runIndex(runs, vcn: vcn) else { break }
            let run = runs[index]
            let count = min(run.vcn + run.length, firstVCN + unitClusters) - vcn
            if let lcn = run.lcn {
                let bytes = try volume.read(at: (lcn + (vcn - run.vcn)) * clusterSize, count: Int(count * clusterSize))
                guard bytes.count == Int(count * clusterSize) else {
                    throw NTFSError.record(record, "the image ends inside compressed data (truncated image)")
                }
                stored += bytes
                allocated += count
            }
            vcn += count
        }
        let unitBytes = Int(unitClusters * clusterSize)
        if allocated == 0 { return [] }
        if allocated == unitClusters { return stored }
        do {
            return try LZNT1.decompress(stored[...], limit: unitBytes)
        } catch let error as BinaryFormatError {
            throw NTFSError.record(record, "compression unit \(unit): \(error.message)")
        }
    }
}
