import Foundation
import SieveAudit
import Testing

@Suite("Percona JSON dialect")
struct JSONDialectTests {
    static let connect =
        #"{"audit_record":{"name":"Quit","record":"1_x","timestamp":"t","connection_id":"9","status":0,"#
        + #""user":"u","priv_user":"u","os_login":"","proxy_user":"","host":"h","ip":"","db":"d"}}"#

    static func connect(replacing old: String, with new: String) -> String {
        connect.replacingOccurrences(of: old, with: new)
    }

    @Test("whitespace between tokens and a trailing LF, CRLF or #012 are accepted")
    func whitespace() throws {
        let spaced =
            "  { \"audit_record\" :\n{ \"name\" : \"Quit\" ,\t\"record\":\"1_x\",\"timestamp\":\"t\","
            + "\"connection_id\":9,\"status\":\"0\",\"user\":\"u\",\"priv_user\":\"u\",\"os_login\":\"\","
            + "\"proxy_user\":\"\",\"host\":\"h\",\"ip\":\"\",\"db\":\"d\" } }\r\n"
        let record = try parse(spaced).get()
        #expect(record.string(.connectionID) == "9")
        #expect(record.string(.status) == "0")
        #expect(try parse(Self.connect + "#012").get().truncated == false)
        #expect(try parse(Self.connect + "\n").get().truncated == false)
    }

    @Test("string escapes decode: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u, upper and lower hex")
    func escapes() throws {
        let record = try parse(
            Self.connect(replacing: #""host":"h""#, with: #""host":"a\"b\\c\/d\b\f\n\r\t\u000B\u001f\u00e9\u20AC""#)
        ).get()
        #expect(record.string(.host) == "a\"b\\c/d\u{8}\u{C}\n\r\t\u{B}\u{1F}é€")
    }

    @Test("surrogate pairs become 4-byte UTF-8; a lone surrogate becomes U+FFFD")
    func surrogates() throws {
        let pair = try parse(Self.connect(replacing: #""host":"h""#, with: #""host":"\uD83D\uDE00""#)).get()
        #expect(pair.value(.host).map(Array.init) == [0xF0, 0x9F, 0x98, 0x80])
        let lone = try parse(Self.connect(replacing: #""host":"h""#, with: #""host":"\uD83Dx\uDE00\uD800\u0041""#))
            .get()
        #expect(lone.string(.host) == "\u{FFFD}x\u{FFFD}\u{FFFD}A")
    }

    @Test("a literal #012 inside a JSON value stays text")
    func rsyslogTextStays() throws {
        let record = try parse(Self.connect(replacing: #""host":"h""#, with: ##""host":"a#012b""##)).get()
        #expect(record.string(.host) == "a#012b")
    }

    @Test("a raw control byte inside a string is a syntax error")
    func rawControl() throws {
        let error = try #require(parse(Self.connect(replacing: #""host":"h""#, with: "\"host\":\"a\nb\"")).error)
        #expect(error.code == .syntax)
        #expect(error.reason == "unescaped control character 0x0A in string")
    }

    @Test("syntax errors: bad escape, missing colon, true, trailing comma")
    func syntaxErrors() {
        for (old, new) in [
            (#""host":"h""#, #""host":"\x""#), (#""host":"h""#, #""host" "h""#), (#""status":0"#, #""status":true"#),
            (#""db":"d"}"#, #""db":"d",}"#), (#""status":0"#, #""status":-"#), (#""host":"h""#, #""host":"\u12G4""#),
        ] {
            #expect(parse(Self.connect(replacing: old, with: new)).error?.code == .syntax, "\(new)")
        }
    }

    @Test("keys are read the same whether 16 bytes follow them (two word loads) or not (byte by byte)")
    func keysNearTheEnd() throws {
        // The last key ("db") has fewer than 17 bytes after its quote; "user" and the rest more.
        let record = try parse(Self.connect).get()
        #expect(record.string(.db) == "d" && record.string(.user) == "u" && record.string(.connectionID) == "9")
        // Near-misses of field names, and names with an escape or a control byte, as keys: the same
        // error early in the record and as its last key.
        let keys = ["dbx", "d", "nam", "names", "connection_i", "command_classes", #"us\"er"#, #"us\u0065r"#, "us\u{1}er"]
        for key in keys {
            let early = Self.connect(replacing: #""user":"u""#, with: "\"\(key)\":\"u\"")
            let late = Self.connect(replacing: #""db":"d""#, with: "\"\(key)\":\"d\"")
            for text in [early, late] {
                let error = try #require(parse(text).error, "\(text)")
                #expect(error.code == (key.contains("\u{1}") ? .syntax : .fields), "\(key)")
            }
        }
    }

    @Test("unknown, duplicated, stray and missing keys are field errors")
    func fieldErrors() throws {
        let unknown = try #require(parse(Self.connect(replacing: #""db":"d""#, with: #""db":"d","table":"t""#)).error)
        #expect(unknown.code == .fields)
        #expect(unknown.reason == "unknown key \"table\"")
        #expect(parse(Self.connect(replacing: #""db":"d""#, with: #""db":"d","host":"x""#)).error?.code == .fields)
        #expect(parse(Self.connect(replacing: #""db":"d""#, with: #""db":"d","sqltext":"x""#)).error?.code == .fields)
        let missing = try #require(parse(Self.connect(replacing: #","db":"d""#, with: "")).error)
        #expect(missing.code == .fields)
        #expect(missing.reason == "the Quit record lacks field \"db\"")
        #expect(parse(#"{"audit_record":{}}"#).error?.code == .fields)
    }

    @Test("bytes after the record are trailing data")
    func trailingData() {
        #expect(parse(Self.connect + "\n{").error?.code == .trailingData)
        #expect(parse(Self.connect + "x").error?.code == .trailingData)
    }

    @Test("only {\"audit_record\" is recognized")
    func recognition() {
        let dialect = PerconaJSONDialect()
        for text in [#" {"audit_record":"#, #"{ "audit_record""#, "{\n\"audit_record\""] {
            #expect(Array(text.utf8).withUnsafeBytes { dialect.recognizes($0) }, "\(text)")
        }
        for text in ["{#012    \"timestamp\": \"x\"", "{\"audit_re", "[{\"audit_record\"", "{\"timestamp\":1}", ""] {
            #expect(!Array(text.utf8).withUnsafeBytes { dialect.recognizes($0) }, "\(text)")
            #expect(parse(Array(text.utf8), with: dialect).error?.code == .notAnAuditRecord)
        }
    }

    @Test("a cut bare number is not stored, but names its field")
    func cutNumber() throws {
        let text = Self.connect
        let cut = String(text[..<text.range(of: #""status":0"#)!.upperBound])
        let record = try parse(cut).get()
        #expect(record.truncated && record.truncatedField == .status && !record.has(.status))
        #expect(record.string(.connectionID) == "9")
    }
}
