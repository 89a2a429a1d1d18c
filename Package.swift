// swift-tools-version:6.0
import PackageDescription

// No package dependencies: the tool links as one fully static executable (README.md, "From a rescue system").
let package = Package(
    name: "hvexclude",
    products: [
        .executable(name: "hvexclude", targets: ["hvexclude"]),
        .library(name: "HVExclude", targets: ["HVExclude"]),
    ],
    targets: [
        // getdents64 and lgetxattr, which Swift's Glibc module does not export.
        .systemLibrary(name: "CSystemShims", path: "Sources/CSystemShims"),
        .target(name: "HVExclude", dependencies: ["CSystemShims"]),
        .executableTarget(name: "hvexclude", dependencies: ["HVExclude"]),
        .testTarget(name: "HVExcludeTests", dependencies: ["HVExclude"], exclude: ["Corpus"]),
        .testTarget(name: "HVExcludeCLITests", dependencies: ["hvexclude", "HVExclude"], exclude: ["Golden"]),
    ],
    swiftLanguageModes: [.v6]
)
