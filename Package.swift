// swift-tools-version:6.0
import PackageDescription

// No package dependencies: the tool links as one fully static executable (README.md, "From a rescue system").
//
// The library is one target per layer, each in its folder of Sources/HVExclude; a target's dependencies are the
// layers it uses, so the compiler refuses an upward import (docs/architecture.md draws this graph). Targets see
// each other through `package` access; `public` is the library's API. CI builds with
// `--explicit-target-dependency-import-check error`, which also refuses an import of a target that is built but
// not declared here.

/// A layer: the target `HVX<folder>` from `Sources/HVExclude/<folder>`, depending on the layers named.
func layer(_ folder: String, _ dependencies: [String], shims: Bool = false) -> Target {
    .target(
        name: "HVX" + folder,
        dependencies: dependencies.map { .target(name: "HVX" + $0) } + (shims ? ["CSystemShims"] : []),
        path: "Sources/HVExclude/" + folder)
}

/// Every layer: the tests reach each with `@testable import`.
let allLayers: [Target.Dependency] = [
    "Binary", "Walk", "Volume", "Formats", "Inventory", "Exclusions", "Diagnosis", "Scan", "DiskImage", "Report",
    "Session",
].map { .target(name: "HVX" + $0) }

let package = Package(
    name: "hvexclude",
    products: [
        .executable(name: "hvexclude", targets: ["hvexclude"]),
        // The library API (docs/architecture.md, "Public API"): one entry per command, typed outcomes.
        .library(name: "HVExclude", targets: ["HVXSession"]),
    ],
    targets: [
        // getdents64 and lgetxattr, which Swift's Glibc module does not export.
        .systemLibrary(name: "CSystemShims", path: "Sources/CSystemShims"),
        layer("Binary", [], shims: true),
        layer("Walk", ["Binary"], shims: true),
        layer("Volume", ["Walk", "Binary"], shims: true),
        layer("Formats", ["Volume", "Walk", "Binary"]),
        layer("Inventory", ["Formats", "Volume", "Walk", "Binary"]),
        layer("Exclusions", ["Inventory", "Formats", "Volume", "Binary"]),
        layer("Diagnosis", ["Formats", "Volume", "Binary"]),
        layer("Scan", ["Exclusions", "Diagnosis", "Inventory", "Formats", "Volume", "Walk", "Binary"]),
        layer("DiskImage", ["Inventory", "Formats", "Volume", "Binary"]),
        layer("Report", ["Scan", "DiskImage", "Exclusions", "Diagnosis", "Inventory", "Formats", "Volume", "Binary"]),
        // The facade: one entry per command (ScanSession, HiveInspection, ConfigInspection, EventLogReading,
        // FleetSession), typed outcomes and failures; the executable only translates.
        layer(
            "Session",
            ["Report", "Scan", "DiskImage", "Exclusions", "Inventory", "Formats", "Volume", "Walk", "Binary"]),
        .executableTarget(
            name: "hvexclude",
            dependencies: [
                "HVXSession", "HVXReport", "HVXScan", "HVXFormats", "HVXVolume", "HVXWalk",
                "HVXBinary",
            ]),
        // What both test targets share: the runtime requirements of a test (tools, root, ../shared) and cleanup at exit.
        .target(name: "HVExcludeTestSupport", path: "Tests/HVExcludeTestSupport"),
        .testTarget(name: "HVExcludeTests", dependencies: ["HVExcludeTestSupport"] + allLayers, exclude: ["Corpus"]),
        .testTarget(
            name: "HVExcludeCLITests", dependencies: ["hvexclude", "HVExcludeTestSupport"] + allLayers,
            exclude: ["Golden"]),
    ],
    swiftLanguageModes: [.v6]
)
