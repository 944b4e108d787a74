/// Detects a message's dialect from its first bytes and parses it.
public struct AuditParser: Sendable {
    public let dialects: [any AuditDialect]

    /// The Percona `audit_log` plugin's formats: JSON, NEW XML, OLD XML, CSV.
    public static let percona: [any AuditDialect] = [
        PerconaJSONDialect(), PerconaNewXMLDialect(), PerconaOldXMLDialect(), PerconaCSVDialect(),
    ]

    /// Every dialect read today: the audit log filter's NEW and OLD XML (before the plugin's, whose
    /// openers they share: they have a `RECORD_ID`), the Percona plugin's, the audit log filter's
    /// JSON (a `{` whose first key is `timestamp`, `id` or `class`, or a file's `[`/`]` line), then
    /// MariaDB server_audit (whose lines start with a host name or a timestamp, never with `{`, `<`
    /// or `"`). The first that recognizes a message parses it (docs/FORMATS.md §1.2).
    public static let all: [any AuditDialect] =
        [AuditFilterNewXMLDialect(), AuditFilterOldXMLDialect()] + percona + [
            AuditFilterJSONDialect(), MariaDBAuditDialect(),
        ]

    public init(dialects: [any AuditDialect] = AuditParser.all) {
        self.dialects = dialects
    }

    public func parse(_ message: UnsafeRawBufferPointer) -> Result<AuditRecord, AuditParseError> {
        for dialect in dialects where dialect.recognizes(message) {
            return dialect.parse(message)
        }
        return .failure(AuditParseError(.notAnAuditRecord, format: nil, offset: 0, Self.describeStart(message)))
    }

    public func parse(_ bytes: [UInt8]) -> Result<AuditRecord, AuditParseError> {
        bytes.withUnsafeBytes { parse($0) }
    }

    private static func describeStart(_ message: UnsafeRawBufferPointer) -> String {
        if message.isEmpty { return "empty message" }
        let shown = message.prefix(24).map { $0 >= 0x20 && $0 < 0x7F ? Character(UnicodeScalar($0)) : "." }
        return "not an audit record in a known format (starts with \"\(String(shown))\")"
    }
}
