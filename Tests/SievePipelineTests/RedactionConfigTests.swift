import Foundation
import Logging
import MetricsTestKit
import NIOPosix
import SieveConfig
@testable import SieveDelivery
import SieveRedact
import Testing

@testable import SievePipeline

/// `redact:` on sinks and `http: tail_redact`: read, shared between equal lists, and refused with
/// the line and the fix where it cannot apply.
@Suite("redaction config")
struct RedactionConfigTests {
    static let listeners = """
        listeners:
          - {protocol: tcp, address: 127.0.0.1:0}

        """

    static func errors(_ yaml: String) -> [String] {
        let errors = #expect(throws: ConfigErrors.self) {
            try AuditSieveConfig.parse(yaml: Self.listeners + yaml, file: "r.yml")
        }
        return errors?.errors.map(\.description) ?? []
    }

    @Test("redact on any JSON sink and tail_redact on http are read, in their order; none by default")
    func keys() throws {
        let config = try AuditSieveConfig.parse(
            yaml: Self.listeners + #"""
                default_cluster: {sinks: [siem, archive, out]}
                sinks:
                  siem:
                    type: syslog
                    address: siem.internal:6514
                    redact: [passwords, literals, "re:\\b\\d{16}\\b"]
                  archive: {type: file, path: /var/log/auditsieve/audit.jsonl, redact: [passwords]}
                  out: {type: stdout}
                http:
                  tail_redact: [literals]
                """#, file: "r.yml")
        let sinks = Dictionary(uniqueKeysWithValues: config.sinks.map { ($0.name, $0) })
        #expect(sinks["siem"]?.redaction?.entries == ["passwords", "literals", #"re:\b\d{16}\b"#])
        #expect(sinks["archive"]?.redaction?.entries == ["passwords"])
        #expect(sinks["out"]?.redaction == nil, "a sink without redact carries the events as received")
        #expect(config.http.tailRedaction?.entries == ["literals"])
        #expect(
            try AuditSieveConfig.parse(
                yaml: Self.listeners + "default_cluster: {sinks: [o]}\nsinks: {o: {type: stdout, redact: []}}",
                file: "r.yml"
            )
            .sinks[0].redaction == nil, "[] is no redaction")
        #expect(AuditSieveConfig.embeddedDefault().sinks.allSatisfy { $0.redaction == nil })
        #expect(AuditSieveConfig.embeddedDefault().http.tailRedaction == nil)
    }

    @Test("the example config's commented redact lines are valid when uncommented")
    func exampleConfig() throws {
        let example = try String(
            contentsOf: ShippedFilesTests.root.appendingPathComponent("config/auditsieve.example.yml"), encoding: .utf8)
        func list(after key: String) throws -> String {
            let line = try #require(example.split(separator: "\n").first { $0.contains(" \(key): [") })
            let value = line[line.range(of: "\(key): ")!.upperBound...]
            return String(value[...value.firstIndex(of: "]")!])
        }
        let config = try AuditSieveConfig.parse(
            yaml: Self.listeners
                + "default_cluster: {sinks: [o]}\nsinks: {o: {type: stdout, redact: \(try list(after: "redact"))}}\n"
                + "http: {tail_redact: \(try list(after: "tail_redact"))}",
            file: "r.yml")
        #expect(config.sinks[0].redaction?.entries == ["passwords", "literals", #"re:\b\d{13,19}\b"#])
        #expect(config.http.tailRedaction?.entries == ["passwords"])
    }

    @Test("the routing table encodes once per distinct list: equal lists share a variant, /tail too")
    func variants() throws {
        let config = try AuditSieveConfig.parse(
            yaml: Self.listeners + """
                default_cluster: {sinks: [a, b, c, d]}
                sinks:
                  a: {type: file, path: /tmp/a, redact: [passwords]}
                  b: {type: file, path: /tmp/b, redact: [passwords]}
                  c: {type: file, path: /tmp/c}
                  d: {type: file, path: /tmp/d, redact: [passwords, literals]}
                http: {tail_redact: [passwords]}
                """, file: "r.yml")
        let table = try RoutingTable(config: config, metricsFactory: TestMetrics())
        #expect(table.redactions.map(\.entries) == [["passwords"], ["passwords", "literals"]])
        #expect(table.tailRedaction == 1)
    }

    @Test("a raw sink with redact is an error naming the line and the fix")
    func rawWithRedact() {
        let lines = Self.errors(
            """
            default_cluster: {sinks: [evidence]}
            sinks:
              evidence:
                type: file
                path: /var/log/auditsieve/raw.log
                encoding: raw
                redact: [passwords]
            """)
        #expect(
            lines == [
                "r.yml:9: sink 'evidence': redact cannot apply to encoding: raw, which writes each message byte for byte as evidence; remove redact, or set encoding: json (keep an unredacted raw sink apart if the evidence is needed)"
            ])
    }

    @Test(
        "bad entries name their own line",
        arguments: [
            ("[password]", "r.yml:5: sink 'o': redact: 'password': unknown; use passwords, literals or \"re:PATTERN\""),
            ("[passwords, passwords]", "r.yml:5: sink 'o': redact: 'passwords' is listed twice"),
            (
                "['re:(open']",
                "r.yml:5: sink 'o': redact: 're:(open': not a PCRE2 pattern: missing closing parenthesis at offset 5"
            ),
            ("['re:']", "r.yml:5: sink 'o': redact: 're:': the pattern after re: is empty"),
            ("passwords", "r.yml:5: sink 'o': redact must be a list"),
        ])
    func badEntries(list: String, message: String) {
        #expect(Self.errors("default_cluster: {sinks: [o]}\nsinks:\n  o: {type: stdout, redact: \(list)}") == [message])
    }

    @Test("tail_redact takes the same entries; a bad one names http")
    func tailRedact() {
        #expect(
            Self.errors(
                "default_cluster: {sinks: [o]}\nsinks: {o: {type: stdout}}\nhttp:\n  tail_redact:\n    - literals\n    - secrets"
            ) == [
                "r.yml:8: http: tail_redact: 'secrets': unknown; use passwords, literals or \"re:PATTERN\""
            ])
    }

    @Test("a reload that only changes a sink's redact keeps that sink open")
    func sinkStaysOpen() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("redact-\(UUID().uuidString).jsonl")
            .path
        defer { try? FileManager.default.removeItem(atPath: path) }
        func config(_ redact: String) throws -> AuditSieveConfig {
            try AuditSieveConfig.parse(
                yaml: Self.listeners
                    + "default_cluster: {sinks: [o]}\nsinks: {o: {type: file, path: \(path), redact: \(redact)}}",
                file: "r.yml")
        }
        let registry = SinkRegistry(
            logger: Logger(label: "t"), metricsFactory: TestMetrics(), group: MultiThreadedEventLoopGroup.singleton)
        let first = try registry.prepare(config("[passwords]"))
        let second = try registry.prepare(config("[literals]"))
        #expect(second.retired.isEmpty)
        #expect(try #require(first.sinks["o"]) === (try #require(second.sinks["o"])))
        for sink in second.sinks.values { sink.close() }
    }

    @Test("a reload that only changes tail_redact is no http change (it applies at once)")
    func tailRedactReloads() throws {
        var changed = HTTPConfig()
        changed.tailRedaction = try Redaction(entries: ["passwords"])
        #expect(changed.hasSameSettings(as: HTTPConfig()))
        changed.maxConnections = 5
        #expect(!changed.hasSameSettings(as: HTTPConfig()))
    }
}
