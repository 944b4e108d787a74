import SieveSQL
import Testing

/// `SQLRedaction.maskingLiterals`: every string and number literal becomes `?`; names, keywords,
/// comments and the statement's shape stay.
@Suite("literal redaction")
struct LiteralRedactionTests {
    private func masked(_ sql: String, _ options: SQLOptions = .init()) -> String? {
        SQLRedaction.maskingLiterals(in: sql, options: options)
    }

    @Test(
        "strings in every quoting, with their prefixes",
        arguments: [
            ("SELECT * FROM app.users WHERE email = 'bob@example.com'", "SELECT * FROM app.users WHERE email = ?"),
            ("INSERT INTO t VALUES ('it''s', \"say \\\"hi\\\"\", 'a\\'b')", "INSERT INTO t VALUES (?, ?, ?)"),
            (
                "SELECT N'text', _utf8mb4'text', _latin1 'text', X'4142', x'', B'0101', b'1'",
                "SELECT ?, ?, ?, ?, ?, ?, ?"
            ),
            ("SELECT 'a' 'b' AS joined", "SELECT ? ? AS joined"),
            ("SELECT 'é€😀'", "SELECT ?"),
        ])
    func strings(sql: String, expected: String) {
        #expect(masked(sql) == expected)
    }

    @Test(
        "numbers: integers, decimals, exponents, hex and binary",
        arguments: [
            (
                "SELECT 1, 1.5, .5, 1e10, 1.5E-3, 0x1F, 0b101 FROM t LIMIT 10",
                "SELECT ?, ?, ?, ?, ?, ?, ? FROM t LIMIT ?"
            ),
            (
                "UPDATE t SET balance = balance + 100.25 WHERE id = 42",
                "UPDATE t SET balance = balance + ? WHERE id = ?"
            ),
        ])
    func numbers(sql: String, expected: String) {
        #expect(masked(sql) == expected)
    }

    @Test(
        "a negative number is one literal; the minus operator stays",
        arguments: [
            ("SELECT * FROM t WHERE a = -5", "SELECT * FROM t WHERE a = ?"),
            ("SELECT a-1, a - 1, (a)-1, `a` -1, @v-1 FROM t", "SELECT a-?, a - ?, (a)-?, `a` -?, @v-? FROM t"),
            ("INSERT INTO t VALUES (-1, +2, - 3)", "INSERT INTO t VALUES (?, ?, ?)"),
            ("SELECT -1, 5 - -2", "SELECT ?, ? - ?"),
            ("SELECT t.a-1 FROM t WHERE x IN (-1)", "SELECT t.a-? FROM t WHERE x IN (?)"),
        ])
    func signs(sql: String, expected: String) {
        #expect(masked(sql) == expected)
    }

    @Test(
        "dates and times are strings",
        arguments: [
            (
                "SELECT * FROM t WHERE d >= DATE '2024-01-01' AND ts < TIMESTAMP '2024-01-02 03:04:05'",
                "SELECT * FROM t WHERE d >= DATE ? AND ts < TIMESTAMP ?"
            ),
            ("SELECT {d '2024-01-01'}, NOW() - INTERVAL 5 DAY", "SELECT {d ?}, NOW() - INTERVAL ? DAY"),
        ])
    func dates(sql: String, expected: String) {
        #expect(masked(sql) == expected)
    }

    @Test(
        "names, keywords, variables and comments are kept",
        arguments: [
            (
                "SELECT `first name`, t1.c2, @user, @'q', @@global.max_connections /* 'note' */ FROM db1.t2 # 'x'",
                nil
            ),
            ("SELECT id FROM t WHERE flag IS NULL AND ok = TRUE AND x = ?", nil),
        ] as [(String, String?)])
    func kept(sql: String, expected: String?) {
        #expect(masked(sql) == expected)
    }

    @Test("multi-statement text and executable comments")
    func multiStatement() {
        #expect(
            masked("USE app; SELECT 1; INSERT /*!80000 IGNORE */ INTO t VALUES ('x') /*M!100100 , ('y') */")
                == "USE app; SELECT ?; INSERT /*!80000 IGNORE */ INTO t VALUES (?) /*M!100100 , (?) */")
    }

    @Test("ANSI_QUOTES: double quotes name a column and stay")
    func ansiQuotes() {
        #expect(
            masked("SELECT \"name\" FROM t WHERE \"name\" = 'bob'", SQLOptions(sqlMode: "ANSI"))
                == "SELECT \"name\" FROM t WHERE \"name\" = ?")
    }

    @Test("a cut record: the unterminated string is masked to the end")
    func cut() {
        #expect(masked("INSERT INTO t VALUES (1, 'card 4111 1111") == "INSERT INTO t VALUES (?, ?")
    }

    @Test("a text without literals gives nil (the caller keeps the original)")
    func nothing() {
        #expect(masked("SELECT a FROM t") == nil)
        #expect(masked("") == nil)
    }
}
