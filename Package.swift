// swift-tools-version:6.1
// auditsieve: a syslog receiver that understands MySQL audit records.
// Imports point one way (docs/ARCHITECTURE.md draws it):
//   parsers   SieveSyslog, SieveAudit, SieveSQL → SieveEvent, SieveRules → SieveRedact
//   I/O       SieveSpool, SieveSinks (→ SieveEvent)
//   config    SieveConfig (Yams; reads the file into the types of the layers below)
//   delivery  SieveDelivery (queues, delivery workers, sink registry) → SieveConfig, SieveSinks, SieveSpool
//   pipeline  SievePipeline (listeners, ingest, HTTP, service lifecycle) → SieveDelivery
//   ops       SieveOps (capacity planning for `auditsieve plan`), auditsieve (the CLI) → SievePipeline
import PackageDescription
import class Foundation.ProcessInfo

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "auditsieve",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "auditsieve", targets: ["auditsieve"]),
        // For the fuzz targets in Fuzz/ (a package of their own, built apart: `make fuzz`).
        .library(name: "SieveSyslog", targets: ["SieveSyslog"]),
        .library(name: "SieveAudit", targets: ["SieveAudit"]),
        .library(name: "SieveSQL", targets: ["SieveSQL"]),
        .library(name: "SieveEvent", targets: ["SieveEvent"]),
        .library(name: "SieveConfig", targets: ["SieveConfig"]),
        .library(name: "SieveHTTPRouting", targets: ["SieveHTTPRouting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"]), .brew(["zstd"])]),
        .systemLibrary(name: "CPCRE2", pkgConfig: "libpcre2-8", providers: [.apt(["libpcre2-dev"]), .brew(["pcre2"])]),
        .systemLibrary(name: "CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"]), .brew(["librdkafka"])]),

        // Pure parsers: bytes in, values or typed errors out. No I/O, no logging.
        .target(
            name: "SieveSyslog",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .target(name: "SieveAudit", swiftSettings: swiftSettings),
        .target(name: "SieveSQL", swiftSettings: swiftSettings),
        .target(name: "SieveRules", dependencies: ["SieveSQL", "CPCRE2"], swiftSettings: swiftSettings),
        .target(
            name: "SieveEvent",
            dependencies: ["SieveAudit", "SieveSyslog", "SieveSQL", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SieveRedact", dependencies: ["SieveEvent", "SieveRules", "SieveSQL"], swiftSettings: swiftSettings),

        // I/O layers.
        .target(name: "SieveSpool", dependencies: ["CZstd"], swiftSettings: swiftSettings),
        // The sinks' settings: plain values (no NIO), so config reading does not need the sinks.
        .target(name: "SieveSinkConfig", dependencies: ["SieveEvent"], swiftSettings: swiftSettings),
        .target(
            name: "SieveSinks",
            dependencies: [
                "SieveEvent", "SieveSinkConfig", "SieveSyslog", "CRdKafka",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // What an HTTP request gets (router, `/tail` filter): pure, no socket.
        .target(
            name: "SieveHTTPRouting",
            dependencies: [
                "SieveEvent", "SieveAudit", "SieveSQL", "SieveRules", .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SieveConfig",
            dependencies: [
                "SieveSyslog", "SieveEvent", "SieveSinkConfig", "SieveSpool", "SieveSQL", "SieveRules", "SieveRedact",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SieveDelivery",
            dependencies: [
                "SieveConfig", "SieveSinkConfig", "SieveSinks", "SieveSpool",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SievePipeline",
            dependencies: [
                "SieveSyslog", "SieveAudit", "SieveEvent", "SieveSinks", "SieveSpool", "SieveSQL", "SieveRules",
                "SieveRedact",
                "SieveConfig", "SieveDelivery", "SieveHTTPRouting", "SieveSinkConfig", "CZstd", "CPCRE2", "CRdKafka",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "SieveOps", swiftSettings: swiftSettings),
        .executableTarget(
            name: "auditsieve",
            dependencies: [
                "SievePipeline", "SieveConfig", "SieveDelivery", "SieveOps", "SieveSpool", "SieveAudit", "SieveEvent",
                "SieveSQL", "SieveSyslog",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        // Helpers every test target shares.
        .target(
            name: "SieveTestSupport", dependencies: ["SieveSpool"], path: "Tests/SieveTestSupport",
            swiftSettings: swiftSettings),
        .testTarget(
            name: "SieveSyslogTests",
            dependencies: [
                "SieveSyslog", "SieveTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SieveAuditTests",
            dependencies: ["SieveAudit", "SieveTestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SieveEventTests",
            dependencies: [
                "SieveEvent", "SieveAudit", "SieveSyslog", "SieveSQL", "SieveTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SieveSQLTests", dependencies: ["SieveSQL", "SieveTestSupport"], resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SieveSinksTests",
            dependencies: [
                "SieveSinks", "SieveSinkConfig", "SieveEvent", "SieveSyslog", "SieveTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SieveSpoolTests", dependencies: ["SieveSpool", "SieveTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "SieveRulesTests", dependencies: ["SieveRules", "SieveSQL"], swiftSettings: swiftSettings),
        .testTarget(
            name: "SieveRedactTests",
            dependencies: [
                "SieveRedact", "SieveEvent", "SieveAudit", "SieveSQL", .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SievePipelineTests",
            dependencies: [
                "SievePipeline", "SieveConfig", "SieveDelivery", "SieveOps", "SieveHTTPRouting", "SieveSinkConfig",
                "SieveSinks", "SieveEvent", "SieveSyslog", "SieveSpool",
                "SieveRedact", "SieveRules", "SieveSQL", "SieveAudit", "SieveTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SieveDeliveryTests",
            dependencies: ["SieveDelivery", "SieveConfig", "SieveSinks", "SieveSpool", "SieveTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "SieveEvent", "SieveSpool", "SieveTestSupport", "CRdKafka",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
    ]
)

// The parser microbenchmarks build only on request: `ENABLE_BENCHMARKS=1 swift package benchmark`.
if ProcessInfo.processInfo.environment["ENABLE_BENCHMARKS"] != nil {
    package.dependencies.append(
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"])
    )
    package.targets.append(
        .executableTarget(
            name: "ParserBenchmarks",
            dependencies: [
                "SieveSyslog", "SieveAudit", "SieveEvent",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/ParserBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    )
}
