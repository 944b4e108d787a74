import SieveSQL
import Testing

@Suite("labelled corpora")
struct LabelledCorpusTests {
    @Test("percona-toolkit's own statements: at least 99% exact sets, invalid rows never complete")
    func perconaToolkit() throws {
        let rows = try #require(CorpusRow.load("percona_toolkit"))
        var exact = 0
        var valid = 0
        for row in rows {
            let result = row.extract()
            if row.invalid {
                #expect(result.status != .complete, "\(row.id) is invalid but came back complete: \(row.sql)")
                continue
            }
            valid += 1
            if result.tables == row.expected {
                exact += 1
            } else {
                print("percona mismatch \(row.id): \(row.sql)\n  got \(result.tables) want \(row.expected ?? [])")
            }
        }
        let share = Double(exact) / Double(valid)
        print("percona_toolkit: \(exact)/\(valid) exact (\(share * 100)%)")
        #expect(share >= 0.99)
    }

    @Test("corner cases from the MySQL manual: every row")
    func cornerCases() throws {
        guard let rows = CorpusRow.load("corner-cases") else { return }
        var failures: [String] = []
        for row in rows {
            let result = row.extract()
            var ok: Bool
            if row.invalid {
                ok = result.status == .unparsed
            } else {
                ok = result.tables == row.expected && result.status != .unparsed
                if let routines = row.routines { ok = ok && result.routines == routines }
            }
            if let status = row.status { ok = ok && result.status == status }
            if !ok {
                failures.append("\(row.id): \(row.sql)\n  got \(result.tables) \(result.routines) \(result.status)")
            }
        }
        print("corner-cases: \(rows.count - failures.count)/\(rows.count)")
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}
