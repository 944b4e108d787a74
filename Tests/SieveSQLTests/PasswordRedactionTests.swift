import SieveSQL
import Testing

/// `SQLRedaction.maskingPasswords`: each statement form that carries a password, with the quoting,
/// comments and case MySQL and MariaDB accept, and the texts that look similar but carry none.
@Suite("password redaction")
struct PasswordRedactionTests {
    private func masked(_ sql: String, _ options: SQLOptions = .init()) -> String? {
        SQLRedaction.maskingPasswords(in: sql, options: options)
    }

    @Test(
        "IDENTIFIED BY: the string after it, in any case and quoting",
        arguments: [
            ("CREATE USER 'u'@'%' IDENTIFIED BY 's3cret'", "CREATE USER 'u'@'%' IDENTIFIED BY '***'"),
            ("create user u@localhost identified by \"s3cret\"", "create user u@localhost identified by '***'"),
            ("ALTER USER u IDENTIFIED BY 'it''s \\' tricky'", "ALTER USER u IDENTIFIED BY '***'"),
            ("ALTER USER u IDENTIFIED BY N'secret'", "ALTER USER u IDENTIFIED BY '***'"),
            (
                "ALTER USER u IDENTIFIED BY _utf8mb4'secret' PASSWORD EXPIRE",
                "ALTER USER u IDENTIFIED BY '***' PASSWORD EXPIRE"
            ),
            ("ALTER USER u IDENTIFIED BY X'736563726574'", "ALTER USER u IDENTIFIED BY '***'"),
            (
                "GRANT ALL ON *.* TO u IDENTIFIED /* c */ BY -- c\n 'secret' WITH GRANT OPTION",
                "GRANT ALL ON *.* TO u IDENTIFIED /* c */ BY -- c\n '***' WITH GRANT OPTION"
            ),
            ("CREATE USER u IDENTIFIED BY 12345", "CREATE USER u IDENTIFIED BY '***'"),
            ("CREATE USER u IDENTIFIED BY secret", "CREATE USER u IDENTIFIED BY '***'"),
        ])
    func identifiedBy(sql: String, expected: String) {
        #expect(masked(sql) == expected)
    }

    @Test(
        "IDENTIFIED WITH plugin BY / AS, and MariaDB's VIA … USING",
        arguments: [
            (
                "CREATE USER u IDENTIFIED WITH caching_sha2_password BY 'pw'",
                "CREATE USER u IDENTIFIED WITH caching_sha2_password BY '***'"
            ),
            (
                "CREATE USER u IDENTIFIED WITH 'mysql_native_password' BY 'pw'",
                "CREATE USER u IDENTIFIED WITH 'mysql_native_password' BY '***'"
            ),
            (
                "ALTER USER u IDENTIFIED WITH `sha256_password` AS '$5$hash'",
                "ALTER USER u IDENTIFIED WITH `sha256_password` AS '***'"
            ),
            (
                "CREATE USER u IDENTIFIED WITH mysql_native_password AS '*6BB4837EB74329105EE4568DDA7DC67ED2CA2AD9'",
                "CREATE USER u IDENTIFIED WITH mysql_native_password AS '***'"
            ),
            (
                "CREATE USER u IDENTIFIED VIA mysql_native_password USING '*6BB4837EB74329105EE4568DDA7DC67ED2CA2AD9' OR unix_socket",
                "CREATE USER u IDENTIFIED VIA mysql_native_password USING '***' OR unix_socket"
            ),
            (
                "CREATE USER u IDENTIFIED WITH p1 BY 'one' AND IDENTIFIED WITH p2 AS 'two'",
                "CREATE USER u IDENTIFIED WITH p1 BY '***' AND IDENTIFIED WITH p2 AS '***'"
            ),
        ])
    func identifiedWith(sql: String, expected: String) {
        #expect(masked(sql) == expected)
    }

