import Foundation
import SieveConfig
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

    // rsyslog/*.conf, runbooks/alerts.yml and packaging/: ShippedFilesTests+Operations.swift.
}
