import HVXDiskImage
import HVXInventory
import HVXReport
import HVXScan
import HVXVolume

/// `scan` and `audit` as one call: ROOT (a folder, an image read natively, or an image mounted with `--mount`),
/// the drives, the system-volume check, hibernation notes, the output check, the scan, `--against`, the report
/// rendered, and the exit policy (``ScanVerdict``). The caller writes ``ScanOutcome/bytes`` and the messages.
public enum ScanSession {
    /// Runs the request.
    /// - Throws: ``ScanFailure`` when no report can be made.
    public static func run(
        _ request: ScanRequest, observer: some ScanObserver = SilentScanObserver()
    ) throws(ScanFailure)
        -> ScanOutcome
    {
        // ROOT is a disk image or block device (docs/rescue.md): with --mount mount it and scan.
        if request.mount {
            return try MountedImageScan.run(request, observer: observer) {
                mappings, notes, drives throws(ScanFailure) in
                try scan(
                    request, imageMappings: mappings, notes: notes, image: (request.root, drives), observer: observer)
            }
        }
        // Without --mount an image is read natively: no root, no FUSE.
        if DiskImageScan.isImage(request.root) {
            return try NativeImageSession.run(request, observer: observer) {
                mappings, notes, drives throws(ScanFailure) in
                try scan(
                    request, imageMappings: mappings, notes: notes, image: (request.root, drives), observer: observer)
            }
        }
        return try scan(request, imageMappings: nil, notes: [], image: nil, observer: observer)
    }

    /// The scan; `imageMappings` replace ROOT's `C:` mapping when ROOT was a disk image, `notes` join the report's
    /// warnings.
    static func scan(
        _ request: ScanRequest, imageMappings: [VolumeMap.Mapping]?, notes: [Finding],
        image: (path: String, drives: [DriveAssignment.Drive])?, observer: some ScanObserver
    ) throws(ScanFailure) -> ScanOutcome {
        var scanOptions = ScanOptions(request)
        if let imageMappings { scanOptions.mappings = imageMappings + scanOptions.mappings.dropFirst() }
        var notes = notes
        try prepare(&scanOptions, notes: &notes, request: request, imageDrives: imageMappings?.count ?? 0)
        let roots = scanOptions.mappings.map(\.hostRoot)
        if let output = request.output, let problem = OutputPlace.problem(output, roots: roots) {
            throw ScanFailure(.usage(problem.description))
        }
        let scanner = HostScanner(options: scanOptions)
        observer.phaseBegan(scanner.walker.progress)
        var result: ScanResult
        do {
            result = try scanner.run()
        } catch {
            observer.phaseEnded()
            throw ScanFailure(.failed("\(error)"))
        }
        observer.phaseEnded()
        result.notes = notes
        if let file = request.against {
            do {
                result.audit(against: try SavedReport.loadPolicy(file), file: file)
            } catch {
                throw ScanFailure(.failed("--against: \(error)"))
            }
        }
        let report = Report(result, image: image?.path, drives: image?.drives ?? [])
        do {
            let (bytes, refused) = try report.rendered(
                request.format, vendor: request.vendor, verbose: request.verbose, style: request.style)
            return ScanOutcome(report: report, bytes: bytes, refused: refused, scannedRoots: roots, request: request)
        } catch {
            throw ScanFailure(.failed("cannot write the report: \(error)"))
        }
    }

    /// The drives given as images opened (`--drive X=IMAGE`), ROOT checked as a system volume (unless
    /// `--data-only`), and the hibernation notes.
    static func prepare(
        _ scanOptions: inout ScanOptions, notes: inout [Finding], request: ScanRequest, imageDrives: Int
    ) throws(ScanFailure) {
        // --drive X=IMAGE: a partition or disk image read natively.
        do {
            let opened = try NativeImageScan.openImageDrives(scanOptions.mappings, from: imageDrives)
            scanOptions.mappings = opened.mappings
            notes += opened.notes
        } catch {
            throw .couldNotScan("\(error)")
        }
        if !request.dataOnly, let first = scanOptions.mappings.first {
            do {
                try SystemVolumeCheck.check(first)
            } catch {
                throw .couldNotScan("\(error)")
            }
        }
        notes += HibernationFile.warnings(for: scanOptions.mappings)
    }
}
