import SieveSQL
import Testing

/// The reported tables are sorted (database, then name) and each named once, whether a statement names
/// a few (sorted in place) or many (sorted by the standard library), and whatever order it names them in.
@Suite("tables come sorted and without duplicates")
struct TableOrderTests {
    /// `count` distinct tables named in a scrambled order, each twice.
    private static func statement(tables count: Int) -> (sql: String, expected: [TableRef]) {
        let names = (0..<count).map { "t\(String(format: "%02d", $0))" }
        let scrambled = names.indices.map { names[($0 * 7 + 3) % count] }
        let sql = "SELECT 1 FROM " + (scrambled + scrambled.reversed()).map { "db.\($0)" }.joined(separator: ", ")
        return (sql, names.map { TableRef(db: "db", name: $0) })
    }

    @Test("a statement's tables, from one to twenty", arguments: [1, 2, 3, 5, 8, 9, 13, 20])
    func sortedUnique(count: Int) {
        let (sql, expected) = Self.statement(tables: count)
        let result = TableExtractor.extract(sql, defaultDB: nil)
        #expect(result.status == .complete)
        #expect(result.tables == expected)
    }

    @Test("unqualified and qualified names sort by database, the default included")
    func mixedDatabases() {
        let result = TableExtractor.extract(
            "SELECT * FROM z.a JOIN b ON 1 JOIN a.c ON 1 JOIN b ON 1 JOIN z.a ON 1", defaultDB: "m")
        #expect(
            result.tables == [
                TableRef(db: "a", name: "c"), TableRef(db: "m", name: "b"), TableRef(db: "z", name: "a"),
            ])
    }

    @Test("routines too")
    func routines() {
        let result = TableExtractor.extract("CALL s.p(1); CALL a.q(2); CALL s.p(3)", defaultDB: nil)
        #expect(result.routines == [TableRef(db: "a", name: "q"), TableRef(db: "s", name: "p")])
    }
}
