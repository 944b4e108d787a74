import SieveSQL
import Testing

/// A routine body is one statement; what follows it in a multi-statement text is not part of it
/// (and resolves against the session's default database, not the routine's schema).
@Suite("routine bodies end where their statement ends")
struct RoutineBodyTests {
    @Test(
        "bodies and the statements after them",
        arguments: [
            ("CREATE PROCEDURE other.p() SELECT 1; SELECT * FROM t9", [TableRef(db: "app", name: "t9")]),
            ("CREATE FUNCTION f1() RETURNS INT RETURN 1; GRANT DELETE ON t9 TO u", [TableRef(db: "app", name: "t9")]),
            (
                "CREATE PROCEDURE p() BEGIN SELECT CASE WHEN a THEN 1 END FROM t1; IF x THEN INSERT INTO t2 VALUES (1); END IF; END; USE db2; SELECT * FROM t3",
                [TableRef(db: "app", name: "t1"), TableRef(db: "app", name: "t2"), TableRef(db: "db2", name: "t3")]
            ),
            (
                "CREATE TRIGGER tr BEFORE INSERT ON t1 FOR EACH ROW lbl: BEGIN CASE x WHEN 1 THEN DELETE FROM t4; END CASE; END; SELECT * FROM t5",
                [TableRef(db: "app", name: "t1"), TableRef(db: "app", name: "t4"), TableRef(db: "app", name: "t5")]
            ),
            (
                "CREATE PROCEDURE s.p() BEGIN BEGIN SELECT * FROM a; END; WHILE 1 DO DELETE FROM b; END WHILE; END; SELECT * FROM c",
                [TableRef(db: "app", name: "c"), TableRef(db: "s", name: "a"), TableRef(db: "s", name: "b")]
            ),
        ])
    func bodies(sql: String, expected: [TableRef]) {
        let result = TableExtractor.extract(sql, defaultDB: "app")
        #expect(result.tables == expected)
        #expect(result.status == .complete)
    }
}
