import NIOCore
import SieveAudit
import SieveDelivery
import SieveEvent
import SieveHTTPRouting
import SieveRules
import SieveSQL
import SieveSinks

/// Turns messages into events, lets the rules decide, and hands kept events to their cluster's
/// (cluster, sink) queues in batches: one lock per queue per batch instead of per event, and one
/// routing-table snapshot per batch, so a reload takes effect between batches. Owned by one channel.
struct EventBatcher {
    /// A batch is handed over at the end of each read burst, or once a sink's share holds this much.
    static let maxBatchBytes = 256 * 1024

    private let ingest: IngestContext
    private let parser: AuditParser
    private var encoder = EventJSONEncoder()
    private var table: RoutingTable?
    private var queueBatches: [EventBatch] = []
    /// Queues that answered full (`when_full: block`) since the caller last asked.
    private(set) var pressured: [DeliveryQueue] = []
    /// Set by an acknowledging listener (RELP): each hand-over notes, per queue it fed, the
    /// batch's mark (`DeliveryQueue.whenSafe`), until `takeMarks`.
    var collectsMarks = false
    private var marks: [(queue: DeliveryQueue, mark: UInt64)] = []
    /// UDP cannot pause its sender: a full queue drops its events instead.
    private let blockable: Bool
    private var decisions: [DecisionTally] = []
    private var formats = FormatTally()
    private var events = 0
    /// Kept events for `/tail`, handed over with the batch (so that they reach the tail in the
    /// connection's order when a burst was read on a helper thread).
    private var tailEvents: [TailEvent] = []
    /// The event's JSON for the tail when no sink took it (sinks get it in their batch).
    private var json: [UInt8] = []
    private var raw: [UInt8] = []
    /// Per redaction variant (`RoutingTable.queueRedaction`; 0 unused): the event redacted and
    /// encoded, once per event however many sinks share the variant; for which event; and whether
    /// the redaction changed it (if not, the variant's sinks get the plain JSON).
    private var redacted: [[UInt8]] = []
    private var redactedFor: [Int] = []
    private var redactedChanged: [Bool] = []
    /// Counts `deliver` calls: which event a variant in `redacted` belongs to.
    private var delivered = 0
    /// Per source host in this batch: messages and plugin record numbers (usually one host).
    private var sources: [SourceTracker.Observation] = []
    /// Index in `sources` by host label, and the raw host of the last message with its index: a
    /// run of messages from one host costs a byte comparison, a new host one label and one lookup.
    private var sourceIndex: [String: Int] = [:]
    private var lastSource: (raw: [UInt8], index: Int)?
    /// The last message's origin and its cluster in this batch's table (`cluster(of:…)`); -1: none.
    private var originHost: [UInt8] = []
    private var originApp: [UInt8] = []
    private var originSender: [UInt8]?
    private var originCluster = -1
    /// Holds table records until their statement comes (one joiner per connection).
    private var joiner: TableRecordJoiner
    /// What the joiner let go, reused.
    private var ready: [AuditEvent] = []
    /// The sender of the last message, for table records released by time or at close.
    private var lastSenderAddress: [UInt8]?
    /// What this connection's joiner holds as last told to the routing table in force.
    private var reportedHeldBytes = 0
    /// The TLS client certificate of this connection, once its handshake completed.
    var peerIdentity: PeerIdentity?
    /// A message came in a format that can carry table records (MariaDB, the audit log filter):
    /// this connection's bursts must then be read in one sequence, for the joiner.
    private(set) var sawTableRecordFormat = false
    /// While set, a full batch is not handed over mid-burst: an earlier burst of the connection
    /// is still being read on a helper thread, and its events must reach the queues first.
    var holdsBatch = false

    init(ingest: IngestContext, blockable: Bool, parser: AuditParser = AuditParser()) {
        self.ingest = ingest
        self.blockable = blockable
        self.parser = parser
        self.joiner = TableRecordJoiner(limits: ingest.tableRecordLimits)
    }

    /// A framed message of a read burst, waiting to be added.
    typealias BurstFrame = (message: ByteBuffer, oversizeTruncated: Bool)

    /// Adds a burst's messages, in order (on the event loop or on a helper, `HelperBurst`).
    mutating func add(_ frames: [BurstFrame], peer: String, senderAddress: [UInt8]?) {
        // One reference to the batch's routing table for the burst (a new one after a full batch
        // was handed over), passed down: not a retain and a release per message.
        var current: RoutingTable?
        // The burst's messages were all read by now: one clock reading for them (a vDSO call per
        // message was about 1 % of the receiver's samples).
        let receivedAt = EventTime.now()
        for frame in frames {
            add(
                message: frame.message, peer: peer, senderAddress: senderAddress,
                oversizeTruncated: frame.oversizeTruncated, receivedAt: receivedAt, table: &current)
        }
    }

