// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "promptline",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "promptline", targets: ["promptline"]),
        .executable(name: "promptline-sim", targets: ["promptline-sim"]),
        .library(name: "Promptline", targets: ["Promptline"]),
        // For the Benchmarks/ package, which measures the parser (its own package sees public API only).
        .library(name: "PromptlineJSON", targets: ["PromptlineJSON"]),
        .library(name: "PromptlineSim", targets: ["PromptlineSim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(
            name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        // The JSON value, parser and RFC 8785 writer that the client and the simulator share. It
        // imports no Foundation; its rounding calls libm's trunc, which only Foundation links otherwise.
        .target(name: "PromptlineJSON", linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]),
        .target(
            name: "Promptline",
            dependencies: [
                "CSQLite", "CZlib", "PromptlineJSON",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "PromptlineSim",
            dependencies: [
                "PromptlineJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "promptline",
            dependencies: [
                "Promptline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "promptline-sim",
            dependencies: [
                "PromptlineSim",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The input fuzz target: `make fuzz` builds it with -sanitize=fuzzer; built normally it replays files.
        .executableTarget(name: "promptline-fuzz", dependencies: ["Promptline"]),
        .testTarget(
            name: "PromptlineTests",
            dependencies: [
                "Promptline", "PromptlineJSON", "CZlib",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "PromptlineJSONTests", dependencies: ["PromptlineJSON"], exclude: ["JCSVectors"]),
        .testTarget(name: "PromptlineSimTests", dependencies: ["PromptlineSim", "PromptlineJSON"]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "Promptline", "PromptlineSim",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
    ]
)
