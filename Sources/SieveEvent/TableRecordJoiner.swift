import NIOCore
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

    /// One statement's table records: MariaDB's by `query_id`, the filter's by query text.
    private struct Group {
        var tag: ArraySlice<UInt8>?
        var events: [AuditEvent]
        var deadline: UInt64
        var sequence: UInt64
    }

    public var limits: Limits
    /// Per connection, its statements' groups in the order they began. A stored program's or a
    /// trigger's statements are logged, with their own table records, before the statement that
    /// ran them, so a connection can have several groups at once.
    private var connections: [Key: [Group]] = [:]
    private var nextSequence: UInt64 = 0
    /// Table records held now.
    public private(set) var heldCount = 0
    /// Bytes the held records pin (their messages, copied out of the read buffer, and records).
    public private(set) var heldBytes = 0
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
        guard role != .unrelated, role != .bystander, role == .table || !connections.isEmpty else {
            out.append(event)
            return
        }
        let key = Self.key(event, record)
        switch role {
        case .table:
            hold(event, record, key: key, now: now, out: &out)
        case .statement:
            var statement = event
            if var groups = connections.removeValue(forKey: key) {
                let mariadb = record.format == .mariadbAudit
                let tag = mariadb ? record.value(.queryID) : record.value(.sqltext)
                if let index = groups.firstIndex(where: { $0.tag == tag || (!mariadb && $0.tag == nil) }) {
                    let group = groups.remove(at: index)
                    heldCount -= group.events.count
                    heldBytes -= Self.size(group.events)
                    if Self.belongs(group, to: record) {
                        statement.tableRecords = group.events
                        mergedCount += group.events.count
                    } else {
                        send(group, into: &out)
                    }
                }
                // What is left and cannot be an enclosing statement's goes out alone: MariaDB's
                // groups of later queries (a nested statement's that was not logged), and for the
                // filter everything (its general record ends the client's command).
                let number = mariadb ? tag.flatMap(Self.number) : nil
                var kept: [Group] = []
                for group in groups {
                    if let number, let groupNumber = group.tag.flatMap(Self.number), groupNumber < number {
                        kept.append(group)
                    } else {
                        heldCount -= group.events.count
                        heldBytes -= Self.size(group.events)
                        send(group, into: &out)
                    }
                }
                if !kept.isEmpty { connections[key] = kept }
            }
            out.append(statement)
        default:
            release(key, into: &out)
            out.append(event)
        }
    }

    private mutating func hold(
        _ event: AuditEvent, _ record: AuditRecord, key: Key, now: UInt64, out: inout [AuditEvent]
    ) {
        let tag = record.format == .mariadbAudit ? record.value(.queryID) : record.value(.sqltext)
        // A slice of the connection's read buffer would keep the whole buffer alive while held.
        var event = event
        var copy = ByteBufferAllocator().buffer(capacity: event.message.readableBytes)
        copy.writeImmutableBuffer(event.message)
        event.message = copy
        var groups = connections.removeValue(forKey: key) ?? []
        if let index = groups.firstIndex(where: { $0.tag == tag }) {
            groups[index].events.append(event)
        } else {
            let deadline = now &+ limits.holdNanoseconds
            groups.append(Group(tag: tag, events: [event], deadline: deadline, sequence: nextSequence))
            nextSequence += 1
            earliestDeadline = min(earliestDeadline ?? deadline, deadline)
        }
        connections[key] = groups
        heldCount += 1
        heldBytes += Self.size(event)
        while heldCount > limits.maxHeld, let oldest = oldestGroup() {
            take(oldest, into: &out)
        }
    }

    /// Sends out alone every group whose time is up, oldest first.
    public mutating func releaseExpired(now: UInt64, into out: inout [AuditEvent]) {
        guard let earliest = earliestDeadline, earliest <= now else { return }
        var due: [(key: Key, sequence: UInt64)] = []
        for (key, groups) in connections {
            for group in groups where group.deadline <= now { due.append((key, group.sequence)) }
        }
        for (key, sequence) in due.sorted(by: { $0.sequence < $1.sequence }) { take((key, sequence), into: &out) }
        earliestDeadline = connections.values.lazy.flatMap { $0.map(\.deadline) }.min()
    }

    /// Sends out alone everything held (the connection closed; the input ended).
    public mutating func releaseAll(into out: inout [AuditEvent]) {
        while let oldest = oldestGroup() { take(oldest, into: &out) }
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

    /// Sends the oldest statement's held records out alone (a process-wide bound on held bytes).
    public mutating func releaseOldest(into out: inout [AuditEvent]) {
        if let oldest = oldestGroup() { take(oldest, into: &out) }
    }

    private static func size(_ event: AuditEvent) -> Int {
        let record = (try? event.record.get())?.storage.count ?? 0
        return event.message.readableBytes + record + 256
    }

    private static func size(_ events: [AuditEvent]) -> Int { events.reduce(0) { $0 + size($1) } }

    private func oldestGroup() -> (key: Key, sequence: UInt64)? {
        var oldest: (key: Key, sequence: UInt64)?
        for (key, groups) in connections {
            for group in groups where oldest == nil || group.sequence < oldest!.sequence {
                oldest = (key, group.sequence)
            }
        }
        return oldest
    }

    /// Sends one group out alone.
    private mutating func take(_ which: (key: Key, sequence: UInt64), into out: inout [AuditEvent]) {
        guard var groups = connections.removeValue(forKey: which.key),
            let index = groups.firstIndex(where: { $0.sequence == which.sequence })
        else { return }
        let group = groups.remove(at: index)
        if !groups.isEmpty { connections[which.key] = groups }
        heldCount -= group.events.count
        heldBytes -= Self.size(group.events)
        send(group, into: &out)
    }

    /// Sends out alone every group of a connection, in the order they began.
    private mutating func release(_ key: Key, into out: inout [AuditEvent]) {
        guard let groups = connections.removeValue(forKey: key) else { return }
        for group in groups {
            heldCount -= group.events.count
            heldBytes -= Self.size(group.events)
            send(group, into: &out)
        }
    }

    private mutating func send(_ group: Group, into out: inout [AuditEvent]) {
        aloneCount += group.events.count
        out.append(contentsOf: group.events)
    }

    private static func number(_ digits: ArraySlice<UInt8>) -> UInt64? {
        guard !digits.isEmpty, digits.count <= 19 else { return nil }
        var value: UInt64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// The same account and server (the query matched already), so a record is never attached
    /// to someone else's statement.
    private static func belongs(_ group: Group, to statement: AuditRecord) -> Bool {
        guard case .success(let first) = group.events.first?.record else { return false }
        for field in [AuditField.serverhost, .user, .host] {
            if let a = first.value(field), let b = statement.value(field), a != b { return false }
        }
        return true
    }

    private static func key(_ event: AuditEvent, _ record: AuditRecord) -> Key {
        let host =
            event.header.hostname.map { range in event.message.withUnsafeReadableBytes { Array($0[range]) } } ?? []
        return Key(host: host, connection: Array(record.value(.connectionID) ?? []))
    }
}