    mutating func add(message: ByteBuffer, peer: String, senderAddress: [UInt8]?, oversizeTruncated: Bool) {
        var current: RoutingTable?
        add(
            message: message, peer: peer, senderAddress: senderAddress, oversizeTruncated: oversizeTruncated,
            receivedAt: .now(), table: &current)
    }

    /// `current` is the batch's table as last taken (`nil` before the first message that needs it).
    private mutating func add(
        message: ByteBuffer, peer: String, senderAddress: [UInt8]?, oversizeTruncated: Bool, receivedAt: EventTime,
        table current: inout RoutingTable?
    ) {
        // Changed in place from here on (the event is ~600 bytes: each move is a memmove).
        var event = AuditEvent(
            message: message, peer: peer, receivedAt: receivedAt, oversizeTruncated: oversizeTruncated, parser: parser)
        if let certified = peerIdentity { certify(&event, by: certified) }
        if let error = event.parseError, error.code == .framing {
            ingest.metrics.framingMessages.increment()
            return
        }
        // The batch's table, unless a batch was handed over since `current` was taken.
        if current == nil || current !== table { current = snapshot() }
        formats.add(event.format, truncated: event.isTruncated)
        if !sawTableRecordFormat, Self.mayCarryTableRecords(event.format) { sawTableRecordFormat = true }
        observeSource(event)
        if let error = event.parseError {
            ingest.unknownMessages.warning(
                "message is not an audit record; delivered as format unknown",
                metadata: ["peer": "\(peer)", "error": "\(error)", "code": "\(error.code.rawValue)"]
            )
        }
        guard event.isParsed, joiner.isHolding || Self.mayJoin(event) else {
            route(&event, senderAddress: senderAddress, table: current.unsafelyUnwrapped)
            return
        }
        ready.removeAll(keepingCapacity: true)
        joiner.add(event, now: NIODeadline.now().uptimeNanoseconds, into: &ready)
        routeReady(senderAddress: senderAddress)
    }

    /// Gives the event its peer's certificate name and, when the certificate names the source
    /// host, that host (a mismatch with the record's HOSTNAME is reported).
    private func certify(_ event: inout AuditEvent, by certified: PeerIdentity) {
        event.peerCertificate = certified.certificateName
        if let source = certified.source {
            let hostname = event.header.hostname
            let (host, mismatch) = event.message.withUnsafeReadableBytes { bytes in
                source.host(
                    for: hostname.map { UnsafeRawBufferPointer(rebasing: bytes[$0]) }
                        ?? UnsafeRawBufferPointer(start: nil, count: 0))
            }
            event.sourceHostOverride = host
            if mismatch { certified.mismatch(event) }
        }
    }

    /// The formats whose sources write table records (`TableRecordJoiner`).
    private static func mayCarryTableRecords(_ format: AuditFormat) -> Bool {
        switch format {
        case .mariadbAudit, .auditFilterJSON, .auditFilterNewXML, .auditFilterOldXML: true
        case .perconaJSON, .perconaNewXML, .perconaOldXML, .perconaCSV, .unknown: false
        }
    }

    /// A record the joiner must see: a table record (held), or one whose connection may hold some.
    private static func mayJoin(_ event: AuditEvent) -> Bool {
        event.isParsed && event.parsed.kind == .table
    }

    /// Sends out the table records whose statement did not come in time; true when any went.
    @discardableResult
    mutating func releaseExpiredTableRecords() -> Bool {
        guard joiner.isHolding else { return false }
        ready.removeAll(keepingCapacity: true)
        joiner.releaseExpired(now: NIODeadline.now().uptimeNanoseconds, into: &ready)
        return routeReady(senderAddress: lastSenderAddress)
    }

    /// Sends out every held table record (the connection is closing).
    mutating func releaseAllTableRecords() {
        guard joiner.isHolding else { return }
        ready.removeAll(keepingCapacity: true)
        joiner.releaseAll(into: &ready)
        routeReady(senderAddress: lastSenderAddress)
    }

    /// When the earliest held table record's time is up (uptime nanoseconds), if any is held.
    var tableRecordDeadline: UInt64? { joiner.isHolding ? joiner.earliestDeadline : nil }

