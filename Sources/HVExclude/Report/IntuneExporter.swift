import FoundationEssentials
import HVXBinary
import HVXDiagnosis
import HVXDiskImage
import HVXExclusions
import HVXFormats
import HVXInventory
import HVXScan
import HVXVolume

// Reference: Microsoft Learn, "Policy CSP - Defender" (ExcludedPaths, ExcludedExtensions, ExcludedProcesses);
// Microsoft Graph, windows10CustomConfiguration and omaSettingString.

/// Writes the plan as the Defender policy CSP settings of an Intune custom profile: a Microsoft Graph
/// `windows10CustomConfiguration` whose `omaSettings` are `omaSettingString`s for
/// `./Device/Vendor/MSFT/Policy/Config/Defender/ExcludedPaths`, `ExcludedExtensions` and `ExcludedProcesses`, each
/// value the list joined with `|` as the CSP documents.
///
/// Limits, checked here and stated in the profile's description: an item must not hold `|` (the CSP's separator;
/// NTFS names cannot hold it either, so only a damaged plan could), and must not be empty. The CSP documents no
/// length limit for the string ("no documented limit" — none is invented here). Custom OMA-URI profiles reach only
/// devices enrolled in Intune: Windows Server cannot enrol, and gets these values through an antivirus-exclusions
/// policy under Defender for Endpoint security settings management, or Group Policy (`--format pol`).
package enum IntuneExporter {
    /// The CSP's list separator.
    package static let separator: Character = "|"
    /// OMA-URI prefix of the Defender area of the Policy CSP.
    package static let uriPrefix = "./Device/Vendor/MSFT/Policy/Config/Defender/"

    /// One CSP setting.
    package struct Setting: Equatable, Sendable {
        /// `ExcludedPaths`, `ExcludedExtensions`, `ExcludedProcesses`.
        package var name: String
        /// The items, in plan order.
        package var items: [String]
        /// The OMA-URI.
        package var uri: String { uriPrefix + name }
        /// The `|`-joined value.
        package var value: String { items.joined(separator: String(separator)) }
    }

    /// The settings (only non-empty lists) and the items left out, each with why.
    package static func settings(_ report: Report) -> (settings: [Setting], refused: [String]) {
        let plan = report.exclusions
        var refused: [String] = []
        var paths: [String] = []
        for entry in plan.paths {
            let value = entry.environmentPath ?? entry.path
            if let hold = entry.hold {
                refused.append(
                    "\(value): held (Defender detected \(hold.threat ?? "malware") in a file it covers); add it once the threat is handled"
                )
            } else {
                paths.append(value)
            }
        }
        let lists = [
            ("ExcludedPaths", paths),
            ("ExcludedExtensions", plan.extensions.map { DefenderPathPattern.normaliseExtension($0.extension) }),
            ("ExcludedProcesses", plan.processes.map(\.path)),
        ]
        var settings: [Setting] = []
        for (name, items) in lists {
            var kept: [String] = []
            for item in items {
                if item.isEmpty {
                    refused.append("\(name): an empty item cannot be written (it would read as two separators)")
                } else if item.contains(separator) {
                    refused.append("\(item): holds '|', the separator of \(name); it cannot be written")
                } else {
                    kept.append(item)
                }
            }
            if !kept.isEmpty { settings.append(Setting(name: name, items: kept)) }
        }
        return (settings, refused)
    }

    /// The profile as JSON (keys sorted, two-space indent), and the items left out.
    package static func render(_ report: Report) throws -> (json: String, refused: [String]) {
        let (settings, refused) = settings(report)
        let profile = Profile(
            odataType: "#microsoft.graph.windows10CustomConfiguration",
            displayName: "Hyper-V host exclusions (\(PlanIdentity.of(report.exclusions)))",
            description:
                "Microsoft Defender exclusions planned by \(report.tool.name) \(report.tool.version) for \(PowerShellExporter.hostDescription(report)). "
                + "Values are the Defender policy CSP's lists, items separated by '|' (no length limit is documented). "
                + "Custom profiles reach Intune-enrolled devices only; Windows Server gets these values through Defender for Endpoint security settings management or Group Policy.",
            omaSettings: settings.map {
                OMASetting(
                    odataType: "#microsoft.graph.omaSettingString", displayName: "Defender \($0.name)",
                    description: "\($0.items.count) item(s), '|'-separated", omaUri: $0.uri, value: $0.value)
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(profile)
        return (String(decoding: data, as: UTF8.self) + "\n", refused)
    }

    /// `windows10CustomConfiguration`, the body Graph takes to create a custom profile.
    package struct Profile: Encodable {
        package var odataType: String
        package var displayName: String
        package var description: String
        package var omaSettings: [OMASetting]
        package enum CodingKeys: String, CodingKey {
            case odataType = "@odata.type", displayName, description, omaSettings
        }
    }

    /// `omaSettingString`.
    package struct OMASetting: Encodable {
        package var odataType: String
        package var displayName: String
        package var description: String
        package var omaUri: String
        package var value: String
        package enum CodingKeys: String, CodingKey {
            case odataType = "@odata.type", displayName, description, omaUri, value
        }
    }
}
