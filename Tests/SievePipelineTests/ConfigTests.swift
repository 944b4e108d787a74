import SieveConfig
import SievePipeline
import SieveSinkConfig
import SieveSinks
import SieveSyslog
import Testing

@Suite("config")
struct ConfigTests {
    @Test("the embedded default listens on TCP and UDP 127.0.0.1:5514 and writes JSON to stdout")
    func embeddedDefault() throws {
        let config = AuditSieveConfig.embeddedDefault()
        #expect(config.listeners.map(\.name) == ["tcp://127.0.0.1:5514", "udp://127.0.0.1:5514"])
        #expect(config.listeners[0].framer == SyslogFramerConfiguration())
        #expect(config.defaultCluster.sinks == ["stdout"])
        #expect(
            config.sinks == [
                .file(FileSinkConfiguration(name: "stdout", target: .standardOutput), SinkOptions(line: 14))
            ])
    }

    @Test("every listener and sink key is read, sizes and durations in their units")
    func fullConfig() throws {
        let config = try AuditSieveConfig.parse(
            yaml: """
                listeners:
                  - protocol: tcp
                    address: "[::1]:6514"
                    framing: octet-counted
                    max_message_bytes: 1MiB
                    oversize: drop
                    max_frame_bytes: 2GiB
                    max_connections: 10
                    idle_timeout: 90s
                  - {protocol: udp, address: 0.0.0.0:514}
                default_cluster:
                  sinks: [archive]
                sinks:
                  archive:
                    type: file
                    path: /var/log/auditsieve/audit.jsonl
                    encoding: raw
                    flush_interval_ms: 50
                """, file: "a.yml")
        let tcp = config.listeners[0]
        #expect(tcp.name == "tcp://[::1]:6514")
        #expect(
            tcp.framer
                == SyslogFramerConfiguration(
                    framing: .octetCounted, maxMessageBytes: 1 << 20, oversize: .drop, maxFrameBytes: 2 << 30))
        #expect(tcp.maxConnections == 10)
        #expect(tcp.idleTimeoutMilliseconds == 90_000)
        #expect(config.listeners[1].name == "udp://0.0.0.0:514")
        #expect(config.sinks[0].path == "/var/log/auditsieve/audit.jsonl")
        #expect(config.sinks[0].encoding == .raw)
        #expect(config.sinks[0].file?.flushIntervalMilliseconds == 50)
    }

    @Test("errors name file, line and the fix; all of them are reported at once")
    func errorsWithLines() throws {
        let yaml = """
            listeners:
              - protocol: tcp
                address: 127.0.0.1
                max_message_bytes: lots
              - protocol: udp
                address: 127.0.0.1:514
                framing: lf
            default_cluster:
              sinks: [archive, missing]
            sinks:
              archive:
                type: file
                pth: /tmp/x
            colour: blue
            """
        let errors = #expect(throws: ConfigErrors.self) { try AuditSieveConfig.parse(yaml: yaml, file: "bad.yml") }
        let lines = errors?.errors.map(\.description) ?? []
        #expect(lines.contains { $0.hasPrefix("bad.yml:3: address '127.0.0.1' must be HOST:PORT") })
        #expect(lines.contains("bad.yml:7: framing applies to tcp and relp listeners only; remove it here"))
        #expect(lines.contains { $0.hasPrefix("bad.yml:9: default_cluster: sinks: no sink named 'missing'") })
        #expect(lines.contains { $0.hasPrefix("bad.yml:13: sink 'archive': unknown key 'pth'") })
        #expect(lines.contains { $0.hasPrefix("bad.yml:14: the config: unknown key 'colour'") })
        #expect(lines.contains { $0.hasPrefix("bad.yml:12: sink 'archive': a file sink needs 'path'") })
    }

    @Test("a wrong type and a YAML syntax error give a line")
    func typeAndSyntax() throws {
        let typeErrors = #expect(throws: ConfigErrors.self) {
            try AuditSieveConfig.parse(
                yaml:
                    "listeners:\n  - protocol: tcp\n    address: 127.0.0.1:1\n    max_connections: many\ndefault_cluster: {sinks: [o]}\nsinks: {o: {type: stdout}}\n",
                file: "t.yml")
        }
        #expect(typeErrors?.errors.map(\.description) == ["t.yml:4: max_connections must be a whole number, e.g. 200"])
        let syntax = #expect(throws: ConfigErrors.self) {
            try AuditSieveConfig.parse(yaml: "listeners:\n  - protocol: tcp\n   address: [\n", file: "s.yml")
        }
        #expect(syntax?.errors.first?.description.hasPrefix("s.yml:") == true)
        #expect(syntax?.errors.first?.description.contains("YAML syntax") == true)
    }

    @Test(
        "sizes and durations",
        arguments: [
            ("256KiB", 262_144), ("1MiB", 1_048_576), ("512", 512), ("10GiB", 10_737_418_240), ("1KB", 1000),
            ("2 MiB", 2_097_152),
        ])
    func sizes(text: String, bytes: Int) {
        #expect(ConfigValue.size(text) == bytes)
    }

    @Test("malformed sizes and durations are rejected")
    func malformed() {
        #expect(ConfigValue.size("1.5MiB") == nil)
        #expect(ConfigValue.size("MiB") == nil)
        #expect(ConfigValue.size("5 parsecs") == nil)
        #expect(ConfigValue.durationMilliseconds("500ms") == 500)
        #expect(ConfigValue.durationMilliseconds("10m") == 600_000)
        #expect(ConfigValue.durationMilliseconds("4h") == 14_400_000)
        #expect(ConfigValue.durationMilliseconds("4") == nil)
        #expect(ConfigValue.durationMilliseconds("soon") == nil)
    }
}
