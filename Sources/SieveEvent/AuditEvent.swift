import NIOCore
import SieveAudit
import SieveSQL
import SieveSyslog

/// One received message on its way to the sinks: the syslog message as it arrived, its parsed
/// header, and the audit record read from its MSG (or why none could be read).
///
/// Every message becomes exactly one event; a message that is not an audit record is an event
/// with `format: "unknown"` rather than a silent drop.
public struct AuditEvent: Sendable {
    /// The syslog message as framed (header and MSG, without framing bytes).
    public var message: ByteBuffer
    public var header: SyslogMessage
    /// The audit record read from MSG; for a message that is not one, an empty record of format
    /// `unknown`, and `parseError` says why. Read in place (`event.parsed.kind`): on the per-record
    /// path a `case .success(let record) = event.record` copied the ~300-byte record with four
    /// reference counts, several times per event.
    public var parsed: AuditRecord
    /// Why MSG is not an audit record; `nil` when `parsed` holds it.
    public var parseError: AuditParseError?
    /// `parsed` or `parseError`, as one value (a copy: not for the per-record path).
    public var record: Result<AuditRecord, AuditParseError> {
        get { parseError.map { .failure($0) } ?? .success(parsed) }
        set { (parsed, parseError) = Self.parts(of: newValue) }
    }

    /// A parse result as the two stored properties (an empty `unknown` record for a failure).
    private static func parts(of result: consuming Result<AuditRecord, AuditParseError>) -> (
        AuditRecord, AuditParseError?
    ) {
        switch result {
        case .success(let record): (record, nil)
        case .failure(let error): (AuditRecord(format: .unknown, capacity: 0), error)
        }
    }
    /// MSG held an audit record. (The small getters are inlinable: the pipeline, another module,
    /// otherwise calls them per message; `format` was 0.5 % of the receiver's samples.)
    @inlinable public var isParsed: Bool { parseError == nil }
    /// The sender's address, `ip:port` (`[v6]:port`).
    public var peer: String
    public var receivedAt: EventTime
    /// The listener cut the message at `max_message_bytes`.
    public var oversizeTruncated: Bool
    /// The tables the record's SQL names; `nil` for records without SQL (`tables_status: none`).
    public var tables: TableExtraction?
    /// Set by the rules: the cluster that took the record and why it was kept.
    public var verdict: EventVerdict?
    /// The table records the server wrote before this statement, joined to it (`TableRecordJoiner`):
    /// its `tables` are theirs. Empty for nearly every event.
    public var tableRecords: [AuditEvent] = []
    /// `tables` were named by the server (a table record, or the table records joined to this
    /// statement), not read from SQL text. Set with `tables`.
    public internal(set) var tablesFromServer = false
    /// The message's position in its input, for `explain` (0 elsewhere).
    public var inputIndex = 0
    /// The client certificate's name when the message came over TLS with a client certificate.
    public var peerCertificate: String?
    /// The source host to route and count by instead of the header's HOSTNAME, when the sender's
    /// certificate does not cover that HOSTNAME (`source_identity: certificate`).
    public var sourceHostOverride: [UInt8]?
    /// What a sink's `redact:` replaced in this copy of the event (`passwords`, `literals`,
    /// `re:PATTERN`), in the order applied; empty for an event as it was received.
    public var redacted: [String] = []

    public init(
        message: ByteBuffer, header: SyslogMessage, record: consuming Result<AuditRecord, AuditParseError>,
        peer: String, receivedAt: EventTime, oversizeTruncated: Bool = false
    ) {
        self.message = message
        self.header = header
        (self.parsed, self.parseError) = Self.parts(of: consume record)
        self.peer = peer
        self.receivedAt = receivedAt
        self.oversizeTruncated = oversizeTruncated
        self.tables = nil
        self.verdict = nil
    }

    /// Parses a framed syslog message into an event.
    public init(
        message: ByteBuffer, peer: String, receivedAt: EventTime, oversizeTruncated: Bool = false,
        parser: AuditParser
    ) {
        let (header, record) = message.withUnsafeReadableBytes { bytes in
            let header = SyslogHeaderParser.parse(bytes)
            let msg = UnsafeRawBufferPointer(rebasing: bytes[header.msg])
            return (header, parser.parse(msg))
        }
        self.init(
            message: message, header: header, record: record, peer: peer, receivedAt: receivedAt,
            oversizeTruncated: oversizeTruncated
        )
    }

    @inlinable public var format: AuditFormat { isParsed ? parsed.format : .unknown }

    @inlinable public var isTruncated: Bool { isParsed && parsed.truncated }
}
