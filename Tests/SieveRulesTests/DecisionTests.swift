import SieveRules
import SieveSQL
import Testing

@Suite("the decision, step by step")
struct DecisionTests {
    static func billing(
        keepTables: [String] = ["billing.*", "users.accounts"], dropTables: [String] = ["billing.heartbeat"],
        keepConnections: ClusterPolicy.ConnectionPolicy = .failed, keepOther: Bool = false, keepUnparsed: Bool = true,
        keepUnrecognized: Bool = true
    ) throws -> ClusterPolicy {
        try ClusterPolicy(
            name: "billing", keepTables: keepTables, dropTables: dropTables, keepConnections: keepConnections,
            keepOther: keepOther, keepUnparsed: keepUnparsed, keepUnrecognized: keepUnrecognized, sinks: ["archive"])
    }

    static func query(
        _ tables: [TableRef], status: TableExtraction.Status = .complete, commandClass: String = "select",
        truncated: Bool = false
    ) -> RecordFacts {
        RecordFacts(
            kind: .general, commandClass: commandClass,
            extraction: TableExtraction(tables: tables, status: status), truncated: truncated)
    }

    static let invoices = TableRef(db: "billing", name: "invoices")
    static let heartbeat = TableRef(db: "billing", name: "heartbeat")
    static let posts = TableRef(db: "blog", name: "posts")

    @Test("1: Audit/NoAudit records are always kept, whatever the rules")
    func auditRecords() throws {
        let decision = try Self.billing(keepUnrecognized: false).decide(RecordFacts(kind: .audit))
        #expect(decision.kept && decision.step == .auditRecord)
    }

    @Test("2: always_keep_commands and SET GLOBAL audit_log are kept even when their tables are not")
    func alwaysKeep() throws {
        let policy = try Self.billing()
        let grant = policy.decide(Self.query([Self.posts], commandClass: "grant"))
        #expect(grant.kept && grant.step == .alwaysKeepCommand)
        let off = policy.decide(
            RecordFacts(
                kind: .general, commandClass: "set_option", setsAuditLog: true,
                extraction: TableExtraction(tables: [], status: .complete)))
        #expect(off.kept && off.step == .alwaysKeepCommand)
        #expect(AuditLogStatement.setsAuditLog(Array("SET GLOBAL audit_log_policy = NONE".utf8)))
        #expect(AuditLogStatement.setsAuditLog(Array("  set @@global.audit_log_exclude_accounts='x'".utf8)))
        #expect(!AuditLogStatement.setsAuditLog(Array("SET NAMES utf8".utf8)))
        #expect(!AuditLogStatement.setsAuditLog(Array("SELECT 'SET GLOBAL audit_log'".utf8)))
        #expect(AuditLogStatement.setsAuditLog(Array("/* c */ SET PERSIST audit_log_rotate_on_size = 0".utf8)))
        #expect(!AuditLogStatement.setsAuditLog(Array("SET @x = 'audit_log'".utf8)))
    }

    @Test("3: connections follow keep_connections (failed = status not 0)")
    func connections() throws {
        let failed = try Self.billing(keepConnections: .failed)
        #expect(failed.decide(RecordFacts(kind: .connection, status: 1045)).kept)
        #expect(!failed.decide(RecordFacts(kind: .connection, status: 0)).kept)
        #expect(try Self.billing(keepConnections: .all).decide(RecordFacts(kind: .connection)).kept)
        #expect(!(try Self.billing(keepConnections: .none).decide(RecordFacts(kind: .connection, status: 1045)).kept))
        #expect(failed.decide(RecordFacts(kind: .connection)).step == .connection)
    }

    @Test("4: unknown messages follow keep_unrecognized")
    func unrecognized() throws {
        #expect(try Self.billing(keepUnrecognized: true).decide(RecordFacts(kind: .unrecognized)).kept)
        let dropped = try Self.billing(keepUnrecognized: false).decide(RecordFacts(kind: .unrecognized))
        #expect(!dropped.kept && dropped.step == .unrecognized)
    }

