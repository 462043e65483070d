// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "shipcheck",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "shipcheck", targets: ["shipcheck"]),
        .library(name: "ShipcheckCore", targets: ["ShipcheckCore"]),
        .library(name: "ShipcheckChecks", targets: ["ShipcheckChecks"]),
        .library(name: "ShipcheckImport", targets: ["ShipcheckImport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/mattpolzin/OpenAPIKit", from: "6.4.0"),
    ],
    targets: [
        .target(
            name: "ShipcheckCore",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .target(name: "CShipcheckSpawn"),
        .target(
            name: "ShipcheckChecks",
            dependencies: [
                "ShipcheckCore", "CShipcheckSpawn",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "OpenAPIKit", package: "OpenAPIKit"),
                .product(name: "OpenAPIKit30", package: "OpenAPIKit"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "ShipcheckImport",
            dependencies: ["ShipcheckCore"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "shipcheck",
            dependencies: [
                "ShipcheckCore",
                "ShipcheckChecks",
                "ShipcheckImport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "ShipcheckTestSupport",
            path: "Tests/ShipcheckTestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "ShipcheckCoreTests",
            dependencies: ["ShipcheckCore", "ShipcheckTestSupport"],
            exclude: ["Golden"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ShipcheckChecksTests",
            dependencies: ["ShipcheckChecks", "ShipcheckCore", "ShipcheckTestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ShipcheckImportTests",
            dependencies: ["ShipcheckImport", "ShipcheckChecks", "ShipcheckCore", "ShipcheckTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ShipcheckCLITests",
            dependencies: ["shipcheck", "ShipcheckTestSupport"],
            swiftSettings: strict
        ),
    ]
)
