// swift-tools-version:6.1
// libFuzzer targets for auditsieve's parsers: a package of its own, so that the main build never sees
// the sanitizer flags. Built and run by `make fuzz` / `make fuzz-ci` (Fuzz/run), which pass
// `-sanitize=fuzzer,address` to every Swift module and build into .build-fuzz/.
import PackageDescription

let package = Package(
    name: "auditsieve-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "auditsieve", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        // Checks shared by the targets: a failed one is a crash libFuzzer records.
        .systemLibrary(name: "CLibFuzzer"),
        .target(
            name: "FuzzSupport",
            dependencies: [
                "CLibFuzzer",
                .product(name: "SieveAudit", package: "auditsieve"),
                .product(name: "SieveEvent", package: "auditsieve"),
                .product(name: "SieveSQL", package: "auditsieve"),
            ]
        ),
        .executableTarget(
            name: "FuzzSyslogFrames",
            dependencies: [
                "FuzzSupport", .product(name: "SieveSyslog", package: "auditsieve"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "FuzzAuditRecords",
            dependencies: [
                "FuzzSupport", .product(name: "SieveAudit", package: "auditsieve"),
                .product(name: "SieveEvent", package: "auditsieve"), .product(name: "SieveSQL", package: "auditsieve"),
                .product(name: "SieveSyslog", package: "auditsieve"), .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "FuzzCaptureFiles",
            dependencies: [
                "FuzzSupport", .product(name: "SieveAudit", package: "auditsieve"),
                .product(name: "SieveEvent", package: "auditsieve"), .product(name: "SieveSQL", package: "auditsieve"),
            ]
        ),
        .executableTarget(
            name: "FuzzSQLTables",
            dependencies: ["FuzzSupport", .product(name: "SieveSQL", package: "auditsieve")]
        ),
        .executableTarget(
            name: "FuzzConfig",
            dependencies: ["FuzzSupport", .product(name: "SieveConfig", package: "auditsieve")]
        ),
        .executableTarget(
            name: "FuzzHTTPRouter",
            dependencies: [
                "FuzzSupport", .product(name: "SieveHTTPRouting", package: "auditsieve"),
                .product(name: "SieveSQL", package: "auditsieve"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
    ]
)