    @Test(
        "PASSWORD() and OLD_PASSWORD(): every literal inside, wherever the call is",
        arguments: [
            ("SELECT PASSWORD('pw')", "SELECT PASSWORD('***')"),
            ("SET PASSWORD FOR 'bob'@'%' = PASSWORD('pw')", "SET PASSWORD FOR 'bob'@'%' = PASSWORD('***')"),
            (
                "CREATE USER u IDENTIFIED VIA ed25519 USING password ( 'pw' )",
                "CREATE USER u IDENTIFIED VIA ed25519 USING password ( '***' )"
            ),
            (
                "UPDATE mysql.user SET authentication_string = PASSWORD(CONCAT('a', \"b\")) WHERE User = 'u'",
                "UPDATE mysql.user SET authentication_string = PASSWORD(CONCAT('***', '***')) WHERE User = 'u'"
            ),
            ("SELECT OLD_PASSWORD('pw')", "SELECT OLD_PASSWORD('***')"),
        ])
    func passwordFunction(sql: String, expected: String) {
        #expect(masked(sql) == expected)
    }

    @Test(
        "SET PASSWORD [FOR user] = …, with REPLACE 'current'",
        arguments: [
            ("SET PASSWORD = 'pw'", "SET PASSWORD = '***'"),
            ("set password for 'u'@'localhost' = 'pw'", "set password for 'u'@'localhost' = '***'"),
            (
                "SET PASSWORD FOR CURRENT_USER() = 'new' REPLACE 'old' RETAIN CURRENT PASSWORD",
                "SET PASSWORD FOR CURRENT_USER() = '***' REPLACE '***' RETAIN CURRENT PASSWORD"
            ),
            ("ALTER USER u IDENTIFIED BY 'new' REPLACE 'old'", "ALTER USER u IDENTIFIED BY '***' REPLACE '***'"),
            ("SET /* why */ PASSWORD FOR u = 'pw'", "SET /* why */ PASSWORD FOR u = '***'"),
            ("BEGIN NOT ATOMIC SET PASSWORD = 'pw'; END", "BEGIN NOT ATOMIC SET PASSWORD = '***'; END"),
        ])
    func setPassword(sql: String, expected: String) {
        #expect(masked(sql) == expected)
    }

    @Test(
        "replication: MASTER_PASSWORD, SOURCE_PASSWORD, START … PASSWORD",
        arguments: [
            (
                "CHANGE MASTER TO MASTER_HOST='db1', MASTER_USER='repl', MASTER_PASSWORD='pw', MASTER_PORT=3306",
                "CHANGE MASTER TO MASTER_HOST='db1', MASTER_USER='repl', MASTER_PASSWORD='***', MASTER_PORT=3306"
            ),
            (
                "change replication source to source_password = \"pw\" for channel 'c1'",
                "change replication source to source_password = '***' for channel 'c1'"
            ),
            (
                "CHANGE MASTER 'conn1' TO MASTER_PASSWORD = _latin1'pw'",
                "CHANGE MASTER 'conn1' TO MASTER_PASSWORD = '***'"
            ),
            ("START SLAVE USER='repl' PASSWORD='pw'", "START SLAVE USER='repl' PASSWORD='***'"),
            (
                "START GROUP_REPLICATION USER='rpl', PASSWORD='pw', DEFAULT_AUTH='caching_sha2_password'",
                "START GROUP_REPLICATION USER='rpl', PASSWORD='***', DEFAULT_AUTH='caching_sha2_password'"
            ),
        ])
    func replication(sql: String, expected: String) {
        #expect(masked(sql) == expected)
    }

    @Test(
        "CREATE / ALTER SERVER … OPTIONS (PASSWORD …)",
        arguments: [
            (
                "CREATE SERVER s FOREIGN DATA WRAPPER mysql OPTIONS (USER 'remote', PASSWORD 'pw', HOST '10.0.0.1')",
                "CREATE SERVER s FOREIGN DATA WRAPPER mysql OPTIONS (USER 'remote', PASSWORD '***', HOST '10.0.0.1')"
            ),
            (
                "CREATE OR REPLACE SERVER s FOREIGN DATA WRAPPER mysql OPTIONS (password \"pw\")",
                "CREATE OR REPLACE SERVER s FOREIGN DATA WRAPPER mysql OPTIONS (password '***')"
            ),
            ("ALTER SERVER s OPTIONS (PASSWORD 'pw')", "ALTER SERVER s OPTIONS (PASSWORD '***')"),
        ])
    func createServer(sql: String, expected: String) {
        #expect(masked(sql) == expected)
    }

