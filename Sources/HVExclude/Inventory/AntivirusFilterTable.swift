// Reference: Microsoft Learn (MicrosoftDocs/windows-driver-docs) ifs/allocated-altitudes.md ("Allocated filter
// altitudes", 10/2025) and ifs/load-order-groups-and-altitudes-for-minifilter-drivers.md (FSFilter Anti-Virus =
// 320000–329999). The table below is the subset listed in docs/antivirus-altitudes.md.
import HVXFormats

/// Well-known file-system minifilters of antivirus and endpoint-protection products, by service name and altitude.
package enum AntivirusFilterTable {
    /// One allocated altitude.
    package struct Entry: Sendable, Equatable {
        /// The driver / service name Microsoft lists (case-insensitive match); nil where only the altitude is known here.
        package var filter: String?
        /// The allocated altitude as Microsoft writes it ("329355.5").
        var altitude: String
        /// The vendor.
        var vendor: String
        /// The product, as a person would name it.
        package var product: String

        /// The memberwise initialiser, `package` for the layers above (Swift synthesises it internal).
        package init(filter: String?, altitude: String, vendor: String, product: String) {
            self.filter = filter
            self.altitude = altitude
            self.vendor = vendor
            self.product = product
        }
    }

    /// The FSFilter Anti-Virus load order group's altitude range.
    static let antivirusRange = 320000.0..<330000.0

    package static let entries: [Entry] = [
        Entry(filter: "WdFilter", altitude: "328010", vendor: "Microsoft", product: "Microsoft Defender Antivirus"),
        Entry(
            filter: "MpFilter", altitude: "328000", vendor: "Microsoft",
            product: "Microsoft Defender Antivirus (older platform)"),
        Entry(filter: "SentinelMonitor", altitude: "329355.5", vendor: "SentinelOne", product: "SentinelOne"),
        Entry(filter: "SRTSP", altitude: "329000", vendor: "Symantec", product: "Symantec Endpoint Protection"),
        Entry(filter: "eeCtrl", altitude: "329010", vendor: "Symantec", product: "Symantec Endpoint Protection"),
        Entry(filter: "mbam", altitude: "328800", vendor: "Malwarebytes", product: "Malwarebytes"),
        Entry(filter: "eamonm", altitude: "328700", vendor: "ESET", product: "ESET"),
        Entry(filter: "klam", altitude: "328650", vendor: "Kaspersky", product: "Kaspersky"),
        Entry(filter: "klif", altitude: "320400", vendor: "Kaspersky", product: "Kaspersky"),
        Entry(filter: "TmKmSnsr", altitude: "328550", vendor: "Trend Micro", product: "Trend Micro"),
        Entry(filter: "tmpreflt", altitude: "328500", vendor: "Trend Micro", product: "Trend Micro"),
        Entry(filter: "vsepflt", altitude: "328200", vendor: "VMware", product: "VMware vShield Endpoint"),
        Entry(filter: "SophosED", altitude: "324050", vendor: "Sophos", product: "Sophos Endpoint Defense"),
        Entry(filter: "savonaccess", altitude: "324000", vendor: "Sophos", product: "Sophos Anti-Virus"),
        Entry(filter: "fortishield", altitude: "324900", vendor: "Fortinet", product: "FortiClient"),
        Entry(filter: "csagent", altitude: "321410", vendor: "CrowdStrike", product: "CrowdStrike Falcon"),
        Entry(
            filter: "mfehidk", altitude: "321300", vendor: "McAfee / Trellix",
            product: "McAfee / Trellix Endpoint Security"),
        Entry(
            filter: "mfencoas", altitude: "321310", vendor: "McAfee / Trellix",
            product: "McAfee / Trellix Endpoint Security"),
        Entry(filter: "CyvrFsfd", altitude: "321234", vendor: "Palo Alto Networks", product: "Cortex XDR"),
        Entry(filter: "TRUFOS", altitude: "320770", vendor: "Bitdefender", product: "Bitdefender"),
        Entry(filter: "gzflt", altitude: "320820", vendor: "Bitdefender", product: "Bitdefender GravityZone"),
        Entry(filter: "aswMonFlt", altitude: "320700", vendor: "Avast", product: "Avast"),
        Entry(filter: "avgntflt", altitude: "320500", vendor: "Avira", product: "Avira"),
        Entry(filter: "WRCore", altitude: "320110", vendor: "Webroot", product: "Webroot"),
        Entry(filter: "ImmunetProtect", altitude: "320614", vendor: "Cisco", product: "Cisco Secure Endpoint (AMP)"),
        // Outside the anti-virus group: endpoint detection products that still open every file (matched by altitude).
        Entry(filter: nil, altitude: "386720", vendor: "VMware", product: "Carbon Black"),
        Entry(filter: nil, altitude: "388510", vendor: "Cylance", product: "Cylance"),
        Entry(filter: nil, altitude: "260350.5", vendor: "Elastic", product: "Elastic Endpoint"),
    ]

    /// The table entry for a filter service, by name (and, when the name is unknown, by exact altitude).
    package static func entry(service: String, altitude: String) -> Entry? {
        if let byName = entries.first(where: { $0.filter.map { RegistryName.equal($0, service) } ?? false }) {
            return byName
        }
        return entries.first { $0.altitude == altitude }
    }
}
