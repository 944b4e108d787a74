import SieveAudit
import SieveEvent
import SieveSQL

/// A kept event as `/tail` clients see it: its JSON line, and what their filters look at.
public struct TailEvent: Sendable {
    /// The event's JSON encoding with its LF, exactly as a `json` sink writes it.
    public var line: [UInt8]
    public var cluster: String
    public var tables: [TableRef]
    /// The record's `user` field as the plugin wrote it; `nil` when it has none.
    public var user: String?

    public init(line: [UInt8], cluster: String, tables: [TableRef] = [], user: String? = nil) {
        self.line = line
        self.cluster = cluster
        self.tables = tables
        self.user = user
    }

    /// `line` must be `event` encoded as JSON.
    public init(_ event: AuditEvent, line: [UInt8], cluster: String) {
        let user: String? = if case .success(let record) = event.record { record.string(.user) } else { nil }
        self.init(line: line, cluster: cluster, tables: event.tables?.tables ?? [], user: user)
    }
}