    @Test("multi-statement text: each statement read on its own")
    func multiStatement() {
        let sql =
            "SELECT 'IDENTIFIED BY x'; CREATE USER a IDENTIFIED BY 'one';SET PASSWORD FOR a = 'two'; UPDATE t SET password = 'kept'"
        #expect(
            masked(sql)
                == "SELECT 'IDENTIFIED BY x'; CREATE USER a IDENTIFIED BY '***';SET PASSWORD FOR a = '***'; UPDATE t SET password = 'kept'"
        )
    }

    @Test(
        "texts that carry no password are left alone",
        arguments: [
            "SELECT password FROM app.users WHERE password = 'x'",
            "UPDATE app.users SET password = 'hash' WHERE id = 1",
            "INSERT INTO app.users (name, password) VALUES ('bob', 'hash')",
            "SELECT 'CREATE USER u IDENTIFIED BY ''pw''' AS example",
            "SELECT * FROM t WHERE note = 'IDENTIFIED BY' AND x = 1",
            "ALTER USER u PASSWORD EXPIRE INTERVAL 90 DAY PASSWORD HISTORY 5",
            "CREATE USER u IDENTIFIED BY RANDOM PASSWORD",
            "SET PASSWORD TO RANDOM",
            "CREATE USER u IDENTIFIED WITH auth_socket",
            "SELECT * FROM t -- IDENTIFIED BY 'in a comment'",
            "CREATE USER u IDENTIFIED BY <secret>",
            "SELECT t.identified FROM t ORDER BY 1",
        ])
    func nonMatches(sql: String) {
        #expect(masked(sql) == nil)
    }

    @Test("a record cut inside the secret: the rest of the text is masked")
    func cutSecret() {
        #expect(masked("CREATE USER u IDENTIFIED BY 'half-of-the-sec") == "CREATE USER u IDENTIFIED BY '***'")
        #expect(masked("SET PASSWORD = 'it\\'s cu") == "SET PASSWORD = '***'")
    }

    @Test("executable comments are read as code, whatever their version")
    func executableComments() {
        #expect(
            masked("CREATE USER u /*!99999 IDENTIFIED BY 'pw' */") == "CREATE USER u /*!99999 IDENTIFIED BY '***' */")
        #expect(
            masked("CREATE USER u /*M!100502 IDENTIFIED BY 'pw' */")
                == "CREATE USER u /*M!100502 IDENTIFIED BY '***' */")
    }

    @Test("the cluster's sql_mode decides the quoting")
    func sqlModes() {
        let ansi = SQLOptions(sqlMode: "ANSI_QUOTES")
        #expect(masked("CREATE USER \"u\" IDENTIFIED BY 'pw'", ansi) == "CREATE USER \"u\" IDENTIFIED BY '***'")
        #expect(masked("CREATE USER u IDENTIFIED BY \"pw\"", ansi) == "CREATE USER u IDENTIFIED BY '***'")
        let noEscapes = SQLOptions(sqlMode: "NO_BACKSLASH_ESCAPES")
        #expect(masked("SET PASSWORD = 'p\\'; SELECT 'x'", noEscapes) == "SET PASSWORD = '***'; SELECT 'x'")
        // With backslash escapes the first string runs to the quote before x.
        #expect(masked("SET PASSWORD = 'p\\'; SELECT 'x'") == "SET PASSWORD = '***'x'")
    }

    @Test("a text that does not balance is still read to its end")
    func unbalanced() {
        #expect(
            masked("SELECT 1)); CREATE USER u IDENTIFIED BY 'pw'") == "SELECT 1)); CREATE USER u IDENTIFIED BY '***'")
        #expect(
            masked("SELECT X'4'; CREATE USER u IDENTIFIED BY 'pw'") == "SELECT X'4'; CREATE USER u IDENTIFIED BY '***'")
        let deep = String(repeating: "(", count: 600) + "1; SET PASSWORD = 'pw'"
        #expect(masked(deep) == String(repeating: "(", count: 600) + "1; SET PASSWORD = '***'")
    }
}