    @discardableResult
    private mutating func routeReady(senderAddress: [UInt8]?) -> Bool {
        lastSenderAddress = senderAddress
        settleHeldBytes()
        let counts = joiner.takeCounts()
        if counts.merged > 0 { ingest.metrics.tableRecordsMerged.increment(by: Int64(counts.merged)) }
        if counts.alone > 0 { ingest.metrics.tableRecordsAlone.increment(by: Int64(counts.alone)) }
        guard !ready.isEmpty else { return false }
        var events = ready
        ready.removeAll(keepingCapacity: true)
        var current: RoutingTable?
        for index in events.indices {
            // A full batch handed over while routing ends that batch's table: take the next one.
            if current == nil || current !== table { current = snapshot() }
            route(&events[index], senderAddress: senderAddress, table: current.unsafelyUnwrapped)
        }
        return true
    }

    /// Tells the ingest context what this connection's joiner now holds; past the process-wide bound, this
    /// connection's oldest held statements go out alone until its share is gone or the total fits.
    private mutating func settleHeldBytes() {
        var total = ingest.heldTableRecordBytes.add(joiner.heldBytes - reportedHeldBytes, ordering: .relaxed).newValue
        reportedHeldBytes = joiner.heldBytes
        while total > ingest.heldTableRecordBytesLimit, joiner.isHolding {
            joiner.releaseOldest(into: &ready)
            total = ingest.heldTableRecordBytes.add(joiner.heldBytes - reportedHeldBytes, ordering: .relaxed).newValue
            reportedHeldBytes = joiner.heldBytes
        }
    }

    /// Decides one event (a statement with its joined table records, decided together) and hands
    /// it to its cluster's queues.
    private mutating func route(_ event: inout AuditEvent, senderAddress: [UInt8]?, table: RoutingTable) {
        let clusterIndex = cluster(of: event, senderAddress: senderAddress, table: table)
        let decision = table.judge(&event, cluster: clusterIndex)
        if decision.regexLimitHit { ingest.metrics.regexLimitHits.increment() }
        for record in table.separateTableRecords(of: &event, cluster: clusterIndex) {
            deliver(record, cluster: clusterIndex, decision: decision, table: table)
        }
        deliver(event, cluster: clusterIndex, decision: decision, table: table)
    }

    private mutating func deliver(
        _ event: AuditEvent, cluster clusterIndex: Int, decision: Decision, table: RoutingTable
    ) {
        decisions[clusterIndex].add(decision)
        events += 1
        guard decision.kept else { return }
        raw.removeAll(keepingCapacity: true)
        delivered &+= 1
        // The event's plain JSON is encoded once, straight into the first batch that takes it;
        // the other sinks and the tail copy it from there.
        var jsonIn: Int?
        var full = false
        for queue in table.queuesOfCluster[clusterIndex] {
            if table.queueWantsJSON[queue] {
                let variant = table.queueRedaction[queue]
                if variant != 0, redact(event, variant: variant, cluster: clusterIndex, table: table) {
                    queueBatches[queue].append(redacted[variant])
                } else if let source = jsonIn {
                    let line = lastEvent(of: source)
                    queueBatches[queue].append(line)
                } else {
                    encodeJSON(event, into: queue)
                    jsonIn = queue
                }
            } else {
                if raw.isEmpty { EventRawEncoder.encode(event, into: &raw) }
                queueBatches[queue].append(raw)
            }
            full = full || queueBatches[queue].byteCount >= Self.maxBatchBytes
        }
        if ingest.tail.hasClients {
            let line: [UInt8]
            if table.tailRedaction != 0,
                redact(event, variant: table.tailRedaction, cluster: clusterIndex, table: table)
            {
                line = redacted[table.tailRedaction]
            } else if let source = jsonIn {
                line = Array(lastEvent(of: source))
            } else {
                json.removeAll(keepingCapacity: true)
                encoder.encode(event, into: &json)
                line = json
            }
            tailEvents.append(TailEvent(event, line: line, cluster: table.clusters.all[clusterIndex].name))
        }
        if full && !holdsBatch { flush() }
    }

    /// Encodes the event at the end of `queue`'s batch (moved out meanwhile, so it stays uniquely
    /// referenced while the encoder, a member of this batcher too, writes into it).
    private mutating func encodeJSON(_ event: AuditEvent, into queue: Int) {
        var batch = EventBatch()
        swap(&batch, &queueBatches[queue])
        batch.appendEvent { encoder.encode(event, into: &$0) }
        swap(&batch, &queueBatches[queue])
    }

