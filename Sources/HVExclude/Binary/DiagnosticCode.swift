/// The kind of a ``Diagnostic``: one stable code per kind of problem, `format.problem`, each listed with its
/// meaning in docs/diagnostics.md (`DiagnosticCodeTests` checks the table against this enum both ways).
///
/// A code is a promise to callers and tests: rename one only with a behaviour commit that says so.
package enum DiagnosticCode: String, Sendable, Hashable, Codable, CaseIterable {
    /// More diagnostics than the reader keeps; the message says how many were dropped.
    case suppressed = "diagnostics.suppressed"

    // VHD (Formats/VHD)
    case vhdFooterShort = "vhd.footer-short"
    case vhdFooterUnreadable = "vhd.footer-unreadable"
    case vhdFooterChecksum = "vhd.footer-checksum"
    case vhdFooterCopyDiffers = "vhd.footer-copy-differs"
    case vhdFooterCopyUnreadable = "vhd.footer-copy-unreadable"
    case vhdDynamicHeaderChecksum = "vhd.dynamic-header-checksum"
    case vhdLocatorTooLong = "vhd.locator-too-long"
    case vhdLocatorPastEnd = "vhd.locator-past-end"
    case vhdLocatorUnreadable = "vhd.locator-unreadable"
    case vhdLocatorBigEndian = "vhd.locator-big-endian"

    // VHDX (Formats/VHDX, Formats/VirtualDisk)
    case vhdxHeaderDamaged = "vhdx.header-damaged"
    case vhdxLogNotReplayed = "vhdx.log-not-replayed"
    case vhdxRegionTableDamaged = "vhdx.region-table-damaged"
    case vhdxRegionTablesDiffer = "vhdx.region-tables-differ"
    case vhdxBATPastEnd = "vhdx.bat-past-end"
    case vhdxBlockSize = "vhdx.block-size"
    case vhdxLocatorTypeUnknown = "vhdx.locator-type-unknown"
    case vhdxParentLocatorMissing = "vhdx.parent-locator-missing"
    case vhdxParentLinkageInvalid = "vhdx.parent-linkage-invalid"
    case vhdxParentLinkageMissing = "vhdx.parent-linkage-missing"
}
