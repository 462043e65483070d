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
        .library(name: "ShipcheckStore", targets: ["ShipcheckStore"]),
        .library(name: "ShipcheckApp", targets: ["ShipcheckApp"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/mattpolzin/OpenAPIKit", from: "6.4.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .target(
            name: "ShipcheckCore",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
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
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "ShipcheckImport",
            dependencies: ["ShipcheckCore"],
            swiftSettings: strict
        ),
        .target(
            name: "ShipcheckStore",
            dependencies: [
                "ShipcheckCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "ShipcheckApp",
            dependencies: [
                "ShipcheckCore", "ShipcheckChecks", "ShipcheckImport", "ShipcheckStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "shipcheck",
            dependencies: [
                "ShipcheckCore",
                "ShipcheckChecks",
                "ShipcheckImport",
                "ShipcheckStore",
                "ShipcheckApp",
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
            dependencies: [
                "ShipcheckChecks", "ShipcheckCore", "ShipcheckTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Yams", package: "Yams"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ShipcheckImportTests",
            dependencies: ["ShipcheckImport", "ShipcheckChecks", "ShipcheckCore", "ShipcheckTestSupport"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "shipcheck-store-load",
            dependencies: ["ShipcheckStore", "ShipcheckCore"],
            path: "Tests/StoreLoad",
            swiftSettings: strict
        ),
        .testTarget(
            name: "ShipcheckStoreTests",
            dependencies: [
                "ShipcheckStore", "ShipcheckCore", "ShipcheckApp", "ShipcheckTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ShipcheckCLITests",
            dependencies: ["shipcheck", "ShipcheckTestSupport"],
            swiftSettings: strict
        ),
    ]
)