    /// The last event in `queue`'s batch.
    private func lastEvent(of queue: Int) -> ArraySlice<UInt8> {
        queueBatches[queue].event(queueBatches[queue].count - 1)
    }

    /// Redacts the event for the sinks of `variant` (on a copy, with the cluster's SQL options),
    /// once per event: true when that changed it, and then `redacted[variant]` is its encoding.
    private mutating func redact(_ event: AuditEvent, variant: Int, cluster clusterIndex: Int, table: RoutingTable)
        -> Bool
    {
        guard redactedFor[variant] != delivered else { return redactedChanged[variant] }
        redactedFor[variant] = delivered
        var copy = event
        let outcome = table.redactions[variant - 1].apply(to: &copy, options: table.sqlOptions[clusterIndex])
        if outcome.regexLimitHits > 0 {
            ingest.metrics.redactionRegexLimitHits.increment(by: Int64(outcome.regexLimitHits))
        }
        redactedChanged[variant] = !copy.redacted.isEmpty
        guard redactedChanged[variant] else { return false }
        redacted[variant].removeAll(keepingCapacity: true)
        encoder.encode(copy, into: &redacted[variant])
        return true
    }

    mutating func flush() {
        // A batch whose messages were all held has a table and counts, but no events.
        guard let table else { return }
        ingest.metrics.count(formats)
        ingest.sources.record(sources)
        sources.removeAll(keepingCapacity: true)
        sourceIndex.removeAll(keepingCapacity: true)
        lastSource = nil
        originCluster = -1
        for (index, tally) in decisions.enumerated() where !tally.isEmpty {
            table.metrics[index].count(tally)
        }
        for (index, queue) in table.queues.enumerated() where !queueBatches[index].isEmpty {
            let pause: Bool
            if collectsMarks {
                let answer = queue.enqueueMarked(queueBatches[index], blockable: blockable)
                pause = answer.pause
                if let at = marks.firstIndex(where: { $0.queue === queue }) {
                    marks[at].mark = max(marks[at].mark, answer.mark)
                } else {
                    marks.append((queue, answer.mark))
                }
            } else {
                pause = queue.enqueue(queueBatches[index], blockable: blockable)
            }
            if pause, !pressured.contains(where: { $0 === queue }) { pressured.append(queue) }
            queueBatches[index].removeAll(keepingCapacity: true)
        }
        if !tailEvents.isEmpty {
            ingest.tail.publish(tailEvents)
            tailEvents.removeAll(keepingCapacity: true)
        }
        self.table = nil
        table.activeBatches.subtract(1, ordering: .releasing)
        events = 0
        formats.reset()
    }

    /// Notes the message's host (syslog HOSTNAME, else the peer without its port) and its record
    /// number, in constant time per message.
    private mutating func observeSource(_ event: AuditEvent) {
        let number = Self.recordNumber(event)
        let index = event.message.withUnsafeReadableBytes { bytes -> Int in
            if let host = event.sourceHostOverride { return host.withUnsafeBytes { sourceIndex(for: $0) } }
            if let range = event.header.hostname, !range.isEmpty {
                return sourceIndex(for: UnsafeRawBufferPointer(rebasing: bytes[range]))
            }
            var peer = Array(event.peer.utf8)
            if let colon = peer.lastIndex(of: UInt8(ascii: ":")) { peer.removeSubrange(colon...) }
            return peer.withUnsafeBytes { sourceIndex(for: $0) }
        }
        sources[index].messages += 1
        if let number { sources[index].records.append(number) }
    }

    /// The record's place in its server's numbering, when the server numbers every record with one
    /// counter: the Percona plugin's `RECORD` (`N_…`); the audit log filter's `RECORD_ID` (XML)
    /// and its `id` when the component's prefix or the filter plugin's syslog ident shows it is
    /// Percona's (one counter per run, from 0, so shifted by one); never MariaDB's, nor MySQL
    /// Enterprise's JSON `id`, which restarts every second.
    static func recordNumber(_ event: AuditEvent) -> UInt64? {
        guard event.isParsed else { return nil }
        return recordNumber(event.parsed, of: event)
    }

