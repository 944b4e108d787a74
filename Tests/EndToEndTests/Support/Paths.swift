import Foundation

/// Where things are, found from this file's path (so a plain clone works; no Bundle.module here).
enum Paths {
    /// `<package root>`: this file is `<root>/Tests/EndToEndTests/Support/Paths.swift`.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Support
        .deletingLastPathComponent()  // EndToEndTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    static let fixtures: URL = packageRoot.appendingPathComponent("Tests/EndToEndTests/Fixtures")

    /// The binary under test: `AUDITSIEVE_BINARY` (set by `make test` to the release build), else
    /// `<package root>/.build/debug/auditsieve`. Never skips: a missing binary is a failure.
    static func auditsieve() throws -> URL {
        let environment = ProcessInfo.processInfo.environment["AUDITSIEVE_BINARY"] ?? ""
        if !environment.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: environment) else {
                throw TestFailure(
                    "AUDITSIEVE_BINARY=\(environment) is not an executable file; build it with "
                        + "`make release` (or unset AUDITSIEVE_BINARY to use .build/debug/auditsieve)"
                )
            }
            return URL(fileURLWithPath: environment)
        }
        let fallback = packageRoot.appendingPathComponent(".build/debug/auditsieve")
        guard FileManager.default.isExecutableFile(atPath: fallback.path) else {
            throw TestFailure(
                "the auditsieve binary was not found: AUDITSIEVE_BINARY is not set and \(fallback.path) "
                    + "does not exist. Run `swift build --product auditsieve` or `make test`."
            )
        }
        return fallback
    }

    /// A tool the tests drive (rsyslogd, logger), from the usual Debian places.
    static func tool(_ name: String, package: String) throws -> URL {
        for directory in ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"] {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return URL(fileURLWithPath: candidate) }
        }
        throw TestFailure("\(name) not found: install the Debian package '\(package)' (`make test-deps` does)")
    }
}

/// A failed precondition, with a message that says what to do.
struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A directory under the system temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let url: URL

    init(_ label: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "auditsieve-e2e-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Polls `probe` every 20 ms until it returns a value; throws after `timeout`, saying what was
/// awaited and what `diagnostics` reports then. Deadlines are generous: they bound a hang, they
/// are not what is being tested.
func eventually<T>(
    _ what: @autoclosure () -> String, timeout: Duration = .seconds(20),
    diagnostics: () -> String = { "" }, _ probe: () throws -> T?
) async throws -> T {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while true {
        if let value = try probe() { return value }
        if clock.now >= deadline {
            let detail = diagnostics()
            throw TestFailure(
                "timed out after \(timeout) waiting for \(what())" + (detail.isEmpty ? "" : "\n\(detail)"))
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}
