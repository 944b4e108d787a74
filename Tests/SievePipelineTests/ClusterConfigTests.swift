import SieveConfig
import SievePipeline
import SieveRules
import Testing

@Suite("cluster config")
struct ClusterConfigTests {
    static let base = """
        listeners:
          - {protocol: tcp, address: 127.0.0.1:0}
        sinks:
          archive: {type: stdout}
        """

    @Test("every cluster key is read; absent keys take the documented defaults")
    func fullCluster() throws {
        let config = try AuditSieveConfig.parse(
            yaml: Self.base + """

                clusters:
                  - name: billing
                    match:
                      hostnames: ["db-billing-*"]
                      senders: ["10.1.0.0/16", "fd00::/8"]
                      app_names: ["percona-audit"]
                    keep_tables: ["billing.*", "users.accounts", "re:^pay_[a-z]+\\\\.ledger_\\\\d+$"]
                    drop_tables: ["billing.heartbeat"]
                    case_sensitive: false
                    keep_connections: failed
                    keep_other: false
                    keep_unparsed: true
                    keep_unrecognized: false
                    always_keep_commands: [grant, revoke]
                    sql_mode: ANSI
                    server_version: 50744
                    table_records: separate
                    sinks: [archive]
                default_cluster:
                  sinks: [archive]
                """, file: "c.yml")
        let billing = try #require(config.clusters.first)
        #expect(
            billing.match
                == ClusterConfig.Match(
                    hostnames: ["db-billing-*"], senders: ["10.1.0.0/16", "fd00::/8"], appNames: ["percona-audit"]))
        #expect(billing.keepTables.count == 3 && billing.dropTables == ["billing.heartbeat"])
        #expect(
            !billing.caseSensitive && billing.keepConnections == .failed && !billing.keepOther
                && !billing.keepUnrecognized)
        #expect(billing.alwaysKeepCommands == ["grant", "revoke"])
        #expect(billing.sqlOptions.ansiQuotes && billing.sqlOptions.serverVersion == 50744)
        let fallback = config.defaultCluster
        #expect(fallback.keepTables.isEmpty && fallback.caseSensitive && fallback.keepConnections == .all)
        #expect(fallback.keepOther && fallback.keepUnparsed && fallback.keepUnrecognized)
        #expect(fallback.alwaysKeepCommands == ClusterPolicy.defaultAlwaysKeepCommands)
        #expect(billing.tableRecords == .separate && fallback.tableRecords == .merge)
        _ = try billing.policy()
    }

    @Test(
        "table_records: unset is merge, or separate with a raw sink; merge given with a raw sink is an error naming the line and the fix"
    )
    func tableRecords() throws {
        let sinks = """
            listeners:
              - {protocol: tcp, address: 127.0.0.1:0}
            sinks:
              archive: {type: stdout}
              evidence: {type: file, path: /tmp/auditsieve-evidence.log, encoding: raw}
            """
        let config = try AuditSieveConfig.parse(
            yaml: sinks + """

                clusters:
                  - name: shop
                    match: {hostnames: ["db-*"]}
                    sinks: [archive, evidence]
                default_cluster:
                  sinks: [archive]
                """, file: "t.yml")
        #expect(config.clusters.first?.tableRecords == .separate && config.defaultCluster.tableRecords == .merge)
        let errors = #expect(throws: ConfigErrors.self) {
            try AuditSieveConfig.parse(
                yaml: sinks + """

                    clusters:
                      - name: shop
                        match: {hostnames: ["db-*"]}
                        table_records: merge
                        sinks: [archive, evidence]
                    default_cluster:
                      table_records: sideways
                      sinks: [archive]
                    """, file: "t.yml")
        }
        let lines = errors?.errors.map(\.description) ?? []
        #expect(
            lines.contains {
                $0.hasPrefix("t.yml:9: cluster 'shop': table_records: merge cannot go to sink 'evidence'")
                    && $0.contains("set table_records: separate")
            }, "\(lines)")
        #expect(
            lines.contains { $0.hasPrefix("t.yml:12: default_cluster: table_records must be one of merge | separate") },
            "\(lines)")
    }

    @Test("bad patterns, CIDRs, names and sinks are errors with lines")
    func errors() throws {
        let yaml =
            Self.base + """

                clusters:
                  - name: billing
                    match: {senders: ["10.1.0.0/33"]}
                    keep_tables: ["billing", "re:(oops"]
                    keep_connections: sometimes
                    keep_other: maybe
                    sinks: [nowhere]
                  - name: default
                    match: {hostnames: [x]}
                    sinks: [archive]
                  - name: nomatch
                    sinks: [archive]
                default_cluster:
                  sinks: [archive]
                  name: x
                """
        let errors = #expect(throws: ConfigErrors.self) { try AuditSieveConfig.parse(yaml: yaml, file: "e.yml") }
        let lines = errors?.errors.map(\.description) ?? []
        #expect(
            lines.contains {
                $0.hasPrefix("e.yml:7: cluster 'billing': match.senders: '10.1.0.0/33' is not an address or CIDR block")
            })
        #expect(lines.contains { $0.hasPrefix("e.yml:8: cluster 'billing': keep_tables: table pattern 'billing'") })
        #expect(lines.contains { $0.hasPrefix("e.yml:8: cluster 'billing': keep_tables: table pattern 're:(oops'") })
        #expect(
            lines.contains {
                $0.hasPrefix("e.yml:9: cluster 'billing': keep_connections must be one of all | failed | none")
            })
        #expect(lines.contains("e.yml:10: cluster 'billing': keep_other must be true or false"))
        #expect(lines.contains { $0.hasPrefix("e.yml:11: cluster 'billing': sinks: no sink named 'nowhere'") })
        #expect(lines.contains { $0.hasPrefix("e.yml:12: cluster name 'default' is reserved") })
        #expect(lines.contains { $0.hasPrefix("e.yml:15: cluster 'nomatch': missing 'match'") })
        #expect(lines.contains { $0.hasPrefix("e.yml:19: default_cluster: unknown key 'name'") })
    }
}
