import HVXBinary
import HVXDiagnosis
import HVXDiskImage
import HVXExclusions
import HVXFormats
import HVXInventory
import HVXScan
import HVXVolume

extension Report {
    /// The planned path entries held by a Defender detection (docs/diagnosis.md, "Detections"): `scan` and
    /// `audit` exit 3 while there are any, unless `--accept-detections`.
    package var heldEntries: [String] { exclusions.paths.filter { $0.hold != nil }.map(\.path) }
}