    @Test("5: any table left after drop_tables that matches keep_tables keeps the record, naming the matches")
    func keepTables() throws {
        let decision = try Self.billing().decide(Self.query([Self.invoices, Self.posts, Self.heartbeat]))
        #expect(decision.kept && decision.step == .keepTables)
        #expect(decision.matchedTables == [Self.invoices])
        #expect(decision.reason == "billing.*")
        let everything = try Self.billing(keepTables: []).decide(Self.query([Self.posts]))
        #expect(everything.kept && everything.step == .keepTables && everything.matchedTables == [Self.posts])
    }

    @Test("5 before 6: a partial extraction whose found tables match is kept by keep_tables")
    func partialButMatched() throws {
        let decision = try Self.billing(keepUnparsed: false).decide(Self.query([Self.invoices], status: .partial))
        #expect(decision.kept && decision.step == .keepTables)
    }

    @Test("6: unparsed, partial or truncated records follow keep_unparsed (fail-open by default)")
    func unparsed() throws {
        #expect(try Self.billing().decide(Self.query([], status: .unparsed)).step == .unparsed)
        #expect(try Self.billing().decide(Self.query([Self.posts], status: .partial)).kept)
        #expect(try Self.billing().decide(Self.query([Self.posts], truncated: true)).kept)
        #expect(!(try Self.billing(keepUnparsed: false).decide(Self.query([Self.posts], status: .partial)).kept))
    }

    @Test("7: tables that are all dropped or unmatched filter the record")
    func filtered() throws {
        let onlyDropped = try Self.billing().decide(Self.query([Self.heartbeat]))
        #expect(!onlyDropped.kept && onlyDropped.step == .tablesFiltered)
        let unmatched = try Self.billing().decide(Self.query([Self.posts]))
        #expect(!unmatched.kept && unmatched.step == .tablesFiltered)
        let droppedWithEmptyKeep = try Self.billing(keepTables: []).decide(Self.query([Self.heartbeat]))
        #expect(!droppedWithEmptyKeep.kept)
    }

    @Test("8: statements naming no table follow keep_other")
    func other() throws {
        #expect(!(try Self.billing(keepOther: false).decide(Self.query([])).kept))
        let kept = try Self.billing(keepOther: true).decide(Self.query([]))
        #expect(kept.kept && kept.step == .other)
        #expect(try Self.billing(keepOther: true).decide(RecordFacts(kind: .general)).step == .other)
    }

    @Test("a policy without rules keeps everything")
    func defaultsKeepAll() throws {
        let policy = try ClusterPolicy(name: "default", sinks: ["archive"])
        for facts in [
            RecordFacts(kind: .connection), RecordFacts(kind: .unrecognized), Self.query([Self.posts]),
            Self.query([], status: .unparsed), Self.query([]),
        ] {
            #expect(policy.decide(facts).kept)
        }
    }

    @Test("the first cluster whose match fits takes the record; the rest go to the default")
    func clusterSelection() throws {
        let billing = try ClusterPolicy(
            name: "billing", match: ClusterMatch(hostnames: ["db-billing-*"], senders: [try CIDRBlock("10.1.0.0/16")]),
            sinks: ["a"])
        let percona = try ClusterPolicy(name: "percona", match: ClusterMatch(appNames: ["percona-audit"]), sinks: ["a"])
        let table = ClusterTable(
            clusters: [billing, percona], defaultCluster: try ClusterPolicy(name: "default", sinks: ["a"]))
        func index(_ host: String, _ app: String, _ ip: String?) -> Int {
            let host = Array(host.utf8)
            let app = Array(app.utf8)
            return host.withUnsafeBytes { host in
                app.withUnsafeBytes { app in
                    table.index(
                        for: RecordOrigin(
                            hostname: host, appName: app, senderAddress: ip.flatMap(CIDRBlock.parseAddress)))
                }
            }
        }
        #expect(index("db-billing-01", "percona-audit", "10.1.2.3") == 0)
        #expect(index("DB-BILLING-02", "x", "10.1.2.3") == 0)
        #expect(index("db-billing-01", "percona-audit", "10.9.2.3") == 1)
        #expect(index("db-billing-01", "other", nil) == 2)
    }
}

