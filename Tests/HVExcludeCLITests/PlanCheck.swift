import Foundation

@testable import HVXExclusions
@testable import HVXReport
@testable import HVXVolume

/// Runs the library's one property check (``PlanProperties``) and the lifecycle property (``LifecycleSimulation``:
/// what Hyper-V writes next is covered by the plan made before) on a report the binary printed: every tree a CLI
/// test scans goes through it.
enum PlanCheck {
    /// The violations, as text, of the JSON report `stdout` of a scan whose roots were `roots` (Windows prefix →
    /// host folder, as given with ROOT, --drive and --map).
    static func violations(_ stdout: String, roots: [String: String]) -> [String] {
        let report: Report
        do {
            report = try JSONDecoder().decode(Report.self, from: Data(stdout.utf8))
        } catch {
            return ["the report does not decode: \(error)"]
        }
        let mappings = roots.compactMap { prefix, host in
            WindowsPath(prefix.hasSuffix(":") ? prefix + "\\" : prefix).map {
                VolumeMap.Mapping(prefix: $0, hostRoot: host)
            }
        }
        let map = VolumeMap(mappings)
        return PlanProperties.violations(of: report, map: map).map(\.description)
            + LifecycleSimulation.uncovered(report, map: map).map {
                "lifecycle: \($0): written by Hyper-V later, but the plan made before does not cover it"
            }
    }
}
