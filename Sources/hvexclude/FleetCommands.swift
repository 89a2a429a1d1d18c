import HVXReport

/// `merge` and `diff`: many hosts, and one host over time. The library does the work (``PolicyMerge``,
/// ``ReportDiff``, ``SavedReport``); this maps it to output and exit codes.
enum FleetCommands {
    /// `hvexclude merge REPORT.json…`: one policy for the nodes. Exit 0, 1 when an entry is held (a detection),
    /// 2 when a report cannot be read or the reports cannot be merged (mixed schema versions, a node twice).
    static func merge(_ options: CommandLineOptions) -> ExitCode {
        let policy: MergedPolicy
        let reports: [(String, Report)]
        do {
            reports = try options.arguments.map { ($0, try SavedReport.load($0)) }
            policy = try PolicyMerge.merge(reports)
        } catch {
            HVExcludeCommand.printError("hvexclude: merge: \(error)")
            return .couldNotScan
        }
        let bytes: [UInt8]
        switch options.format {
        case .text: bytes = Array(policy.text().utf8)
        case .powershell: bytes = policy.powershell()
        case .json:
            do {
                bytes = Array(try JSONExporter.render(policy).utf8)
            } catch {
                HVExcludeCommand.printError("hvexclude: merge: \(error)")
                return .couldNotScan
            }
        case .pol, .intune, .reg, .csv, .list:
            // One policy for every node alike: what every node shares; the rest is named (the script applies it).
            let (common, left) = policy.clusterWide(template: reports[0].1)
            for item in left where !options.quiet {
                HVExcludeCommand.printError("left out of the cluster-wide \(options.format.rawValue) (apply it with --format powershell, node by node): \(item)")
            }
            do {
                let rendered = try HVExcludeCommand.render(common, format: options.format, vendor: options.vendor)
                for item in rendered.refused where !options.quiet { HVExcludeCommand.printError("not written: \(item)") }
                bytes = rendered.bytes
            } catch {
                HVExcludeCommand.printError("hvexclude: merge: \(error)")
                return .couldNotScan
            }
        default:
            HVExcludeCommand.printError("hvexclude: merge writes json, text, powershell, pol, intune, reg, csv or list, not \(options.format.rawValue)")
            return .usage
        }
        do {
            try OutputWriter.write(bytes, to: options.output, scannedRoots: [])
        } catch {
            HVExcludeCommand.printError("hvexclude: cannot write the policy: \(error)")
            return .couldNotScan
        }
        if !options.quiet {
            for conflict in policy.conflicts { HVExcludeCommand.printError("conflict: \(conflict.kind): \(conflict.subject): \(conflict.detail)") }
        }
        return policy.heldCount > 0 ? .finishedWithErrors : .success
    }

    /// `hvexclude diff OLD.json NEW.json`: exit 0 when the exclusions need no change, 3 when they must change, 2
    /// when a report cannot be read.
    static func diff(_ options: CommandLineOptions) -> ExitCode {
        let diff: ReportDiff
        do {
            diff = ReportDiff.compare(try SavedReport.load(options.arguments[0]), try SavedReport.load(options.arguments[1]))
        } catch {
            HVExcludeCommand.printError("hvexclude: diff: \(error)")
            return .couldNotScan
        }
        let bytes: [UInt8]
        switch options.format {
        case .text: bytes = Array(diff.text().utf8)
        case .json:
            do {
                bytes = Array(try JSONExporter.render(diff).utf8)
            } catch {
                HVExcludeCommand.printError("hvexclude: diff: \(error)")
                return .couldNotScan
            }
        default:
            HVExcludeCommand.printError("hvexclude: diff writes json or text, not \(options.format.rawValue)")
            return .usage
        }
        do {
            try OutputWriter.write(bytes, to: options.output, scannedRoots: [])
        } catch {
            HVExcludeCommand.printError("hvexclude: cannot write the diff: \(error)")
            return .couldNotScan
        }
        return diff.planChanged ? .exclusionsMissing : .success
    }
}