    /// `recordNumber(_:)` for the event's parsed record (a parameter: read in place, not copied).
    private static func recordNumber(_ record: AuditRecord, of event: AuditEvent) -> UInt64? {
        switch record.format {
        case .perconaJSON, .perconaNewXML, .perconaOldXML, .perconaCSV:
            return record.value(.record).flatMap { RecordSequence.number(inRecordID: $0) }
        case .auditFilterNewXML, .auditFilterOldXML:
            guard let extra = record.extraFields.first(where: { $0.key == "record_id" }) else { return nil }
            return RecordSequence.number(inRecordID: record.storage[extra.range]).map { $0 &+ 1 }
        case .auditFilterJSON:
            guard let id = record.value(.id) else { return nil }
            let percona =
                record.idIsServerCounter
                || event.header.appName.map { range in
                    event.message.withUnsafeReadableBytes { bytes in
                        let tag = bytes[range]
                        return tag.elementsEqual("percona-audit-event-filter".utf8)
                            || tag.elementsEqual("audit-filter".utf8)
                    }
                } == true
            return percona ? RecordSequence.number(digits: id).map { $0 &+ 1 } : nil
        default:
            return nil
        }
    }

    private mutating func sourceIndex(for host: UnsafeRawBufferPointer) -> Int {
        if let last = lastSource, last.raw.elementsEqual(host) { return last.index }
        let label = SourceLabel.make(host)
        let index: Int
        if let found = sourceIndex[label] {
            index = found
        } else {
            index = sources.count
            sources.append(SourceTracker.Observation(host: label))
            sourceIndex[label] = index
        }
        // The raw name is kept for the next comparison only when it is of a sane size.
        lastSource = host.count <= 256 ? (Array(host), index) : nil
        return index
    }

    /// The event's cluster in `table`: the last message's when it came from the same origin (host,
    /// APP-NAME and sender, compared as bytes), so a run of messages from one origin costs byte
    /// comparisons rather than the cluster globs. The origin's bytes are kept in reused arrays.
    private mutating func cluster(of event: borrowing AuditEvent, senderAddress: [UInt8]?, table: RoutingTable)
        -> Int
    {
        let header = event.header
        let override = event.sourceHostOverride
        let known = originCluster
        if known >= 0, originSender == senderAddress {
            let same = event.message.withUnsafeReadableBytes { bytes in
                let none = UnsafeRawBufferPointer(start: nil, count: 0)
                let app = header.appName.map { UnsafeRawBufferPointer(rebasing: bytes[$0]) } ?? none
                guard originApp.elementsEqual(app) else { return false }
                if let override { return override == originHost }
                let host = header.hostname.map { UnsafeRawBufferPointer(rebasing: bytes[$0]) } ?? none
                return originHost.elementsEqual(host)
            }
            if same { return known }
        }
        let index = table.clusterIndex(of: event, senderAddress: senderAddress)
        originHost.removeAll(keepingCapacity: true)
        originApp.removeAll(keepingCapacity: true)
        event.message.withUnsafeReadableBytes { bytes in
            if let override {
                originHost.append(contentsOf: override)
            } else if let range = header.hostname {
                originHost.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[range]))
            }
            if let range = header.appName {
                originApp.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[range]))
            }
        }
        originSender = senderAddress
        // An origin of an unreasonable size is not kept for comparison.
        originCluster = originHost.count + originApp.count <= 512 ? index : -1
        return index
    }

    /// The queues fed since the last call and the mark of the last batch each took (empty
    /// when every event was filtered out).
    mutating func takeMarks() -> [(queue: DeliveryQueue, mark: UInt64)] {
        defer { marks.removeAll(keepingCapacity: true) }
        return marks
    }

    /// Some queue answered full since the caller last took them.
    var hasPressured: Bool { !pressured.isEmpty }

    /// The queues that answered full, handed over once (the caller pauses its connection).
    mutating func takePressured() -> [DeliveryQueue] {
        defer { pressured.removeAll() }
        return pressured
    }

    /// The routing table for this batch, taken once when the batch starts.
    private mutating func snapshot() -> RoutingTable {
        if let table { return table }
        let table = ingest.acquireCurrent()
        self.table = table
        if queueBatches.count != table.queues.count {
            queueBatches = Array(repeating: EventBatch(), count: table.queues.count)
        }
        if redacted.count != table.redactions.count + 1 {
            redacted = Array(repeating: [], count: table.redactions.count + 1)
            redactedFor = Array(repeating: 0, count: table.redactions.count + 1)
            redactedChanged = Array(repeating: false, count: table.redactions.count + 1)
        }
        decisions = Array(repeating: DecisionTally(), count: table.clusters.all.count)
        return table
    }
}
