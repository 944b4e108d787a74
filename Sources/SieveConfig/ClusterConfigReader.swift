import SieveRules
import SieveSQL
import Yams

/// Reads `clusters:` entries and `default_cluster`; both take the same rule keys.
enum ClusterConfigReader {
    static let ruleKeys = [
        "keep_tables", "drop_tables", "ignore_server_tables", "case_sensitive", "keep_connections", "keep_other",
        "keep_unparsed",
        "keep_unrecognized", "always_keep_commands", "sql_mode", "server_version", "table_records", "sinks", "spool",
    ]

    /// `hasSpoolDirectory`: the top-level `spool.directory` is given (`durability: disk` needs it).
    static func readClusters(_ node: Node, reader: ConfigReader, sinkNames: [String], hasSpoolDirectory: Bool)
        -> [ClusterConfig]
    {
        guard let items = reader.sequence(node, "clusters") else { return [] }
        var clusters: [ClusterConfig] = []
        for item in items {
            guard let section = reader.section(item, "cluster", allowed: ["name", "match"] + ruleKeys) else { continue }
            guard let nameNode = section["name"], let name = reader.string(nameNode, "cluster name"), !name.isEmpty
            else {
                reader.fail(section.line, "cluster: missing 'name'")
                continue
            }
            reader.checkDirectoryName(name, "cluster name", line: reader.line(nameNode))
            if name == "default" || clusters.contains(where: { $0.name == name }) {
                reader.fail(
                    reader.line(nameNode),
                    "cluster name '\(name)' is \(name == "default" ? "reserved for default_cluster" : "given twice")")
            }
            guard let matchNode = section["match"] else {
                reader.fail(
                    section.line,
                    "cluster '\(name)': missing 'match' (hostnames, senders, app_names); records no cluster matches go to default_cluster"
                )
                continue
            }
            var cluster = ClusterConfig(
                name: name, match: readMatch(matchNode, cluster: name, reader: reader), sinks: [])
            cluster.line = section.line
            readRules(
                section, into: &cluster, what: "cluster '\(name)'", reader: reader, sinkNames: sinkNames,
                hasSpoolDirectory: hasSpoolDirectory
            )
            clusters.append(cluster)
        }
        return clusters
    }

    static func readDefault(_ node: Node, reader: ConfigReader, sinkNames: [String], hasSpoolDirectory: Bool)
        -> ClusterConfig?
    {
        guard let section = reader.section(node, "default_cluster", allowed: ruleKeys) else { return nil }
        var cluster = ClusterConfig(name: "default", sinks: [])
        cluster.line = section.line
        readRules(
            section, into: &cluster, what: "default_cluster", reader: reader, sinkNames: sinkNames,
            hasSpoolDirectory: hasSpoolDirectory
        )
        return cluster
    }

    private static func readMatch(_ node: Node, cluster: String, reader: ConfigReader) -> ClusterConfig.Match? {
        let what = "cluster '\(cluster)': match"
        guard let section = reader.section(node, what, allowed: ["hostnames", "senders", "app_names"]) else {
            return nil
        }
        var match = ClusterConfig.Match()
        if let n = section["hostnames"] { match.hostnames = reader.strings(n, "\(what).hostnames") ?? [] }
        if let n = section["app_names"] { match.appNames = reader.strings(n, "\(what).app_names") ?? [] }
        if let n = section["senders"] {
            match.senders = reader.strings(n, "\(what).senders") ?? []
            for sender in match.senders {
                do { _ = try CIDRBlock(sender) } catch { reader.fail(reader.line(n), "\(what).senders: \(error)") }
            }
        }
        if match.hostnames.isEmpty && match.senders.isEmpty && match.appNames.isEmpty {
            reader.fail(section.line, "\(what): give at least one of hostnames, senders, app_names")
        }
        return match
    }

    private static func readRules(
        _ section: ConfigReader.Section, into cluster: inout ClusterConfig, what: String, reader: ConfigReader,
        sinkNames: [String], hasSpoolDirectory: Bool
    ) {
        if let n = section["case_sensitive"], let v = reader.bool(n, "\(what): case_sensitive") {
            cluster.caseSensitive = v
        }
        if let n = section["keep_other"], let v = reader.bool(n, "\(what): keep_other") { cluster.keepOther = v }
        if let n = section["keep_unparsed"], let v = reader.bool(n, "\(what): keep_unparsed") {
            cluster.keepUnparsed = v
        }
        if let n = section["keep_unrecognized"], let v = reader.bool(n, "\(what): keep_unrecognized") {
            cluster.keepUnrecognized = v
        }
        if let n = section["keep_connections"],
            let v = reader.choice(n, "\(what): keep_connections", as: ClusterPolicy.ConnectionPolicy.self)
        {
            cluster.keepConnections = v
        }
        if let n = section["table_records"],
            let v = reader.choice(n, "\(what): table_records", as: TableRecordsMode.self)
        {
            cluster.tableRecords = v
            cluster.tableRecordsLine = reader.line(n)
        }
        if let n = section["sql_mode"], let v = reader.string(n, "\(what): sql_mode") {
            cluster.sqlOptions = SQLOptions(sqlMode: v, serverVersion: cluster.sqlOptions.serverVersion)
        }
        if let n = section["server_version"], let v = reader.int(n, "\(what): server_version", range: 10000...999_999) {
            cluster.sqlOptions.serverVersion = v
        }
        if let n = section["always_keep_commands"], let v = reader.strings(n, "\(what): always_keep_commands") {
            cluster.alwaysKeepCommands = v
        }
        for (key, path) in [
            ("keep_tables", \ClusterConfig.keepTables), ("drop_tables", \ClusterConfig.dropTables),
            ("ignore_server_tables", \ClusterConfig.ignoreServerTables),
        ] {
            guard let n = section[key], let patterns = reader.strings(n, "\(what): \(key)") else { continue }
            cluster[keyPath: path] = patterns
            for pattern in patterns {
                do { _ = try TablePattern(pattern, caseSensitive: cluster.caseSensitive) } catch {
                    reader.fail(reader.line(n), "\(what): \(key): \(error)")
                }
            }
        }
        if let n = section["spool"] {
            cluster.spool =
                SpoolConfigReader.readCluster(n, what: what, hasDirectory: hasSpoolDirectory, reader: reader)
                ?? cluster.spool
        }
        guard let sinksNode = section["sinks"] else {
            reader.fail(section.line, "\(what): missing 'sinks', the list of sink names its records go to")
            return
        }
        cluster.sinks = reader.strings(sinksNode, "\(what): sinks") ?? []
        for name in cluster.sinks where !sinkNames.contains(name) {
            let known = sinkNames.joined(separator: ", ")
            reader.fail(
                reader.line(sinksNode),
                "\(what): sinks: no sink named '\(name)' (defined: \(known.isEmpty ? "none" : known))")
        }
    }
}
