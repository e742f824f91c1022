// swift-tools-version:6.2
// promptline's microbenchmarks (ordo-one/benchmark), a package of their own so that the root
// package's build and tests never build them: `make bench` runs them with
// `swift package --package-path Benchmarks benchmark`.
import PackageDescription

let package = Package(
    name: "PromptlineBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "promptline", path: ".."),
        // MallocInterposer (a default trait) gives the malloc counts. The other default trait,
        // RuntimeInterposer, serves the retain/release counts, which these benchmarks do not take;
        // on Linux with Swift 6.3 it needs ordo-one/swift-runtime-interposer, which the package
        // mirror does not carry: naming the traits leaves it out (the plugin then notes that it
        // skips its LD_PRELOAD).
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .executableTarget(
            name: "PromptlineBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Promptline", package: "promptline"),
                .product(name: "PromptlineJSON", package: "promptline"),
            ],
            path: "Benchmarks/PromptlineBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
