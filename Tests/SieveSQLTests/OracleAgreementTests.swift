import SieveSQL
import Testing

@Suite("unlabelled corpora against the sqlglot-based oracle")
struct OracleAgreementTests {
    static let corpora = ["mysql_test_statements", "sqlglot_mysql_tests", "vitess_parse_test"]

    @Test("11,362 statements: no crash, and at least 95% agreement where the oracle used sqlglot")
    func agreement() throws {
        var statements = 0
        var compared = 0
        var agreeing = 0
        for corpus in Self.corpora {
            let rows = try #require(CorpusRow.load(corpus))
            let oracle = OracleRow.load(corpus + ".oracle")
            for row in rows {
                statements += 1
                let result = row.extract()
                guard let answer = oracle[row.id], answer.method == "sqlglot" else { continue }
                compared += 1
                if result.tables == (answer.tables ?? []) { agreeing += 1 }
            }
        }
        let share = Double(agreeing) / Double(compared)
        print("oracle agreement: \(agreeing)/\(compared) (\(share * 100)%) over \(statements) statements")
        #expect(statements == 11_362)
        #expect(share >= 0.95)
    }
}
