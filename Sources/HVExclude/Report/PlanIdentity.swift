/// A short, stable name for one plan's content, so that a script can tell what it added for this plan on a host
/// from what anything else (another plan, an administrator) added there.
///
/// FNV-1a (64 bit) over the planned entries in plan order, each as `type|value`: the same plan gives the same name
/// on every run, any added, removed or changed entry a different one. Not a security boundary — it names a record,
/// it does not protect it.

import HVXBinary
import HVXDiagnosis
import HVXDiskImage
import HVXExclusions
import HVXFormats
import HVXInventory
import HVXScan
import HVXVolume

package enum PlanIdentity {
    /// `hvx-` and 16 hex digits.
    package static func of(_ plan: ExclusionPlan) -> String {
        var lines = plan.paths.map { "path|" + ($0.environmentPath ?? $0.path) }
        lines += plan.extensions.map { "extension|" + DefenderPathPattern.normaliseExtension($0.extension) }
        lines += plan.processes.map { "process|" + $0.path }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in lines.joined(separator: "\n").utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "hvx-" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
