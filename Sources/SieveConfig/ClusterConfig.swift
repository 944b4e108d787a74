import SieveRules
import SieveSQL

/// One entry of `clusters:`, or `default_cluster` (which has no `name` and no `match`).
public struct ClusterConfig: Sendable, Equatable {
    public var name: String
    /// `nil` for the default cluster.
    public var match: Match?
    public var keepTables: [String] = []
    public var dropTables: [String] = []
    public var caseSensitive = true
    public var keepConnections: ClusterPolicy.ConnectionPolicy = .all
    public var keepOther = true
    public var keepUnparsed = true
    public var keepUnrecognized = true
    public var alwaysKeepCommands: [String] = ClusterPolicy.defaultAlwaysKeepCommands
    /// Tables a server names that are its own bookkeeping, not the data the statement touched
    /// (MariaDB reads its statistics and privilege tables on many statements): dropped from
    /// server-reported `tables` before the rules see them.
    public var ignoreServerTables: [String] = ClusterConfig.defaultIgnoredServerTables
    /// Whether a statement's joined table records go out inside its event or as events of their
    /// own. Unset in the file: `merge`, or `separate` when a sink of the cluster is `encoding: raw`
    /// (settled when the config is loaded).
    public var tableRecords: TableRecordsMode?
    /// The line of `table_records:`, for messages (0: not in the file).
    public var tableRecordsLine = 0
    /// How the cluster's servers read SQL (`sql_mode`, `server_version`), for table extraction.
    public var sqlOptions = SQLOptions()
    public var sinks: [String]
    /// Queue bounds and durability for this cluster's (cluster, sink) queues.
    public var spool = ClusterSpoolConfig()
    public var line: Int = 0

    public struct Match: Sendable, Equatable {
        public var hostnames: [String] = []
        public var senders: [String] = []
        public var appNames: [String] = []

        public init(hostnames: [String] = [], senders: [String] = [], appNames: [String] = []) {
            self.hostnames = hostnames
            self.senders = senders
            self.appNames = appNames
        }
    }

    /// MariaDB's statistics, routine and privilege tables (docs/FORMATS.md §4.4).
    public static let defaultIgnoredServerTables = [
        "mysql.table_stats", "mysql.column_stats", "mysql.index_stats", "mysql.proc", "mysql.event",
        "mysql.global_priv",
        "mysql.db", "mysql.tables_priv", "mysql.columns_priv", "mysql.procs_priv", "mysql.proxies_priv",
        "mysql.roles_mapping",
    ]

    public init(name: String, match: Match? = nil, sinks: [String]) {
        self.name = name
        self.match = match
        self.sinks = sinks
    }

    /// Compiles the rules (patterns, CIDRs); the config reader has already checked they compile.
    public func policy() throws(RulesError) -> ClusterPolicy {
        var clusterMatch: ClusterMatch?
        if let match {
            var senders: [CIDRBlock] = []
            for sender in match.senders { senders.append(try CIDRBlock(sender)) }
            clusterMatch = ClusterMatch(hostnames: match.hostnames, senders: senders, appNames: match.appNames)
        }
        return try ClusterPolicy(
            name: name, match: clusterMatch, keepTables: keepTables, dropTables: dropTables,
            caseSensitive: caseSensitive,
            keepConnections: keepConnections, keepOther: keepOther, keepUnparsed: keepUnparsed,
            keepUnrecognized: keepUnrecognized, alwaysKeepCommands: alwaysKeepCommands, sinks: sinks
        )
    }
}
