import HVXReport

/// `merge` and `diff`: many hosts, and one host over time. The report layer does the work (``PolicyMerge``,
/// ``ReportDiff``, ``SavedReport``); this reads the reports and renders the result in the requested format.
public enum FleetSession {
    /// A merged policy, rendered, and what the command line says about it.
    public struct MergeOutcome: Sendable {
        /// The policy in the requested format.
        public var bytes: [UInt8]
        /// Entries left out of a cluster-wide `pol`, `intune`, `reg`, `csv` or `list` (only some nodes plan them).
        public var leftOut: [String] = []
        /// Entries the format could not hold, each with why.
        public var refused: [String] = []
        /// Where the nodes disagree, one line each (`kind: subject: detail`).
        public var conflicts: [String]
        /// Whether an entry is held by a malware detection (exit 1).
        public var held: Bool
    }

    /// `hvexclude merge REPORT.json…`: one policy for the nodes.
    /// - Throws: ``CommandFailure/couldNotRead(_:)`` when a report cannot be read or the reports cannot be merged
    ///   (mixed schema versions, a node twice); ``CommandFailure/usage(_:)`` for a format merge does not write.
    public static func merge(
        _ files: [String], format: ReportFormat, vendor: VendorProfile? = nil
    )
        throws(CommandFailure) -> MergeOutcome
    {
        let policy: MergedPolicy
        let reports: [(String, Report)]
        do {
            reports = try files.map { ($0, try SavedReport.load($0)) }
            policy = try PolicyMerge.merge(reports)
        } catch {
            throw .couldNotRead("merge: \(error)")
        }
        let conflicts = policy.conflicts.map { "\($0.kind): \($0.subject): \($0.detail)" }
        var outcome = MergeOutcome(bytes: [], conflicts: conflicts, held: policy.heldCount > 0)
        switch format {
        case .text: outcome.bytes = Array(policy.text().utf8)
        case .powershell: outcome.bytes = policy.powershell()
        case .json:
            do {
                outcome.bytes = Array(try JSONExporter.render(policy).utf8)
            } catch {
                throw .couldNotRead("merge: \(error)")
            }
        case .pol, .intune, .reg, .csv, .list:
            // One policy for every node alike: what every node shares; the rest is named (the script applies it).
            let (common, left) = policy.clusterWide(template: reports[0].1)
            outcome.leftOut = left
            do {
                let rendered = try common.rendered(format, vendor: vendor)
                outcome.refused = rendered.refused
                outcome.bytes = rendered.bytes
            } catch {
                throw .couldNotRead("merge: \(error)")
            }
        default:
            throw .usage("merge writes json, text, powershell, pol, intune, reg, csv or list, not \(format.rawValue)")
        }
        return outcome
    }

    /// `hvexclude diff OLD.json NEW.json`: the change as text or JSON, and whether the exclusions must change
    /// (exit 3).
    /// - Throws: ``CommandFailure/couldNotRead(_:)`` when a report cannot be read, ``CommandFailure/usage(_:)``
    ///   for a format other than json or text.
    public static func diff(
        old: String, new: String, format: ReportFormat
    )
        throws(CommandFailure) -> (bytes: [UInt8], planChanged: Bool)
    {
        let diff: ReportDiff
        do {
            diff = ReportDiff.compare(try SavedReport.load(old), try SavedReport.load(new))
        } catch {
            throw .couldNotRead("diff: \(error)")
        }
        switch format {
        case .text: return (Array(diff.text().utf8), diff.planChanged)
        case .json:
            do {
                return (Array(try JSONExporter.render(diff).utf8), diff.planChanged)
            } catch {
                throw .couldNotRead("diff: \(error)")
            }
        default:
            throw .usage("diff writes json or text, not \(format.rawValue)")
        }
    }
}
