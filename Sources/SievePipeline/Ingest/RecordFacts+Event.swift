import SieveAudit
import SieveEvent
import SieveRules
import SieveSQL

extension RecordFacts {
    /// What the decision needs, read from an event whose tables were extracted. Borrowed: an
    /// initializer's parameters are owned by default, which cost the caller a copy of the event.
    init(_ event: borrowing AuditEvent) {
        guard event.isParsed else {
            self.init(kind: .unrecognized)
            return
        }
        self = Self.read(event.parsed, tables: event.tables)
    }

    /// The facts of a parsed record (a parameter: read in place, not copied).
    private static func read(_ record: AuditRecord, tables: TableExtraction?) -> RecordFacts {
        let kind: Kind =
            switch record.kind {
            case .audit: .audit
            case .connection: .connection
            // A server-reported table record is judged by its table, as a statement is by its tables.
            case .general, .table, nil: .general
            }
        let (statusRead, setsAuditLog) = record.storage.withUnsafeBytes { storage in
            (
                record.range(of: .status).map { Self.integer(UnsafeRawBufferPointer(rebasing: storage[$0])) } ?? 0,
                record.range(of: .sqltext).map {
                    AuditLogStatement.setsAuditLog(UnsafeRawBufferPointer(rebasing: storage[$0]))
                }
                    ?? false
            )
        }
        var status = statusRead
        // MariaDB's FAILED_CONNECT is a failed login whatever its retcode says.
        if record.format == .mariadbAudit, status == 0,
            record.value(.operation)?.elementsEqual("FAILED_CONNECT".utf8) == true
        {
            status = 1
        }
        return RecordFacts(
            kind: kind, status: status, commandClass: record.string(.commandClass) ?? "", setsAuditLog: setsAuditLog,
            extraction: tables, truncated: record.truncated
        )
    }

    /// A decimal integer; anything else (a masked `<CONN_ID>`-style value) counts as non-zero.
    private static func integer(_ bytes: UnsafeRawBufferPointer) -> Int {
        var value = 0
        var negative = false
        for (offset, byte) in bytes.enumerated() {
            if offset == 0 && byte == UInt8(ascii: "-") {
                negative = true
                continue
            }
            guard byte >= 48 && byte <= 57, value < Int.max / 10 - 10 else { return -1 }
            value = value * 10 + Int(byte - 48)
        }
        return negative ? -value : value
    }
}
