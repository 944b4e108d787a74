import SieveSQL
import Testing

/// Work must grow linearly with the input: lexer and recognizer steps, not a clock.
@Suite("linear work")
struct LinearWorkTests {
    static let shapes: [(name: String, prefix: String, unit: String, suffix: String)] = [
        (
            "subqueries", "SELECT * FROM t0 WHERE ",
            "(a = 1 OR b IN (SELECT c FROM t2 AS x WHERE d = 'y' UNION SELECT e FROM t3)) AND ", "1"
        ),
        ("joins", "SELECT * FROM t0 JOIN ", "t1 AS a ON a.x = 1 LEFT JOIN (t3, t4) USING (id) CROSS JOIN ", "t9"),
        ("CTEs", "WITH c0 AS (SELECT 1)", ", c1 AS (SELECT * FROM c0, t1), c2 AS (TABLE c1)", " SELECT * FROM c2"),
        ("parentheses", "SELECT ", "((((((((((1)))))))))) + ((((((((((2)))))))))) + ", "1"),
        ("comments and strings", "SELECT ", "/* c */ 'it''s' -- x\n \"q\\\"\" # y\n `i``d` /*!50000 x */ + ", "1"),
        ("statements", "", "INSERT INTO t1 SELECT * FROM t2; USE db2; LOCK TABLES t3 READ; ", ""),
    ]

    static func steps(for shape: Int, bytes: Int) -> Int {
        let (_, prefix, unit, suffix) = shapes[shape]
        let statement = prefix + String(repeating: unit, count: bytes / unit.utf8.count) + suffix
        var steps = 0
        var text = statement
        _ = text.withUTF8 { TableExtractor.extract(UnsafeRawBufferPointer($0), defaultDB: "app", steps: &steps) }
        return steps
    }

    @Test("steps on a 1 MB statement stay within 1.1 × 8 × steps on 128 KB", arguments: Self.shapes.indices)
    func linear(shape: Int) {
        let name = Self.shapes[shape].name
        let small = Self.steps(for: shape, bytes: 128 * 1024)
        let large = Self.steps(for: shape, bytes: 1024 * 1024)
        print("\(name): \(small) steps for 128 KB, \(large) for 1 MB")
        #expect(small > 0)
        #expect(Double(large) <= 1.1 * 8 * Double(small))
    }
}
