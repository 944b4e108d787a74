import SieveRules
import SieveSQL
import Testing

@Suite("table patterns")
struct TablePatternTests {
    static func set(_ patterns: [String], caseSensitive: Bool = true) throws -> TablePatternSet {
        try TablePatternSet(patterns, caseSensitive: caseSensitive)
    }

    @Test("exact, db.*, *.table and * match what they say")
    func forms() throws {
        let patterns = try Self.set(["users.accounts", "billing.*", "*.secrets"])
        #expect(patterns.firstMatch(TableRef(db: "users", name: "accounts")) == "users.accounts")
        #expect(patterns.firstMatch(TableRef(db: "billing", name: "invoices")) == "billing.*")
        #expect(patterns.firstMatch(TableRef(db: "hr", name: "secrets")) == "*.secrets")
        #expect(patterns.firstMatch(TableRef(db: nil, name: "secrets")) == "*.secrets")
        #expect(patterns.firstMatch(TableRef(db: "users", name: "sessions")) == nil)
        #expect(patterns.firstMatch(TableRef(db: nil, name: "accounts")) == nil)
        #expect(try Self.set(["*"]).firstMatch(TableRef(db: nil, name: "x")) == "*")
    }

    @Test("globs inside a part: * and ?")
    func globs() throws {
        let patterns = try Self.set(["pay_*.ledger_20??", "db?.t*"])
        #expect(patterns.firstMatch(TableRef(db: "pay_eu", name: "ledger_2026")) == "pay_*.ledger_20??")
        #expect(patterns.firstMatch(TableRef(db: "pay_eu", name: "ledger_202")) == nil)
        #expect(patterns.firstMatch(TableRef(db: "db1", name: "t")) == "db?.t*")
        #expect(patterns.firstMatch(TableRef(db: "db12", name: "t")) == nil)
    }

    @Test("re: patterns are PCRE2 over db.table")
    func regex() throws {
        let patterns = try Self.set([#"re:^pay_[a-z]+\.ledger_\d+$"#])
        #expect(patterns.firstMatch(TableRef(db: "pay_eu", name: "ledger_7")) != nil)
        #expect(patterns.firstMatch(TableRef(db: "pay_EU", name: "ledger_7")) == nil)
        #expect(patterns.firstMatch(TableRef(db: "pay_eu", name: "ledger_x")) == nil)
        #expect(throws: RulesError.self) { try Self.set(["re:(unclosed"]) }
    }

    @Test("case_sensitive: false folds both sides, as lower_case_table_names=1 does")
    func caseInsensitive() throws {
        let patterns = try Self.set(["Billing.*", "users.Accounts", "re:^hr\\.x$", "P?y.*"], caseSensitive: false)
        #expect(patterns.firstMatch(TableRef(db: "BILLING", name: "t")) == "Billing.*")
        #expect(patterns.firstMatch(TableRef(db: "Users", name: "ACCOUNTS")) == "users.Accounts")
        #expect(patterns.firstMatch(TableRef(db: "HR", name: "X")) == "re:^hr\\.x$")
        #expect(patterns.firstMatch(TableRef(db: "PAY", name: "t")) == "P?y.*")
        let sensitive = try Self.set(["Billing.*"])
        #expect(sensitive.firstMatch(TableRef(db: "billing", name: "t")) == nil)
    }

    @Test("backquoted parts hold dots and are literal")
    func quoted() throws {
        let patterns = try Self.set(["`my.db`.`t*`", "`a``b`.c"])
        #expect(patterns.firstMatch(TableRef(db: "my.db", name: "t*")) == "`my.db`.`t*`")
        #expect(patterns.firstMatch(TableRef(db: "my.db", name: "tx")) == nil)
        #expect(patterns.firstMatch(TableRef(db: "a`b", name: "c")) == "`a``b`.c")
    }

    @Test("malformed patterns are rejected with a reason", arguments: ["billing", "a.b.c", ".t", "d.", "`x", "`x`y.z"])
    func malformed(_ text: String) {
        #expect(throws: RulesError.self) { try TablePattern(text, caseSensitive: true) }
    }
}

@Suite("globs and CIDR blocks")
struct MatchPrimitiveTests {
    @Test(
        "glob matching",
        arguments: [
            ("db-billing-*", "db-billing-01", true), ("db-billing-*", "db-billing-", true),
            ("db-billing-*", "db-bill", false),
            ("*", "", true), ("a*b*c", "aXXbYYc", true), ("a*b*c", "aXXbYY", false), ("?", "", false),
            ("db??", "db01", true),
        ])
    func glob(pattern: String, text: String, matches: Bool) {
        #expect(Glob(pattern).matches(text) == matches)
    }

    @Test("CIDR blocks for IPv4 and IPv6, IPv4-mapped addresses included")
    func cidr() throws {
        let v4 = try CIDRBlock("10.1.0.0/16")
        #expect(v4.contains(CIDRBlock.parseAddress("10.1.200.3")!))
        #expect(!v4.contains(CIDRBlock.parseAddress("10.2.0.1")!))
        #expect(v4.contains(CIDRBlock.parseAddress("::ffff:10.1.0.9")!))
        let v6 = try CIDRBlock("fd00::/8")
        #expect(v6.contains(CIDRBlock.parseAddress("fd12::1")!))
        #expect(!v6.contains(CIDRBlock.parseAddress("fe80::1")!))
        #expect(try CIDRBlock("192.0.2.7").contains(CIDRBlock.parseAddress("192.0.2.7")!))
        #expect(throws: RulesError.self) { try CIDRBlock("10.0.0.0/33") }
        #expect(throws: RulesError.self) { try CIDRBlock("db1") }
    }
}
