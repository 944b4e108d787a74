import SieveAudit

/// Joins each statement with the table records its server wrote just before it (docs/EVENT.md,
/// "Server-reported tables"): MariaDB's TABLE lines share the statement's `connection_id` and
/// `query_id`; the audit log filter's table_access records come before the same connection's
/// general record and carry its query. Held per (source host, connection), bounded by a count
/// over all connections and by a time: records whose statement does not come in time, or that do
/// not belong to the statement that comes, go out on their own, in their order. Pure: the caller
/// gives the time (monotonic nanoseconds) and owns the joiner (one per ingest connection).
public struct TableRecordJoiner: Sendable {
    public struct Limits: Sendable, Equatable {
        /// How long table records wait for their statement.
        public var holdNanoseconds: UInt64
        /// Table records held at once, over all connections; past it the oldest group goes out.
        public var maxHeld: Int

        public init(holdNanoseconds: UInt64 = 5_000_000_000, maxHeld: Int = 10_000) {
            self.holdNanoseconds = holdNanoseconds
            self.maxHeld = maxHeld
        }
    }

    private struct Key: Hashable {
        var host: [UInt8]
        var connection: [UInt8]
    }

    private struct Group {
        var events: [AuditEvent]
        var deadline: UInt64
        var sequence: UInt64
        var queryID: ArraySlice<UInt8>?
        var query: ArraySlice<UInt8>?
    }

    public var limits: Limits
    private var groups: [Key: Group] = [:]
    private var nextSequence: UInt64 = 0
    /// Table records held now.
    public private(set) var heldCount = 0
    /// Table records that went into their statement, and that went out alone, since the last `takeCounts`.
    private var mergedCount = 0
    private var aloneCount = 0
    /// The earliest deadline of a held group (may be early after a release; never late).
    public private(set) var earliestDeadline: UInt64?

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    public var isHolding: Bool { heldCount > 0 }

    /// Takes `event`: appends to `out` what can go on now (nothing when the event is held).
    public mutating func add(_ event: AuditEvent, now: UInt64, into out: inout [AuditEvent]) {
        guard case .success(let record) = event.record else {
            out.append(event)
            return
        }
        let role = TableRecordRole.of(record)
        guard role != .unrelated, role != .bystander, role == .table || !groups.isEmpty else {
            out.append(event)
            return
        }
        let key = Self.key(event, record)
        switch role {
        case .table:
            hold(event, record, key: key, now: now, out: &out)
        case .statement:
            var statement = event
            if let group = groups.removeValue(forKey: key) {
                heldCount -= group.events.count
                if Self.belongs(group, to: record) {
                    statement.tableRecords = group.events
                    mergedCount += group.events.count
                } else {
                    out.append(contentsOf: group.events)
                    aloneCount += group.events.count
                }
            }
            out.append(statement)
        default:
            release(key, into: &out)
            out.append(event)
        }
    }

    private mutating func hold(_ event: AuditEvent, _ record: AuditRecord, key: Key, now: UInt64, out: inout [AuditEvent]) {
        let queryID = record.value(.queryID)
        let query = record.value(.sqltext)
        if let group = groups[key], group.queryID != queryID || (group.query != nil && query != nil && group.query != query) {
            release(key, into: &out)
        }
        if groups[key] == nil {
            let deadline = now &+ limits.holdNanoseconds
            groups[key] = Group(events: [], deadline: deadline, sequence: nextSequence, queryID: queryID, query: query)
            nextSequence += 1
            earliestDeadline = min(earliestDeadline ?? deadline, deadline)
        }
        groups[key]!.events.append(event)
        if groups[key]!.query == nil { groups[key]!.query = query }
        heldCount += 1
        while heldCount > limits.maxHeld, let oldest = groups.min(by: { $0.value.sequence < $1.value.sequence })?.key {
            release(oldest, into: &out)
        }
    }

    /// Sends out alone every group whose time is up, oldest first.
    public mutating func releaseExpired(now: UInt64, into out: inout [AuditEvent]) {
        guard let earliest = earliestDeadline, earliest <= now else { return }
        let due = groups.filter { $0.value.deadline <= now }.sorted { $0.value.sequence < $1.value.sequence }
        for (key, _) in due { release(key, into: &out) }
        earliestDeadline = groups.values.map(\.deadline).min()
    }

    /// Sends out alone everything held (the connection closed; the input ended).
    public mutating func releaseAll(into out: inout [AuditEvent]) {
        for (key, _) in groups.sorted(by: { $0.value.sequence < $1.value.sequence }) { release(key, into: &out) }
        earliestDeadline = nil
    }

    /// Table records merged into their statement and sent alone since the last call.
    public mutating func takeCounts() -> (merged: Int, alone: Int) {
        defer {
            mergedCount = 0
            aloneCount = 0
        }
        return (mergedCount, aloneCount)
    }

    private mutating func release(_ key: Key, into out: inout [AuditEvent]) {
        guard let group = groups.removeValue(forKey: key) else { return }
        heldCount -= group.events.count
        aloneCount += group.events.count
        out.append(contentsOf: group.events)
    }

    /// The same query (MariaDB: `query_id`; the filter: the query text, when both carry it), and
    /// the same account and server, so a record is never attached to someone else's statement.
    private static func belongs(_ group: Group, to statement: AuditRecord) -> Bool {
        guard group.queryID == statement.value(.queryID) else { return false }
        if let query = group.query, let text = statement.value(.sqltext), query != text { return false }
        guard case .success(let first) = group.events.first?.record else { return false }
        for field in [AuditField.serverhost, .user, .host] {
            if let a = first.value(field), let b = statement.value(field), a != b { return false }
        }
        return true
    }

    private static func key(_ event: AuditEvent, _ record: AuditRecord) -> Key {
        let host = event.header.hostname.map { range in event.message.withUnsafeReadableBytes { Array($0[range]) } } ?? []
        return Key(host: host, connection: Array(record.value(.connectionID) ?? []))
    }
}
