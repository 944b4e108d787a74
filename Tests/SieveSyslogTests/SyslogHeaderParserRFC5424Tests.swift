import SieveSyslog
import Testing

@Suite("Header: RFC 5424")
struct SyslogHeaderParserRFC5424Tests {
    @Test("rsyslog's RFC 5424 forward format, nil values and leading spaces")
    func rsyslogForward() {
        #expect(
            header("<14>1 2026-11-22T01:28:43.816561+00:00 vm mysql-server_auditing - - -   vm,root,localhost,3,0")
                == Header(
                    format: .rfc5424, facility: 1, severity: 6, timestamp: "2026-11-22T01:28:43.816561+00:00",
                    hostname: "vm", appName: "mysql-server_auditing", msg: "vm,root,localhost,3,0"
                )
        )
    }

    @Test("every field, several structured data elements and a BOM before MSG")
    func everyField() {
        let sd = "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\"][examplePriority@32473 class=\"high\"]"
        let input =
            "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 1234 ID47 \(sd) \u{FEFF}An app event"
        #expect(
            header(input)
                == Header(
                    format: .rfc5424, facility: 20, severity: 5, timestamp: "2003-10-11T22:14:15.003Z",
                    hostname: "mymachine.example.com", appName: "evntslog", procID: "1234", msgID: "ID47",
                    structuredData: sd,
                    msg: "An app event"
                )
        )
    }

    @Test("escaped ']', '\"' and '\\' inside structured data values")
    func escapedStructuredData() {
        let sd = #"[id k="v\]" q="a\"b]" s="c\\"][x@1 y="]"]"#
        #expect(
            header("<14>1 - - app - - \(sd) msg")
                == Header(format: .rfc5424, facility: 1, severity: 6, appName: "app", structuredData: sd, msg: "msg")
        )
    }

    @Test("MSG absent")
    func messageAbsent() {
        #expect(
            header("<14>1 2026-11-22T01:28:43Z vm app - - -")
                == Header(
                    format: .rfc5424, facility: 1, severity: 6, timestamp: "2026-11-22T01:28:43Z", hostname: "vm",
                    appName: "app", msg: ""
                )
        )
        #expect(header("<14>1 - - - - - -") == Header(format: .rfc5424, facility: 1, severity: 6, msg: ""))
        #expect(
            header("<14>1 - - - - - [a b=\"c\"]")
                == Header(format: .rfc5424, facility: 1, severity: 6, structuredData: "[a b=\"c\"]", msg: "")
        )
        #expect(
            header("<14>1 2026-11-22T01:28:43Z vm")
                == Header(
                    format: .rfc5424, facility: 1, severity: 6, timestamp: "2026-11-22T01:28:43Z", hostname: "vm",
                    msg: ""
                )
        )
    }

    @Test("structured data that is not '-' or '[', or never closes, is MSG")
    func notStructuredData() {
        #expect(
            header("<14>1 - vm app - - hello world")
                == Header(
                    format: .rfc5424, facility: 1, severity: 6, hostname: "vm", appName: "app", msg: "hello world")
        )
        #expect(
            header("<14>1 - vm app - - [id k=\"v] msg")
                == Header(
                    format: .rfc5424, facility: 1, severity: 6, hostname: "vm", appName: "app", msg: "[id k=\"v] msg"
                )
        )
        #expect(
            header("<14>1 - vm app - - -x")
                == Header(format: .rfc5424, facility: 1, severity: 6, hostname: "vm", appName: "app", msg: "-x")
        )
    }
}
