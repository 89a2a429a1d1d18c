/// The user's choices that change the plan.
public struct PlannerOptions: Sendable, Equatable {
    /// `--include-unregistered`: also exclude unregistered VMs and unreferenced disks.
    var includeUnregistered = false
    /// `--broad-extensions`: also list `.xml .bin .iso` (with a warning).
    var broadExtensions = false
    /// `--env-paths`: add `%ProgramData%\…`-style forms.
    var environmentPaths = false

    /// Creates options.
    public init(includeUnregistered: Bool = false, broadExtensions: Bool = false, environmentPaths: Bool = false) {
        self.includeUnregistered = includeUnregistered
        self.broadExtensions = broadExtensions
        self.environmentPaths = environmentPaths
    }
}
