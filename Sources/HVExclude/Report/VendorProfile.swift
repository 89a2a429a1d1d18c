/// The exclusion syntax of another antivirus product, for `--format list --vendor NAME`: how it names a folder, a
/// file, a file-name pattern, a process and an extension — only for products that document their syntax publicly
/// (sources in docs/exclusion-policy.md, "Other antivirus products").
///
/// What a product cannot express is never widened: the entry becomes an `unsupported:` line saying why and what to
/// do, and where the plan's pattern matches files that exist today those files are listed one by one (they must be
/// added again when Hyper-V writes new ones — re-export after each checkpoint).

import HVXBinary
import HVXDiagnosis
import HVXDiskImage
import HVXExclusions
import HVXFormats
import HVXInventory
import HVXScan
import HVXVolume

public enum VendorProfile: String, CaseIterable, Sendable {
    /// ESET Endpoint Security / Server Security, performance exclusions (help.eset.com, "Add or Edit performance
    /// exclusion"): a folder is `PATH\*`; a mask in the last part (`C:\Tools\*.dat`); no wildcard in the middle of
    /// a path; system variables such as `%PROGRAMFILES%` are expanded.
    case eset
    /// Sophos Endpoint Security and Control (docs.sophos.com, "Specify scanning exclusions"): a folder ends in
    /// `\`; `*` only as `[file name].*` or `*.[extension]`; a process by full path.
    case sophos
    /// Trend Micro Apex One / OfficeScan scan exclusions (success.trendmicro.com KA-0012556; OfficeScan 10.6 help
    /// "Scan Exclusions"): separate directory, file and extension lists of at most 256 items each; `*` and `?` in
    /// directory and file entries; extensions without the dot.
    case trendmicro

    /// The product's name as its vendor writes it.
    package var displayName: String {
        switch self {
        case .eset: return "ESET"
        case .sophos: return "Sophos"
        case .trendmicro: return "Trend Micro Apex One"
        }
    }

    /// Whether the product expands `%VAR%` forms in paths (then `--env-paths` applies).
    package var expandsVariables: Bool { self == .eset }

    /// The most items one list may hold, when the vendor documents a cap.
    package var listLimit: Int? { self == .trendmicro ? 256 : nil }

    /// The lines for `report`'s plan.
    package func lines(_ report: Report) -> [String] {
        let plan = report.exclusions
        var lines: [String] = []
        for entry in plan.paths {
            let path = expandsVariables ? (entry.environmentPath ?? entry.path) : entry.path
            switch entry.form {
            case .folder: lines.append(folder(path))
            case .file: lines.append(file(path))
            case .pattern: lines += pattern(path, report: report)
            }
        }
        for entry in plan.extensions {
            lines.append(self.extension(DefenderPathPattern.normaliseExtension(entry.extension)))
        }
        for entry in plan.processes { lines.append(process(entry.path)) }
        if let limit = listLimit {
            for prefix in ["directory:", "file:", "extension:"] {
                let count = lines.count { $0.hasPrefix(prefix) }
                if count > limit {
                    lines.append(
                        "unsupported:\(count) \(prefix.dropLast()) entries, more than the \(limit) one \(displayName) list holds: split the plan over policies or exclude fewer, wider Hyper-V folders"
                    )
                }
            }
        }
        return lines
    }

    package func folder(_ path: String) -> String {
        switch self {
        case .eset: return "path:" + withoutTrailingBackslash(path) + "\\*"
        case .sophos: return "path:" + withoutTrailingBackslash(path) + "\\"
        case .trendmicro: return "directory:" + withoutTrailingBackslash(path) + "\\"
        }
    }

    package func file(_ path: String) -> String {
        switch self {
        case .eset, .sophos: return "path:" + path
        case .trendmicro: return "file:" + path
        }
    }

    /// A typed file-name pattern in one folder (`D:\Db01_*.avhdx`): ESET and Trend Micro take the mask in the last
    /// part as it is; Sophos takes `*` only as `name.*` or `*.ext` without a folder, which would be host-wide.
    package func pattern(_ path: String, report: Report) -> [String] {
        switch self {
        case .eset: return ["path:" + path]
        case .trendmicro: return ["file:" + path]
        case .sophos:
            var lines = [
                "unsupported:\(path) — Sophos takes * only as [file name].* or *.[extension], not a pattern in one folder; the files it matches today follow, add new ones as Hyper-V writes them (never the folder)"
            ]
            if let pattern = WindowsPath(path).map(DefenderPathPattern.init(path:)) {
                for artifact in report.artifacts {
                    if let target = WindowsPath(artifact.path), pattern.covers(target) {
                        lines.append("path:" + artifact.path)
                    }
                }
            }
            return lines
        }
    }

    package func `extension`(_ bare: String) -> String {
        switch self {
        case .eset:
            return
                "unsupported:.\(bare) — ESET's performance exclusions take paths, not a host-wide extension; the plan's folders and files already cover Hyper-V's files"
        case .sophos: return "path:*." + bare
        case .trendmicro: return "extension:" + bare
        }
    }

    package func process(_ path: String) -> String {
        switch self {
        case .eset, .sophos: return "process:" + path
        case .trendmicro:
            return
                "unsupported:\(path) — Apex One's scan exclusions list directories, files and extensions, not processes; the plan's folders and files cover what the process opens"
        }
    }

    package func withoutTrailingBackslash(_ path: String) -> String {
        var text = Substring(path)
        while text.count > 3, text.last == "\\" { text = text.dropLast() }
        if text.count == 3, text.last == "\\" { text = text.dropLast() }
        return String(text)
    }
}
