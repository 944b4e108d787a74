import SieveSyslog
import Testing

@Suite("Header: RFC 3164 and syslog(3)")
struct SyslogHeaderParserRFC3164Tests {
    @Test(
        "rsyslog's traditional forward format",
        arguments: [
            (
                "<14>Nov 22 01:30:19 vm percona-audit: <AUDIT_RECORD#012  NAME=\"Query\"",
                Header(
                    format: .rfc3164, facility: 1, severity: 6, timestamp: "Nov 22 01:30:19", hostname: "vm",
                    appName: "percona-audit", msg: "<AUDIT_RECORD#012  NAME=\"Query\""
                )
            ),
            (
                "<14>Nov  2 01:30:19 vm percona-audit:   {\"audit_record\":{}}",
                Header(
                    format: .rfc3164, facility: 1, severity: 6, timestamp: "Nov  2 01:30:19", hostname: "vm",
                    appName: "percona-audit", msg: "{\"audit_record\":{}}"
                )
            ),
            (
                "<30>Dec 01 23:59:59 db1.example.com mysqld[123]: x y",
                Header(
                    format: .rfc3164, facility: 3, severity: 6, timestamp: "Dec 01 23:59:59",
                    hostname: "db1.example.com", appName: "mysqld", procID: "123", msg: "x y"
                )
            ),
            (
                "<14>Nov 22 01:30:19 vm mysqld: audit-filter:   {#012    \"timestamp\"",
                Header(
                    format: .rfc3164, facility: 1, severity: 6, timestamp: "Nov 22 01:30:19", hostname: "vm",
                    appName: "mysqld", msg: "audit-filter:   {#012    \"timestamp\""
                )
            ),
            (
                "<86>Jan  9 00:00:00 vm postfix/smtpd[77]: connect",
                Header(
                    format: .rfc3164, facility: 10, severity: 6, timestamp: "Jan  9 00:00:00", hostname: "vm",
                    appName: "postfix/smtpd", procID: "77", msg: "connect"
                )
            ),
        ]
    )
    func forwarded(input: String, expected: Header) {
        #expect(header(input) == expected)
    }

    @Test("glibc syslog(3) writes no hostname: the first token ending in ':' is the tag")
    func withoutHostname() {
        #expect(
            header("<14>Nov 22 01:27:55 mysql-server_auditing:  vm,root,localhost,3,0,CONNECT,,,0")
                == Header(
                    format: .rfc3164, facility: 1, severity: 6, timestamp: "Nov 22 01:27:55",
                    appName: "mysql-server_auditing", msg: "vm,root,localhost,3,0,CONNECT,,,0"
                )
        )
        #expect(
            header("<14>Nov 22 01:27:55 mysqld[4242]: x")
                == Header(
                    format: .rfc3164, facility: 1, severity: 6, timestamp: "Nov 22 01:27:55", appName: "mysqld",
                    procID: "4242", msg: "x"
                )
        )
    }

    @Test("rsyslog's RFC 3339 timestamp variant")
    func rfc3339Timestamp() {
        #expect(
            header("<14>2026-11-22T01:28:43.816561+00:00 vm tag: msg")
                == Header(
                    format: .rfc3164, facility: 1, severity: 6, timestamp: "2026-11-22T01:28:43.816561+00:00",
                    hostname: "vm", appName: "tag", msg: "msg"
                )
        )
    }

    @Test("after the hostname, a token without ':' is no tag: MSG starts there")
    func noTag() {
        #expect(
            header("<14>Nov 22 01:30:19 vm hello world: x")
                == Header(
                    format: .rfc3164, facility: 1, severity: 6, timestamp: "Nov 22 01:30:19", hostname: "vm",
                    msg: "hello world: x"
                )
        )
        #expect(
            header("<14>Nov 22 01:30:19 vm mysqld[12] x")
                == Header(
                    format: .rfc3164, facility: 1, severity: 6, timestamp: "Nov 22 01:30:19", hostname: "vm",
                    msg: "mysqld[12] x"
                )
        )
    }

    @Test("a header that ends early leaves MSG empty")
    func shortHeaders() {
        #expect(
            header("<14>Nov 22 01:30:19 vm")
                == Header(
                    format: .rfc3164, facility: 1, severity: 6, timestamp: "Nov 22 01:30:19", hostname: "vm", msg: "")
        )
        #expect(
            header("<14>Nov 22 01:30:19")
                == Header(format: .rfc3164, facility: 1, severity: 6, timestamp: "Nov 22 01:30:19", msg: "")
        )
        #expect(
            header("<14>Nov 22 01:30:19 vm tag:")
                == Header(
                    format: .rfc3164, facility: 1, severity: 6, timestamp: "Nov 22 01:30:19", hostname: "vm",
                    appName: "tag", msg: ""
                )
        )
        #expect(header("<14>") == Header(format: .rfc3164, facility: 1, severity: 6, msg: ""))
    }

    @Test("without a timestamp, a leading tag is read and nothing is taken for the hostname")
    func withoutTimestamp() {
        #expect(
            header("<13>myapp[42]: hello")
                == Header(format: .rfc3164, facility: 1, severity: 5, appName: "myapp", procID: "42", msg: "hello")
        )
        #expect(header("<14>just text") == Header(format: .rfc3164, facility: 1, severity: 6, msg: "just text"))
        #expect(
            header("<14>Xyz 22 01:30:19 vm tag: m")
                == Header(format: .rfc3164, facility: 1, severity: 6, msg: "Xyz 22 01:30:19 vm tag: m")
        )
        #expect(
            header("<14>Nov 22 01:30:19x vm tag: m")
                == Header(format: .rfc3164, facility: 1, severity: 6, msg: "Nov 22 01:30:19x vm tag: m")
        )
    }
}
