import Foundation
import SieveAudit
import Testing

@Suite("Percona XML dialects")
struct XMLDialectTests {
    static let new = """
        <AUDIT_RECORD>
          <NAME>Ping</NAME>
          <RECORD>1_x</RECORD>
          <TIMESTAMP>t</TIMESTAMP>
          <COMMAND_CLASS>error</COMMAND_CLASS>
          <CONNECTION_ID>3</CONNECTION_ID>
          <STATUS>0</STATUS>
          <SQLTEXT>v</SQLTEXT>
          <USER>u</USER>
          <HOST>h</HOST>
          <OS_USER></OS_USER>
          <IP></IP>
          <DB></DB>
        </AUDIT_RECORD>

        """

    static let old = """
        <AUDIT_RECORD
          NAME="Ping"
          RECORD="1_x"
          TIMESTAMP="t"
          COMMAND_CLASS="error"
          CONNECTION_ID="3"
          STATUS="0"
          SQLTEXT="v"
          USER="u"
          HOST="h"
          OS_USER=""
          IP=""
          DB=""
        />

        """

    static func newWith(sqltext: String) -> String {
        new.replacingOccurrences(of: "<SQLTEXT>v<", with: "<SQLTEXT>\(sqltext)<")
    }
    static func oldWith(sqltext: String) -> String {
        old.replacingOccurrences(of: "SQLTEXT=\"v\"", with: "SQLTEXT=\"\(sqltext)\"")
    }

    @Test("entities and character references decode, including the plugin's &#1;…&#31;")
    func entities() throws {
        let escaped = "&lt;&gt;&amp;&quot;&apos;&#1;&#9;&#10;&#13;&#31;&#xE9;&#x1F600;'#012"
        let expected = "<>&\"'\u{1}\t\n\r\u{1F}é😀'#012"
        #expect(try parse(Self.newWith(sqltext: escaped)).get().string(.sqltext) == expected)
        #expect(try parse(Self.oldWith(sqltext: escaped)).get().string(.sqltext) == expected)
    }

    @Test("bad references are syntax errors")
    func badEntities() {
        for text in ["a & b", "&nbsp;", "&#;", "&#0;", "&#xD800;", "&#1114112;", "&#12a;"] {
            #expect(parse(Self.newWith(sqltext: text)).error?.code == .syntax, "\(text)")
            #expect(parse(Self.oldWith(sqltext: text)).error?.code == .syntax, "\(text)")
        }
    }

    @Test("NEW: elements in any order, <OS_USER/> empty, #012/#011/#015 between elements")
    func newVariants() throws {
        let shuffled =
            "<AUDIT_RECORD>#012<DB>d</DB>#011<OS_USER/>#015\r\n<IP></IP><NAME>Ping</NAME>"
            + "<HOST>h</HOST><USER>u</USER><SQLTEXT></SQLTEXT><STATUS>0</STATUS><CONNECTION_ID>3</CONNECTION_ID>"
            + "<COMMAND_CLASS>error</COMMAND_CLASS><TIMESTAMP>t</TIMESTAMP><RECORD>1</RECORD></AUDIT_RECORD>#012"
        let record = try parse(shuffled).get()
        #expect(record.kind == .general)
        #expect(record.string(.osUser) == "")
        #expect(record.string(.db) == "d")
        #expect(record.emittedFields == AuditRecordKind.general.fields)
    }

    @Test("NEW errors: unknown element, mismatched close, text outside elements, trailing data")
    func newErrors() throws {
        let unknown = try #require(parse(Self.new.replacingOccurrences(of: "<DB></DB>", with: "<FOO></FOO>")).error)
        #expect(unknown.code == .fields)
        #expect(unknown.reason == "unknown element <FOO>")
        #expect(parse(Self.new.replacingOccurrences(of: "<DB></DB>", with: "<DB></IP>")).error?.code == .syntax)
        #expect(parse(Self.new.replacingOccurrences(of: "<DB></DB>", with: "<DB></DB>x")).error?.code == .syntax)
        #expect(parse(Self.new.replacingOccurrences(of: "<DB></DB>", with: "<DB a=\"1\"></DB>")).error?.code == .syntax)
        #expect(parse(Self.new + "<AUDIT_RECORD>").error?.code == .trailingData)
        let missing = try #require(parse(Self.new.replacingOccurrences(of: "<DB></DB>", with: "")).error)
        #expect(missing.code == .fields)
        #expect(missing.reason == "the Ping record lacks field DB")
    }

    @Test("OLD: #012 between attributes, spaces around '=', a closing /> on the same line")
    func oldVariants() throws {
        let text = Self.old.replacingOccurrences(of: "\n", with: "#012").replacingOccurrences(
            of: "IP=\"\"", with: "IP = \"\"")
        let record = try parse(text).get()
        #expect(record.format == .perconaOldXML)
        #expect(record.string(.ip) == "")
    }

    @Test("OLD errors name the problem")
    func oldErrors() throws {
        let cases: [(String, String, AuditParseError.Code, String)] = [
            ("NAME=\"Ping\"", "\"NAME\"=\"Ping\"", .syntax, "attribute names must not be quoted"),
            ("NAME=\"Ping\"", "NAME \"Ping\"", .syntax, "expected '=' after attribute name"),
            ("DB=\"\"", "DB=\"\",", .syntax, "expected an attribute name or '/>', found ','"),
            ("DB=\"\"", "DB=''", .syntax, "attribute values must be in double quotes"),
            ("DB=\"\"", "DB=\"\"IP2=\"\"", .syntax, "expected whitespace between attributes"),
            ("DB=\"\"", "DB=\"\" TABLE=\"t\"", .fields, "unknown attribute TABLE"),
            ("\n/>", "\n>", .syntax, "an OLD record closes with '/>', not '>'"),
        ]
        for (old, new, code, reason) in cases {
            let error = try #require(parse(Self.old.replacingOccurrences(of: old, with: new)).error)
            #expect(error.code == code, "\(new)")
            #expect(error.reason == reason)
        }
    }

    @Test("<AUDIT_RECORD> is NEW, <AUDIT_RECORD + space is OLD, longer names are neither")
    func recognition() {
        func formats(_ text: String) -> [AuditFormat] {
            Array(text.utf8).withUnsafeBytes { bytes in
                AuditParser.percona.filter { $0.recognizes(bytes) }.map(\.format)
            }
        }
        #expect(formats("<AUDIT_RECORD>") == [.perconaNewXML])
        #expect(formats(" <AUDIT_RECORD\n") == [.perconaOldXML])
        #expect(formats("<AUDIT_RECORD#012") == [.perconaOldXML])
        #expect(formats("<AUDIT_RECORDS>").isEmpty)
        #expect(formats("<AUDIT_RECORD").isEmpty)
        #expect(formats("<AUDIT>").isEmpty)
    }
}
