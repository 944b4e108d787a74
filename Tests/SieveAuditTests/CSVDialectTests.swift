import Foundation
import SieveAudit
import Testing

@Suite("Percona CSV dialect")
struct CSVDialectTests {
    static let query = #""Query","1_x","t","select","7",0,"v","u[u] @ h []","h","","","d""#

    static func with(sqltext: String) -> String { query.replacingOccurrences(of: #","v","#, with: #","\#(sqltext)","#) }

    @Test("inside values #000–#037 become control bytes; other #-text stays")
    func rsyslogEscapes() throws {
        let record = try parse(Self.with(sqltext: "a#012b#011c#015d#000e#037f#040g#09h#0")).get()
        #expect(record.string(.sqltext) == "a\nb\tc\rd\u{0}e\u{1F}f#040g#09h#0")
    }

    @Test("raw LF, CR, TAB, commas and backslashes inside values are kept")
    func rawBytes() throws {
        #expect(try parse(Self.with(sqltext: "a\nb\r\tc,\\d\"\"e")).get().string(.sqltext) == "a\nb\r\tc,\\d\"e")
    }

    @Test("every field may be bare or quoted")
    func bareOrQuoted() throws {
        let record = try parse(Self.query.replacingOccurrences(of: #","7",0,"#, with: #",7,"0","#)).get()
        #expect(record.string(.connectionID) == "7")
        #expect(record.string(.status) == "0")
        #expect(try parse(Self.query + "#012").get().string(.db) == "d")
        #expect(try parse(Self.query + "\r\n").get().string(.db) == "d")
    }

    @Test("NAME decides the field count: 6 for Audit, 12 otherwise")
    func fieldCounts() throws {
        let audit = try parse(#""Audit","1_x","t","5.7","--x","x86_64-linux""#).get()
        #expect(audit.kind == .audit)
        #expect(audit.string(.osVersion) == "x86_64-linux")
        let short = try #require(parse(Self.query.replacingOccurrences(of: #","d""#, with: "")).error)
        #expect(short.reason == "CSV Query record has 11 fields, expected 12")
        let long = try #require(parse(Self.query + #","x""#).error)
        #expect(long.code == .fields)
        #expect(long.reason == "CSV Query record has more than 12 fields")
        let quit = try #require(parse(#""Quit","1","t","5",0,"u""#).error)
        #expect(quit.reason == "CSV Quit record has 6 fields, expected 12")
    }

    @Test("syntax errors and trailing data")
    func errors() {
        #expect(parse(Self.query.replacingOccurrences(of: #","7","#, with: #", "7","#)).error?.code == .syntax)
        #expect(parse(Self.query.replacingOccurrences(of: #""select""#, with: #""select"x"#)).error?.code == .syntax)
        #expect(parse(Self.query + "\n" + Self.query).error?.code == .trailingData)
        #expect(parse(Self.query + "\n\"x\"").error?.code == .trailingData)
    }
}
