import HVXVolume

/// The user's choices that change the plan.
package struct PlannerOptions: Sendable, Equatable {
    /// `--include-unregistered`: also exclude unregistered VMs and unreferenced disks.
    package var includeUnregistered = false
    /// `--extensions`: list Hyper-V's file types for the detected version as extension exclusions.
    var extensions = false
    /// `--broad-extensions`: also list `.xml .bin .iso` (with a warning).
    var broadExtensions = false
    /// `--plan-deferred`: plan the default folders Hyper-V has not created yet.
    var planDeferred = false
    /// `--env-paths`: add `%ProgramData%\…`-style forms.
    var environmentPaths = false
    /// `--replica-storage`: Hyper-V Replica storage locations the user names.
    var replicaStorage: [WindowsPath] = []

    /// Creates options.
    package init(
        includeUnregistered: Bool = false, extensions: Bool = false, broadExtensions: Bool = false,
        planDeferred: Bool = false,
        environmentPaths: Bool = false, replicaStorage: [WindowsPath] = []
    ) {
        self.includeUnregistered = includeUnregistered
        self.extensions = extensions
        self.broadExtensions = broadExtensions
        self.planDeferred = planDeferred
        self.environmentPaths = environmentPaths
        self.replicaStorage = replicaStorage
    }
}
