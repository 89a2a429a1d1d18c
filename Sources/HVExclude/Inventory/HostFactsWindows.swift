extension HostFacts {
    /// The Windows release, from SOFTWARE `Microsoft\Windows NT\CurrentVersion`.
    package struct Windows: Codable, Sendable, Equatable {
        /// `ProductName` ("Windows Server 2019 Datacenter").
        package var productName: Fact<String>?
        /// `CurrentBuild` as stored ("17763").
        package var currentBuild: Fact<String>?
        /// `InstallationType` ("Server", "Server Core", "Client").
        package var installationType: Fact<String>?
        /// `EditionID` ("ServerDatacenter").
        var editionID: Fact<String>?
        /// `CurrentBuild` as a number (falls back to `CurrentBuildNumber`).
        package var build: Int?
        /// Whether this is a server: from `InstallationType`, else from `ProductName`.
        package var isServer: Bool?
        /// The Hyper-V generation whose rules apply (server release, or the server release a client build matches).
        package var generation: WindowsGeneration?
        /// Whether `build` is exactly a listed server build (false for clients and in-between builds).
        package var exactBuild: Bool
        /// The release as the policy names it: "Windows Server 2019", or for a client "Windows 10", "Windows 11".
        package var release: String? = nil

        /// "Windows 11" for a client build, "Windows Server 2022" for a server one (the nearest release at or
        /// below the build); nil below Windows Server 2008 / Windows 7.
        package static func releaseName(build: Int, isServer: Bool?) -> String? {
            if isServer == false {
                switch build {
                case 22000...: return "Windows 11"
                case 10240...: return "Windows 10"
                case 9600...: return "Windows 8.1"
                case 9200...: return "Windows 8"
                case 7600...: return "Windows 7"
                default: return nil
                }
            }
            return WindowsGeneration.forBuild(build).map { "Windows Server \($0.generation.rawValue)" }
        }
        /// When the release was not read from SOFTWARE: why not, and what it was inferred from (the kernel's file
        /// version, the newest VM configuration version, a VHDX creator string). Nil when SOFTWARE said it.
        package var evidence: String? = nil
    }

    /// Windows Server generations, as the exclusion rules distinguish them.
    package enum WindowsGeneration: String, Codable, Sendable, CaseIterable, Comparable {
        case v2008 = "2008"
        case v2008R2 = "2008 R2"
        case v2012 = "2012"
        case v2012R2 = "2012 R2"
        case v2016 = "2016"
        case v2019 = "2019"
        case v2022 = "2022"
        case v2025 = "2025"

        /// The release build of each server generation.
        static let serverBuilds: [(builds: [Int], generation: WindowsGeneration)] = [
            ([6001, 6002], .v2008), ([7600, 7601], .v2008R2), ([9200], .v2012), ([9600], .v2012R2),
            ([14393], .v2016), ([17763], .v2019), ([20348], .v2022), ([26100], .v2025),
        ]

        /// The generation for a build: exact for the listed server builds, else the era the build falls in.
        ///
        /// Client builds (and server builds between releases, e.g. semi-annual 16299/18362) take the most
        /// recent server generation at or below them, because Hyper-V's file formats follow the shared code
        /// base: Windows 7 (7601) → 2008 R2, 8 (9200) → 2012, 8.1 (9600) → 2012 R2, 10 1507–1803
        /// (10240–17134) → 2016 (VMCX already), 10 1809–22H2 (17763–19045) → 2019, 11 21H2–23H2
        /// (22000–22631) → 2022, 11 24H2 (26100) and later → 2025. Builds below 6001 have no generation.
        static func forBuild(_ build: Int) -> (generation: WindowsGeneration, exact: Bool)? {
            if let hit = serverBuilds.first(where: { $0.builds.contains(build) }) { return (hit.generation, true) }
            let below = serverBuilds.filter { $0.builds[0] <= build }.last
            // 10240–14392 (Windows 10 before the 2016 release build) already write VMCX: 2016 rules.
            if build >= 10240 && build < 14393 { return (.v2016, false) }
            return below.map { ($0.generation, false) }
        }

        package static func < (lhs: WindowsGeneration, rhs: WindowsGeneration) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }
}
