import Foundation
import SievePipeline
import Testing

@Suite("files shipped in the repository")
struct ShippedFilesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test("config/auditsieve.example.yml passes check-config and says what the docs say")
    func exampleConfig() throws {
        let path = Self.root.appendingPathComponent("config/auditsieve.example.yml").path
        let config = try AuditSieveConfig.load(file: path)
        #expect(config.listeners.map(\.name) == ["tcp://0.0.0.0:5514", "tcp://[::]:5514", "udp://0.0.0.0:5514"])
        #expect(config.defaultCluster.sinks == ["archive", "evidence"])
        #expect(config.clusters.map(\.name) == ["billing"])
        _ = try config.clusters[0].policy()
        #expect(config.clusters[0].spool.maxBytes == 10 << 30 && config.defaultCluster.spool.maxBytes == 1 << 30)
        #expect(config.sinks.map(\.encoding) == [.json, .raw])
    }

    @Test("rsyslog/forward-to-auditsieve.conf is valid for Debian's rsyslogd (rsyslogd -N1)")
    func rsyslogConfig() throws {
        let rsyslogd = "/usr/sbin/rsyslogd"
        try #require(FileManager.default.isExecutableFile(atPath: rsyslogd), "install rsyslog: make test does it")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rsyslog-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let conf = directory.appendingPathComponent("check.conf")
        let shipped = try String(contentsOf: Self.root.appendingPathComponent("rsyslog/forward-to-auditsieve.conf"), encoding: .utf8)
        try ("global(workDirectory=\"\(directory.path)\")\n" + shipped).write(to: conf, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: rsyslogd)
        process.arguments = ["-N1", "-f", conf.path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = errors
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(!output.contains("error"), "\(output)")
    }
}
