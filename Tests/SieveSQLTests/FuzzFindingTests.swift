import Foundation
import SieveSQL
import Testing

/// Inputs the fuzz target `sql-tables` (Fuzz/) found, kept byte for byte in `Fixtures/fuzz/`, and the
/// smallest cases of the same bugs.
@Suite("fuzz findings")
struct FuzzFindingTests {
    @Test("an empty quoted identifier names no table: the statement is unparsed (it was reported as a table named '')")
    func emptyQuotedName() throws {
        let url = try #require(
            Bundle.module.url(
                forResource: "create-index-empty-quoted-table-name", withExtension: nil, subdirectory: "Fixtures/fuzz")
        )
        let found = try [UInt8](Data(contentsOf: url)).withUnsafeBytes { TableExtractor.extract($0, defaultDB: "app") }
        #expect(found.status == .unparsed && found.tables.isEmpty)
        for sql in ["SELECT * FROM ``", "SELECT * FROM `db`.``", "SELECT * FROM ``.t", "CALL ``.p()", "CALL db.``()"] {
            let extraction = TableExtractor.extract(sql, defaultDB: "app")
            #expect(
                extraction.status == .unparsed && extraction.tables.isEmpty && extraction.routines.isEmpty, "\(sql)")
        }
        let ansi = TableExtractor.extract(
            #"SELECT * FROM "db"."""#, defaultDB: nil, options: SQLOptions(ansiQuotes: true))
        #expect(ansi.status == .unparsed && ansi.tables.isEmpty)
        #expect(
            TableExtractor.extract("SELECT * FROM `a``b`", defaultDB: "app").tables == [
                TableRef(db: "app", name: "a`b")
            ])
    }
}
