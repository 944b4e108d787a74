import SieveAudit
import SieveEvent
import SieveSQL

/// A kept event as `/tail` clients see it: its JSON line, and what their filters look at.
package struct TailEvent: Sendable {
    /// The event's JSON encoding with its LF, exactly as a `json` sink writes it.
    package var line: [UInt8]
    package var cluster: String
    package var tables: [TableRef]
    /// The record's `user` field as the plugin wrote it; `nil` when it has none.
    package var user: String?

    package init(line: [UInt8], cluster: String, tables: [TableRef] = [], user: String? = nil) {
        self.line = line
        self.cluster = cluster
        self.tables = tables
        self.user = user
    }

    /// `line` must be `event` encoded as JSON.
    package init(_ event: AuditEvent, line: [UInt8], cluster: String) {
        let user: String? = if case .success(let record) = event.record { record.string(.user) } else { nil }
        self.init(line: line, cluster: cluster, tables: event.tables?.tables ?? [], user: user)
    }
}
