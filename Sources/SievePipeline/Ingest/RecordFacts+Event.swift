import SieveAudit
import SieveEvent
import SieveRules

extension RecordFacts {
    /// What the decision needs, read from an event whose tables were extracted.
    init(_ event: AuditEvent) {
        guard case .success(let record) = event.record else {
            self.init(kind: .unrecognized)
            return
        }
        let kind: Kind =
            switch record.kind {
            case .audit: .audit
            case .connection: .connection
            case .general, nil: .general
            }
        let status = record.value(.status).flatMap { Int(String(decoding: $0, as: UTF8.self)) } ?? 0
        self.init(
            kind: kind, status: status, commandClass: record.string(.commandClass) ?? "",
            setsAuditLog: record.value(.sqltext).map(AuditLogStatement.setsAuditLog) ?? false,
            extraction: event.tables, truncated: record.truncated
        )
    }
}
