import SieveConfig
import SievePipeline
import SieveSinkConfig
import SieveSinks
import SieveSpool
import Testing

@Suite("spool and syslog sink config")
struct SpoolConfigTests {
    static let listeners = """
        listeners:
          - {protocol: tcp, address: 127.0.0.1:0}

        """

    static func errors(_ yaml: String) -> [String] {
        let errors = #expect(throws: ConfigErrors.self) {
            try AuditSieveConfig.parse(yaml: Self.listeners + yaml, file: "s.yml")
        }
        return errors?.errors.map(\.description) ?? []
    }

    @Test("the example of issue #4 parses to exactly the values it gives")
    func issueExample() throws {
        let config = try AuditSieveConfig.parse(
            yaml: Self.listeners + """
                spool:
                  directory: /var/lib/auditsieve/spool
                  fsync: interval            # always | interval | never
                  fsync_interval_ms: 500
                clusters:
                  - name: billing
                    match: {hostnames: ["db-billing-*"]}
                    spool: {max_bytes: 10GiB, when_full: block, durability: memory}
                    sinks: [siem, archive]
                default_cluster:
                  spool: {max_bytes: 1GiB}
                  sinks: [archive]
                sinks:
                  siem:
                    type: syslog
                    address: siem.internal:6514
                    framing: octet-counted     # octet-counted | lf
                    header: rfc5424            # rfc5424 | rfc3164
                    encoding: json             # json | raw
                    reconnect_max_ms: 2000
                    tls: {ca: /etc/auditsieve/ca.pem, cert: /etc/auditsieve/client.pem, key: /etc/auditsieve/client.key}
                  archive: {type: file, path: /var/log/auditsieve/audit.jsonl}
                """, file: "issue.yml")
        var spool = SpoolSettings(
            directory: "/var/lib/auditsieve/spool", fsync: .interval, fsyncIntervalMilliseconds: 500)
        spool.line = 4
        #expect(config.spool == spool)
        var billing = ClusterSpoolConfig()
        billing.maxBytes = 10 << 30
        #expect(config.clusters.map(\.spool) == [billing])
        #expect(config.clusters.map(\.sinks) == [["siem", "archive"]])
        var fallback = ClusterSpoolConfig()
        fallback.maxBytes = 1 << 30
        #expect(config.defaultCluster.spool == fallback)
        var siemSettings = SyslogSinkConfiguration(name: "siem", host: "siem.internal", port: 6514)
        siemSettings.tls = SyslogSinkConfiguration.TLS(
            caPath: "/etc/auditsieve/ca.pem", certPath: "/etc/auditsieve/client.pem",
            keyPath: "/etc/auditsieve/client.key")
        let siem = SinkConfig.syslog(siemSettings, SinkOptions(line: 17))
        let archive = SinkConfig.file(
            FileSinkConfiguration(name: "archive", target: .file(path: "/var/log/auditsieve/audit.jsonl")),
            SinkOptions(line: 24))
        #expect(config.sinks == [siem, archive])
    }

    @Test("every other value of every new key is read")
    func everyKey() throws {
        let config = try AuditSieveConfig.parse(
            yaml: Self.listeners + """
                spool: {directory: spool, fsync: never, fsync_interval_ms: 60000}
                default_cluster:
                  spool: {max_bytes: 64KiB, when_full: drop_newest, durability: disk, memory_bytes: 1MiB, segment_bytes: 4KiB}
                  sinks: [siem]
                sinks:
                  siem:
                    type: syslog
                    address: "[fd00::1]:514"
                    framing: lf
                    header: rfc3164
                    encoding: raw
                    reconnect_max_ms: 100
                    write_timeout_ms: 600000
                    hostname: auditsieve-01
                    tls: {server_name: siem.example}
                """, file: "every.yml")
        #expect(
            config.spool.directory == "spool" && config.spool.fsync == .never
                && config.spool.fsyncIntervalMilliseconds == 60_000)
        let spool = config.defaultCluster.spool
        #expect(spool.maxBytes == 64 << 10 && spool.whenFull == .dropNewest && spool.durability == .disk)
        #expect(spool.memoryBytes == 1 << 20 && spool.segmentBytes == 4 << 10)
        let siem = try #require(config.sinks.first?.syslog)
        #expect(siem.host == "fd00::1" && siem.port == 514)
        #expect(siem.framing == .lf && siem.header == .rfc3164 && siem.encoding == .raw)
        #expect(siem.reconnectMaxMilliseconds == 100 && siem.writeTimeoutMilliseconds == 600_000)
        #expect(siem.hostname == "auditsieve-01")
        #expect(siem.tls == SyslogSinkConfiguration.TLS(serverName: "siem.example"))
    }

    @Test("without the new keys: memory-only queues of 1GiB that block, and a plain octet-counted RFC 5424 syslog sink")
    func defaults() throws {
        let config = try AuditSieveConfig.parse(
            yaml: Self.listeners + """
                clusters:
                  - name: billing
                    match: {hostnames: ["db-billing-*"]}
                    spool: {}
                    sinks: [siem]
                default_cluster:
                  sinks: [siem]
                sinks:
                  siem: {type: syslog, address: siem.internal:6514}
                """, file: "d.yml")
        #expect(config.spool == SpoolSettings())
        #expect(
            config.spool.directory == nil && config.spool.fsync == .interval
                && config.spool.fsyncIntervalMilliseconds == 500)
        let spool = ClusterSpoolConfig()
        #expect(spool.maxBytes == 1 << 30 && spool.whenFull == .block && spool.durability == .memory)
        #expect(spool.memoryBytes == 64 << 20 && spool.segmentBytes == nil)
        #expect(config.clusters[0].spool == spool && config.defaultCluster.spool == spool)
        let siem = try #require(config.sinks.first?.syslog)
        #expect(siem.framing == .octetCounted && siem.header == .rfc5424 && siem.encoding == .json)
        #expect(siem.reconnectMaxMilliseconds == 2000 && siem.writeTimeoutMilliseconds == 10_000)
        #expect(siem.hostname == nil && siem.tls == nil && config.sinks[0].path == nil)
    }

    @Test(
        "spool sizes take units",
        arguments: [
            ("65536", 65_536), ("64KiB", 65_536), ("10GiB", 10 << 30), ("5GB", 5_000_000_000), ("2TiB", 2 << 40),
        ])
    func sizes(text: String, bytes: Int) throws {
        // memory_bytes is capped at 64GiB (HOSTILE D16), so it takes the size only up to there.
        let memory = bytes <= 64 << 30 ? text : "64GiB"
        let config = try AuditSieveConfig.parse(
            yaml: Self.listeners
                + "default_cluster: {spool: {max_bytes: \(text), memory_bytes: \(memory)}, sinks: [o]}\nsinks: {o: {type: stdout}}\n",
            file: "u.yml")
        #expect(
            config.defaultCluster.spool.maxBytes == bytes
                && config.defaultCluster.spool.memoryBytes == min(bytes, 64 << 30))
    }

    @Test("bad spool values are errors with their line and the fix")
    func spoolErrors() {
        let lines = Self.errors(
            """
            spool:
              directory: ""
              fsync: sometimes
              fsync_interval_ms: 0
              fsync_every: 5
            clusters:
              - name: billing
                match: {hostnames: [x]}
                spool:
                  max_bytes: 1000
                  when_full: drop_oldest
                  durability: ssd
                  memory_bytes: 1KiB
                  segment_bytes: 1KiB
                  size: 1GiB
                sinks: [o]
            default_cluster:
              spool: {max_bytes: 10 GiBs}
              sinks: [o]
            sinks: {o: {type: stdout}}
            """)
        #expect(
            lines.contains {
                $0.hasPrefix("s.yml:4: spool: directory must not be empty, e.g. /var/lib/auditsieve/spool")
            })
        #expect(lines.contains("s.yml:5: spool: fsync must be one of always | interval | never; got 'sometimes'"))
        #expect(lines.contains("s.yml:6: spool: fsync_interval_ms must be between 1 and 60000; got 0"))
        #expect(
            lines.contains {
                $0.hasPrefix(
                    "s.yml:7: spool: unknown key 'fsync_every'; expected one of: directory, fsync, fsync_interval_ms")
            })
        #expect(lines.contains("s.yml:12: cluster 'billing': spool: max_bytes must be at least 64KiB; got 1000 bytes"))
        #expect(
            lines.contains(
                "s.yml:13: cluster 'billing': spool: when_full must be one of block | drop_newest; got 'drop_oldest'"))
        #expect(
            lines.contains("s.yml:14: cluster 'billing': spool: durability must be one of memory | disk; got 'ssd'"))
        #expect(lines.contains("s.yml:15: cluster 'billing': spool: memory_bytes must be at least 64KiB; got 1KiB"))
        #expect(lines.contains("s.yml:16: cluster 'billing': spool: segment_bytes must be at least 4KiB; got 1KiB"))
        #expect(lines.contains { $0.hasPrefix("s.yml:17: cluster 'billing': spool: unknown key 'size'") })
        #expect(lines.contains { $0.hasPrefix("s.yml:20: default_cluster: spool: max_bytes must be a size") })
        #expect(lines.count == 11)
    }

    @Test("durability: disk without spool.directory names the line and says what to add")
    func diskNeedsDirectory() {
        let lines = Self.errors(
            """
            spool: {fsync: always}
            default_cluster:
              spool:
                durability: disk
              sinks: [o]
            sinks: {o: {type: stdout}}
            """)
        #expect(
            lines == [
                "s.yml:6: default_cluster: spool: durability: disk needs spool.directory; add spool: {directory: /var/lib/auditsieve/spool} at the top level"
            ])
    }

    @Test(
        "a relp sink: address, header, window, timeouts and hostname read; syslog-only keys and a bad window are errors"
    )
    func relpSink() throws {
        let config = try AuditSieveConfig.parse(
            yaml: Self.listeners + """
                default_cluster:
                  sinks: [r]
                sinks:
                  r: {type: relp, address: "collector.internal:2514", header: rfc3164, window: 64, write_timeout_ms: 500, hostname: aud-1}
                """, file: "s.yml")
        guard case .relp(let sink, _) = config.sinks.first(where: { $0.name == "r" }) else {
            Issue.record("expected a relp sink")
            return
        }
        #expect(sink.host == "collector.internal" && sink.port == 2514 && sink.header == .rfc3164)
        #expect(sink.window == 64 && sink.writeTimeoutMilliseconds == 500 && sink.hostname == "aud-1")
        #expect(sink.reconnectMaxMilliseconds == 2000 && sink.encoding == .json)
        let lines = Self.errors(
            """
            default_cluster:
              sinks: [r]
            sinks:
              r: {type: relp, window: 0, framing: lf, tls: {}}
            """)
        #expect(lines.contains("s.yml:6: sink 'r': a relp sink needs 'address', e.g. siem.internal:6514"), "\(lines)")
        #expect(lines.contains { $0.hasPrefix("s.yml:6: sink 'r': window must be between 1 and 100000") }, "\(lines)")
        #expect(
            lines.contains(
                "s.yml:6: sink 'r': a relp sink takes no 'framing' (only syslog sinks do); remove it or change the type"
            ),
            "\(lines)")
    }

    @Test("a kafka sink: brokers, topic with {cluster}, key, acks, compression, timeout, settings; mistakes named")
    func kafkaSink() throws {
        let config = try AuditSieveConfig.parse(
            yaml: Self.listeners + """
                default_cluster:
                  sinks: [k]
                sinks:
                  k:
                    type: kafka
                    brokers: ["kafka-1.internal:9092", "kafka-2.internal:9092"]
                    topic: "audit.{cluster}"
                    key: none
                    acks: "1"
                    compression: lz4
                    delivery_timeout_ms: 5000
                    settings: {security.protocol: ssl, ssl.ca.location: /etc/ssl/kafka-ca.pem}
                """, file: "s.yml")
        guard case .kafka(let sink, _) = config.sinks.first(where: { $0.name == "k" }) else {
            Issue.record("expected a kafka sink")
            return
        }
        #expect(sink.brokers == ["kafka-1.internal:9092", "kafka-2.internal:9092"] && sink.topic == "audit.{cluster}")
        #expect(sink.key == .none && sink.acks == "1" && sink.compression == "lz4")
        #expect(sink.deliveryTimeoutMilliseconds == 5000)
        #expect(sink.settings == ["security.protocol": "ssl", "ssl.ca.location": "/etc/ssl/kafka-ca.pem"])
        let defaults = try AuditSieveConfig.parse(
            yaml: Self.listeners + """
                default_cluster:
                  sinks: [k]
                sinks:
                  k: {type: kafka, brokers: ["k:9092"], topic: audit}
                """, file: "s.yml")
        guard case .kafka(let plain, _) = defaults.sinks.first(where: { $0.name == "k" }) else {
            Issue.record("expected a kafka sink")
            return
        }
        #expect(plain.key == .sourceHost && plain.acks == "all" && plain.compression == "zstd")
        let lines = Self.errors(
            """
            default_cluster:
              sinks: [k]
            sinks:
              k: {type: kafka, encoding: raw, brokers: ["nohost"], topic: "a/{cluster}", acks: "2", settings: {acks: "0"}}
            """)
        #expect(lines.contains { $0.contains("brokers: 'nohost' must be HOST:PORT") }, "\(lines)")
        #expect(lines.contains { $0.contains("topic 'a/{cluster}' must be 1 to 249") }, "\(lines)")
        #expect(lines.contains { $0.contains("topic with {cluster} needs encoding: json") }, "\(lines)")
        #expect(lines.contains { $0.contains("acks must be all, 1 or 0; got '2'") }, "\(lines)")
        #expect(lines.contains { $0.contains("settings: acks is set by the sink itself") }, "\(lines)")
        #expect(
            Self.errors("sinks: {k: {type: kafka}}\ndefault_cluster: {sinks: [k]}").contains {
                $0.contains("a kafka sink needs 'brokers'")
            })
    }

    @Test("syslog sink keys are checked; keys of another sink type name the type that takes them")
    func syslogErrors() {
        let lines = Self.errors(
            """
            default_cluster:
              sinks: [a, b, c, d, e]
            sinks:
              a:
                type: syslog
                path: /tmp/out
                flush_interval_ms: 50
                framing: auto
                reconnect_max_ms: 50
                write_timeout_ms: 1h
                hostname: "my host"
              b: {type: syslog, address: "siem.internal:0"}
              c:
                type: syslog
                address: siem.internal
                tls:
                  key: /etc/auditsieve/client.key
                  ca: ""
              d:
                type: file
                path: /tmp/out
                address: siem.internal:6514
                header: rfc5424
              e: {type: stdout, tls: {}}
            """)
        #expect(lines.contains("s.yml:7: sink 'a': a syslog sink needs 'address', e.g. siem.internal:6514"))
        #expect(
            lines.contains(
                "s.yml:8: sink 'a': a syslog sink takes no 'path' (only file sinks do); remove it or change the type"))
        #expect(
            lines.contains(
                "s.yml:9: sink 'a': a syslog sink takes no 'flush_interval_ms' (only file and stdout sinks do); remove it or change the type"
            ))
        #expect(lines.contains("s.yml:10: sink 'a': framing must be one of octet-counted | lf; got 'auto'"))
        #expect(lines.contains("s.yml:11: sink 'a': reconnect_max_ms must be between 100 and 600000; got 50"))
        #expect(lines.contains("s.yml:12: sink 'a': write_timeout_ms must be a whole number, e.g. 200"))
        #expect(
            lines.contains {
                $0.hasPrefix("s.yml:13: sink 'a': hostname must be 1 to 255 printable ASCII characters without spaces")
            })
        #expect(
            lines.contains {
                $0.hasPrefix(
                    "s.yml:14: sink 'b': address 'siem.internal:0' must be HOST:PORT with a port from 1 to 65535")
            })
        #expect(lines.contains { $0.hasPrefix("s.yml:17: sink 'c': address 'siem.internal' must be HOST:PORT") })
        #expect(
            lines.contains(
                "s.yml:19: sink 'c': tls: 'key' needs 'cert' too: give both to authenticate with a client certificate, or neither"
            ))
        #expect(lines.contains("s.yml:20: sink 'c': tls: ca must not be empty; leave the key out instead"))
        #expect(
            lines.contains(
                "s.yml:24: sink 'd': a file sink takes no 'address' (only syslog and relp sinks do); remove it or change the type"
            ))
        #expect(
            lines.contains(
                "s.yml:25: sink 'd': a file sink takes no 'header' (only syslog and relp sinks do); remove it or change the type"
            ))
        #expect(
            lines.contains(
                "s.yml:26: sink 'e': a stdout sink takes no 'tls' (only syslog sinks do); remove it or change the type")
        )
        #expect(lines.count == 14)
    }

    @Test("cluster and sink names also name spool directories: only letters, digits, '_', '.', '-'")
    func directoryNames() {
        let lines = Self.errors(
            """
            clusters:
              - name: db/billing
                match: {hostnames: [x]}
                sinks: [ok.sink-1_a]
              - name: ".."
                match: {hostnames: [y]}
                sinks: [ok.sink-1_a]
            default_cluster:
              sinks: [ok.sink-1_a]
            sinks:
              ok.sink-1_a: {type: stdout}
              "my sink": {type: stdout}
              .: {type: stdout}
            """)
        #expect(
            lines == [
                "s.yml:4: cluster name 'db/billing' also names a spool directory: use only letters, digits, '_', '.' and '-', and not '.' or '..'; rename it, e.g. 'db_billing'",
                "s.yml:7: cluster name '..' also names a spool directory: use only letters, digits, '_', '.' and '-', and not '.' or '..'; rename it",
                "s.yml:14: sink name 'my sink' also names a spool directory: use only letters, digits, '_', '.' and '-', and not '.' or '..'; rename it, e.g. 'my_sink'",
                "s.yml:15: sink name '.' also names a spool directory: use only letters, digits, '_', '.' and '-', and not '.' or '..'; rename it",
            ])
    }
}
