import Foundation
import Logging
import MetricsTestKit
import SieveConfig
import SieveSinkConfig
import SieveSinks
import SieveSpool
import Testing

@testable import SievePipeline

/// docs/HOSTILE.md D16 and D17: values that cannot be meant, paths that cannot be used, and
/// files an attacker with write access to a directory could redirect.
@Suite("config and path hardening", .serialized)
struct ConfigHardeningTests {
    static let base = """
        listeners:
          - {protocol: tcp, address: 127.0.0.1:0}
        default_cluster: {sinks: [out]}

        """

    static func errors(_ yaml: String) -> [String] {
        let errors = #expect(throws: ConfigErrors.self) { try AuditSieveConfig.parse(yaml: yaml, file: "h.yml") }
        return errors?.errors.map(\.description) ?? []
    }

    @Test("two file sinks on one file are refused with the line of the second")
    func sharedFile() {
        let shared = Self.errors(
            Self.base
                + "sinks:\n  out: {type: file, path: /var/log/a.jsonl}\n  copy: {type: file, path: /var/log/./a.jsonl}\n"
        )
        #expect(
            shared.count == 1
                && shared[0].hasPrefix("h.yml:6: sink 'copy': path /var/log/a.jsonl is already the file of sink 'out'"),
            "\(shared)")
        #expect(throws: Never.self) {
            try AuditSieveConfig.parse(
                yaml: Self.base
                    + "sinks:\n  out: {type: file, path: /var/log/a.jsonl}\n  b: {type: file, path: /var/log/b.jsonl}\n",
                file: "h.yml")
        }
    }

    @Test(
        "a NUL in a path, a 1000 TiB memory bound, a 292-million-year timeout and a million connections are refused with file:line"
    )
    func absurdValues() {
        let nul = Self.errors(Self.base + "sinks: {out: {type: file, path: \"/tmp/a\\0/etc/x\"}}\n")
        #expect(nul.count == 1 && nul[0].hasPrefix("h.yml:4: sink 'out': path holds a NUL byte"), "\(nul)")
        let spoolNUL = Self.errors(Self.base + "sinks: {out: {type: stdout}}\nspool: {directory: \"/var/x\\0y\"}\n")
        #expect(spoolNUL.first?.hasPrefix("h.yml:5: spool: directory holds a NUL byte") == true, "\(spoolNUL)")
        let memory = Self.errors(
            "listeners: [{protocol: tcp, address: 127.0.0.1:0}]\ndefault_cluster: {sinks: [out], spool: {memory_bytes: 1000TiB}}\nsinks: {out: {type: stdout}}\n"
        )
        #expect(
            memory.first?.hasPrefix("h.yml:2: default_cluster: spool: memory_bytes must be at most 64GiB") == true,
            "\(memory)")
        let timeout = Self.errors(
            "listeners: [{protocol: tcp, address: 127.0.0.1:0, idle_timeout: 106751991167d}]\ndefault_cluster: {sinks: [out]}\nsinks: {out: {type: stdout}}\n"
        )
        #expect(timeout.first?.hasPrefix("h.yml:1: idle_timeout must be at most 7d") == true, "\(timeout)")
        let connections = Self.errors(
            "listeners: [{protocol: tcp, address: 127.0.0.1:0, max_connections: 1000000}]\ndefault_cluster: {sinks: [out]}\nsinks: {out: {type: stdout}}\n"
        )
        #expect(
            connections.first?.hasPrefix("h.yml:1: max_connections must be between 1 and 100000") == true,
            "\(connections)")
    }

    @Test(
        "paths that cannot be used are problems naming the config line: a directory under a file, a file sink through a symlink"
    )
    func pathProblems() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("paths-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        FileManager.default.createFile(atPath: directory + "/afile", contents: Data("x".utf8))
        try FileManager.default.createSymbolicLink(
            atPath: directory + "/link.jsonl", withDestinationPath: directory + "/elsewhere.jsonl")
        let yaml = """
            listeners:
              - {protocol: tcp, address: 127.0.0.1:0}
            spool:
              directory: \(directory)/afile/spool
            default_cluster: {sinks: [good, linked]}
            sinks:
              good: {type: file, path: \(directory)/new/dir/events.jsonl}
              linked: {type: file, path: \(directory)/link.jsonl}
            """
        let config = try AuditSieveConfig.parse(yaml: yaml, file: "p.yml")
        let problems = config.pathProblems().map(\.description)
        #expect(problems.count == 2, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("p.yml:4: spool: directory: \(directory)/afile is not a directory") })
        #expect(
            problems.contains {
                $0.hasPrefix("p.yml:8: sink 'linked': path: \(directory)/link.jsonl is a symbolic link")
            })
    }

    @Test("a file sink refuses to open its path through a symbolic link")
    func sinkNoFollow() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nofollow-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createSymbolicLink(
            atPath: directory + "/events.jsonl", withDestinationPath: directory + "/target")
        #expect(throws: SinkError.self) {
            _ = try FileSink(
                configuration: FileSinkConfiguration(name: "f", target: .file(path: directory + "/events.jsonl")),
                logger: Logger(label: "t"), metricsFactory: TestMetrics())
        }
        #expect(!FileManager.default.fileExists(atPath: directory + "/target"), "nothing was created through the link")
    }

    @Test(
        "a spool directory others may write to is tightened to 0750 (logged); a shared sticky one like /tmp is refused")
    func spoolDirectoryModes() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("modes-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/open", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        chmod(root + "/open", 0o777)
        #expect(try SpoolDirectoryPermissions.secure(root + "/open") == .tightened(from: 0o777, to: 0o750))
        var info = stat()
        stat(root + "/open", &info)
        #expect(info.st_mode & 0o7777 == 0o750)
        #expect(try SpoolDirectoryPermissions.secure(root + "/open") == .fine)
        try FileManager.default.createDirectory(atPath: root + "/shared", withIntermediateDirectories: true)
        chmod(root + "/shared", 0o1777)
        #expect(throws: SpoolError.self) { try SpoolDirectoryPermissions.secure(root + "/shared") }
    }

    @Test("a server whose spool directory is world-writable tightens it at start")
    func serverTightensSpool() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("spoolmode-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/spool", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        chmod(root + "/spool", 0o777)
        let config = try AuditSieveConfig.parse(
            yaml: """
                listeners: [{protocol: tcp, address: 127.0.0.1:0}]
                spool: {directory: \(root)/spool}
                default_cluster: {sinks: [out]}
                sinks: {out: {type: file, path: \(root)/out.jsonl}}
                """, file: "s.yml")
        var logger = Logger(label: "t")
        logger.logLevel = .critical
        let server = try AuditSieveServer(config: config, logger: logger, metricsFactory: TestMetrics())
        var info = stat()
        stat(root + "/spool", &info)
        #expect(info.st_mode & 0o7777 == 0o750)
        _ = server
    }
}
