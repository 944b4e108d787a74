import Foundation

/// A Percona audit_log plugin record as the plugin hands it to syslog(3) (its own LFs and trailing
/// LF included, values escaped per format), and the fields the event must carry for it.
struct PluginRecord: Sendable {
    var label: String
    var format: String
    var text: String
    var fields: [(String, FieldValue)]

    var record: String {
        for (key, value) in fields where key == "record" {
            if case .text(let text) = value { return text }
        }
        fatalError("sample \(label) has no record field")
    }
}

/// One record of each kind in each of the four formats, with the escapes each format uses
/// (docs/FORMATS.md §2.1, §2.6). Record ids are unique, in syslog mode's `N_1970-01-01T00:00:00` form.
enum PluginRecords {
    static let all: [PluginRecord] = [
        jsonQuery, jsonFailedLogin, jsonAudit, newXMLQuery, newXMLQuit, oldXMLQuery, oldXMLConnect, csvProcedure,
        csvChangeUser,
    ]

    /// JSON escapes `"` `\` `/` and control characters; UTF-8 passes raw; `#012` is literal text.
    static let jsonQuery = PluginRecord(
        label: "JSON Query",
        format: "percona-json",
        text: #"""
            {"audit_record":{"name":"Query","record":"101_1970-01-01T00:00:00","timestamp":"2026-11-22T01:30:19Z","command_class":"select","connection_id":"41","status":0,"sqltext":"SELECT \"a\\b\", 'x\/y' FROM `t` WHERE c = 'line1\nline2\ttab' -- #012 stays, café 𝄞 \u001F","user":"app[app] @ web1 [10.0.0.5]","host":"web1","os_user":"","ip":"10.0.0.5","db":"billing"}}

            """#,
        fields: [
            ("name", "Query"), ("record", "101_1970-01-01T00:00:00"), ("timestamp", "2026-11-22T01:30:19Z"),
            ("command_class", "select"), ("connection_id", 41), ("status", 0),
            ("sqltext", "SELECT \"a\\b\", 'x/y' FROM `t` WHERE c = 'line1\nline2\ttab' -- #012 stays, café 𝄞 \u{1F}"),
            ("user", "app[app] @ web1 [10.0.0.5]"), ("host", "web1"), ("os_user", ""), ("ip", "10.0.0.5"),
            ("db", "billing"),
        ]
    )

    static let jsonFailedLogin = PluginRecord(
        label: "JSON Connect (failed login)",
        format: "percona-json",
        text: #"""
            {"audit_record":{"name":"Connect","record":"102_1970-01-01T00:00:00","timestamp":"2026-11-22T01:30:20Z","connection_id":"42","status":1045,"user":"mallory","priv_user":"","os_login":"","proxy_user":"","host":"attacker.example","ip":"192.0.2.66","db":""}}

            """#,
        fields: [
            ("name", "Connect"), ("record", "102_1970-01-01T00:00:00"), ("timestamp", "2026-11-22T01:30:20Z"),
            ("connection_id", 42), ("status", 1045), ("user", "mallory"), ("priv_user", ""), ("os_login", ""),
            ("proxy_user", ""), ("host", "attacker.example"), ("ip", "192.0.2.66"), ("db", ""),
        ]
    )

    /// The plugin's `startup_optionsi` key (sic) becomes `startup_options`.
    static let jsonAudit = PluginRecord(
        label: "JSON Audit",
        format: "percona-json",
        text: #"""
            {"audit_record":{"name":"Audit","record":"103_1970-01-01T00:00:00","timestamp":"2026-11-22T01:30:00 UTC","mysql_version":"8.0.36-28","startup_optionsi":"--basedir=/usr --datadir=/var/lib/mysql --plugin-load=audit_log.so","os_version":"x86_64-Linux"}}

            """#,
        fields: [
            ("name", "Audit"), ("record", "103_1970-01-01T00:00:00"), ("timestamp", "2026-11-22T01:30:00 UTC"),
            ("mysql_version", "8.0.36-28"),
            ("startup_options", "--basedir=/usr --datadir=/var/lib/mysql --plugin-load=audit_log.so"),
            ("os_version", "x86_64-Linux"),
        ]
    )

    /// NEW (elements): `&lt;` `&gt;` `&amp;` `&quot;` `&#10;` `&#9;` inside a value; `#012` literal.
    static let newXMLQuery = PluginRecord(
        label: "NEW XML Query",
        format: "percona-new-xml",
        text: """
            <AUDIT_RECORD>
              <NAME>Query</NAME>
              <RECORD>104_1970-01-01T00:00:00</RECORD>
              <TIMESTAMP>2026-11-22T01:30:21Z</TIMESTAMP>
              <COMMAND_CLASS>select</COMMAND_CLASS>
              <CONNECTION_ID>43</CONNECTION_ID>
              <STATUS>0</STATUS>
              <SQLTEXT>SELECT * FROM t WHERE a &lt; 1 AND b &gt; 2 AND c = &quot;x&amp;y&quot;&#10;  AND d = 'tab&#9;here' -- #012 literal</SQLTEXT>
              <USER>app[app] @ web1 [10.0.0.5]</USER>
              <HOST>web1</HOST>
              <OS_USER></OS_USER>
              <IP>10.0.0.5</IP>
              <DB>shop</DB>
            </AUDIT_RECORD>

            """,
        fields: [
            ("name", "Query"), ("record", "104_1970-01-01T00:00:00"), ("timestamp", "2026-11-22T01:30:21Z"),
            ("command_class", "select"), ("connection_id", 43), ("status", 0),
            ("sqltext", "SELECT * FROM t WHERE a < 1 AND b > 2 AND c = \"x&y\"\n  AND d = 'tab\there' -- #012 literal"),
            ("user", "app[app] @ web1 [10.0.0.5]"), ("host", "web1"), ("os_user", ""), ("ip", "10.0.0.5"),
            ("db", "shop"),
        ]
    )

    static let newXMLQuit = PluginRecord(
        label: "NEW XML Quit",
        format: "percona-new-xml",
        text: """
            <AUDIT_RECORD>
              <NAME>Quit</NAME>
              <RECORD>105_1970-01-01T00:00:00</RECORD>
              <TIMESTAMP>2026-11-22T01:30:22Z</TIMESTAMP>
              <CONNECTION_ID>43</CONNECTION_ID>
              <STATUS>0</STATUS>
              <USER>app</USER>
              <PRIV_USER>app</PRIV_USER>
              <OS_LOGIN></OS_LOGIN>
              <PROXY_USER></PROXY_USER>
              <HOST>web1</HOST>
              <IP>10.0.0.5</IP>
              <DB>shop</DB>
            </AUDIT_RECORD>

            """,
        fields: [
            ("name", "Quit"), ("record", "105_1970-01-01T00:00:00"), ("timestamp", "2026-11-22T01:30:22Z"),
            ("connection_id", 43), ("status", 0), ("user", "app"), ("priv_user", "app"), ("os_login", ""),
            ("proxy_user", ""), ("host", "web1"), ("ip", "10.0.0.5"), ("db", "shop"),
        ]
    )

    /// OLD (attributes): entities and `&#10;` inside attribute values, `'` raw, ` UTC` timestamp.
    static let oldXMLQuery = PluginRecord(
        label: "OLD XML Query",
        format: "percona-old-xml",
        text: """
            <AUDIT_RECORD
              NAME="Query"
              RECORD="106_1970-01-01T00:00:00"
              TIMESTAMP="2021-06-30T15:07:58 UTC"
              COMMAND_CLASS="update"
              CONNECTION_ID="44"
              STATUS="1064"
              SQLTEXT="UPDATE t SET v = &quot;&lt;b&gt;&quot;&#10;WHERE id &lt;&gt; 3 AND note = 'it''s' &amp;&amp; 1"
              USER="root[root] @ localhost []"
              HOST="localhost"
              OS_USER=""
              IP=""
              DB="test"
            />

            """,
        fields: [
            ("name", "Query"), ("record", "106_1970-01-01T00:00:00"), ("timestamp", "2021-06-30T15:07:58 UTC"),
            ("command_class", "update"), ("connection_id", 44), ("status", 1064),
            ("sqltext", "UPDATE t SET v = \"<b>\"\nWHERE id <> 3 AND note = 'it''s' && 1"),
            ("user", "root[root] @ localhost []"), ("host", "localhost"), ("os_user", ""), ("ip", ""), ("db", "test"),
        ]
    )

    static let oldXMLConnect = PluginRecord(
        label: "OLD XML Connect",
        format: "percona-old-xml",
        text: """
            <AUDIT_RECORD
              NAME="Connect"
              RECORD="107_1970-01-01T00:00:00"
              TIMESTAMP="2026-11-22T01:30:23Z"
              CONNECTION_ID="45"
              STATUS="0"
              USER="app"
              PRIV_USER="app"
              OS_LOGIN=""
              PROXY_USER=""
              HOST="web1"
              IP="10.0.0.5"
              DB="shop"
            />

            """,
        fields: [
            ("name", "Connect"), ("record", "107_1970-01-01T00:00:00"), ("timestamp", "2026-11-22T01:30:23Z"),
            ("connection_id", 45), ("status", 0), ("user", "app"), ("priv_user", "app"), ("os_login", ""),
            ("proxy_user", ""), ("host", "web1"), ("ip", "10.0.0.5"), ("db", "shop"),
        ]
    )

    /// CSV: raw LF, TAB and CR inside SQL (rsyslog turns them into #012/#011/#015), `""` doubling.
    static let csvProcedure = PluginRecord(
        label: "CSV Query with raw LF/TAB/CR",
        format: "percona-csv",
        text: "\"Query\",\"108_1970-01-01T00:00:00\",\"2026-11-22T01:30:24Z\",\"create_procedure\",\"46\",0,"
            + "\"CREATE PROCEDURE p1()\nBEGIN\n\tSELECT \"\"q\"\", 'a,b';\r\nEND\","
            + "\"root[root] @ localhost []\",\"localhost\",\"\",\"\",\"db1\"\n",
        fields: [
            ("name", "Query"), ("record", "108_1970-01-01T00:00:00"), ("timestamp", "2026-11-22T01:30:24Z"),
            ("command_class", "create_procedure"), ("connection_id", 46), ("status", 0),
            ("sqltext", "CREATE PROCEDURE p1()\nBEGIN\n\tSELECT \"q\", 'a,b';\r\nEND"),
            ("user", "root[root] @ localhost []"), ("host", "localhost"), ("os_user", ""), ("ip", ""), ("db", "db1"),
        ]
    )

    static let csvChangeUser = PluginRecord(
        label: "CSV Change user",
        format: "percona-csv",
        text:
            "\"Change user\",\"109_1970-01-01T00:00:00\",\"2026-11-22T01:30:25Z\",\"47\",0,\"report\",\"report\",\"\",\"\","
            + "\"localhost\",\"\",\"\"\n",
        fields: [
            ("name", "Change user"), ("record", "109_1970-01-01T00:00:00"), ("timestamp", "2026-11-22T01:30:25Z"),
            ("connection_id", 47), ("status", 0), ("user", "report"), ("priv_user", "report"), ("os_login", ""),
            ("proxy_user", ""), ("host", "localhost"), ("ip", ""), ("db", ""),
        ]
    )

    /// A plugin JSON Query record of about `bytes` bytes, its SQL padded to size.
    static func jsonQuery(record: String, sql: String, connection: Int = 7) -> String {
        #"{"audit_record":{"name":"Query","record":"\#(record)","timestamp":"2026-11-22T01:30:19Z","command_class":"insert","connection_id":"\#(connection)","status":0,"sqltext":"\#(sql)","user":"app[app] @ web1 [10.0.0.5]","host":"web1","os_user":"","ip":"10.0.0.5","db":"billing"}}"#
    }

    /// The same, framed as rsyslog forwards it (traditional format, LF-terminated).
    static func forwardedLine(record: String, sql: String = "SELECT 1") -> String {
        "<14>Nov 22 01:30:19 db1 percona-audit: \(jsonQuery(record: record, sql: sql))\n"
    }

    /// The same as an octet-counted RFC 5424 frame.
    static func octetFrame(record: String, sql: String = "SELECT 1") -> String {
        let message =
            "<14>1 2026-11-22T01:30:19.000001+00:00 db1 percona-audit - - - \(jsonQuery(record: record, sql: sql))"
        return "\(message.utf8.count) \(message)"
    }
}