@Suite("regex match limits")
struct RegexLimitTests {
    static let redos = "re:^(a|aa)+$"
    static let aaaa = TableRef(db: String(repeating: "a", count: 40), name: "x")

    @Test("an exponentially backtracking match stops at the limit and says so; ordinary matches are unaffected")
    func limit() throws {
        let regex = try RegexPattern("^(a|aa)+$", caseSensitive: true)
        #expect(regex.match(String(repeating: "a", count: 40) + ".x") == .limitExceeded)
        #expect(regex.match("aaaa") == .match)
        #expect(regex.match("b") == .noMatch)
        let long = try RegexPattern(#"^pay_[a-z]+\.ledger_\d+$"#, caseSensitive: true)
        #expect(long.match("pay_" + String(repeating: "q", count: 300) + ".ledger_2026") == .match)
    }

    @Test(
        "rules: a table a regex cannot decide is unparsed (keep_unparsed decides), counted; a definite match still keeps"
    )
    func rules() throws {
        for keepUnparsed in [true, false] {
            let policy = try DecisionTests.billing(keepTables: [Self.redos], dropTables: [], keepUnparsed: keepUnparsed)
            let decision = policy.decide(DecisionTests.query([Self.aaaa]))
            #expect(decision.kept == keepUnparsed && decision.step == .unparsed && decision.regexLimitHit)
            #expect(decision.reason.contains("regex match limit"))
        }
        let both = try DecisionTests.billing(
            keepTables: [Self.redos, "billing.*"], dropTables: [], keepUnparsed: false)
        let kept = both.decide(DecisionTests.query([Self.aaaa, DecisionTests.invoices]))
        #expect(kept.kept && kept.step == .keepTables && kept.regexLimitHit)
        let dropping = try DecisionTests.billing(keepTables: [], dropTables: [Self.redos], keepUnparsed: false)
        let undecidedDrop = dropping.decide(DecisionTests.query([Self.aaaa]))
        #expect(!undecidedDrop.kept && undecidedDrop.step == .unparsed)
    }

    @Test(
        "a record naming thousands of tables spends at most the per-record regex budget; hash entries still decide after it"
    )
    func perRecordBudget() throws {
        // 5,000 distinct tables, none matching: without a budget, 10,000 regex matches for one record.
        let many = (0..<5000).map { TableRef(db: "t\($0)", name: "x") }
        let policy = try DecisionTests.billing(
            keepTables: ["re:^billing\\.", "re:^users\\."], dropTables: [], keepUnparsed: false)
        let decision = policy.decide(DecisionTests.query(many))
        #expect(!decision.kept && decision.step == .unparsed && decision.regexLimitHit)
        #expect(decision.reason.contains("regex budget"), "\(decision.reason)")
        // A table an exact or db.* entry names is found without the budget.
        let mixed = try DecisionTests.billing(
            keepTables: ["re:^audit\\.", "billing.*"], dropTables: [], keepUnparsed: false)
        let kept = mixed.decide(DecisionTests.query(many + [DecisionTests.invoices]))
        #expect(kept.kept && kept.step == .keepTables && kept.matchedTables == [DecisionTests.invoices])
        // Counting: the set spends one unit per regex tried.
        let set = try TablePatternSet(["re:^a", "re:^b", "c.*"], caseSensitive: true)
        var budget = 3
        #expect(set.lookup(TableRef(db: "z", name: "z"), regexBudget: &budget) == .unmatched && budget == 1)
        #expect(
            set.lookup(TableRef(db: "z", name: "z"), regexBudget: &budget) == .undecided(TablePatternSet.budgetSpent)
                && budget == 0)
        #expect(set.lookup(TableRef(db: "c", name: "z"), regexBudget: &budget) == .matched("c.*"))
    }
}
