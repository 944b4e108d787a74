import NIOCore
import SieveAudit
import SieveEvent
import SieveRules
import SieveSQL
import SieveSinks

/// Turns messages into events, lets the rules decide, and hands kept events to their cluster's
/// sinks in batches: one lock per sink per batch instead of per event, and one routing-table
/// snapshot per batch, so a reload takes effect between batches. Owned by one channel.
struct EventBatcher {
    /// A batch is handed over at the end of each read burst, or once a sink's share holds this much.
    static let maxBatchBytes = 256 * 1024

    private let router: EventRouter
    private let parser: AuditParser
    private var encoder = EventJSONEncoder()
    private var table: RoutingTable?
    private var sinkBatches: [EventBatch] = []
    private var decisions: [DecisionTally] = []
    private var formats = FormatTally()
    private var events = 0
    private var json: [UInt8] = []
    private var raw: [UInt8] = []

    init(router: EventRouter, parser: AuditParser = AuditParser()) {
        self.router = router
        self.parser = parser
    }

    mutating func add(message: ByteBuffer, peer: String, senderAddress: [UInt8]?, oversizeTruncated: Bool) {
        let table = snapshot()
        var event = AuditEvent(
            message: message, peer: peer, receivedAt: .now(), oversizeTruncated: oversizeTruncated, parser: parser
        )
        formats.add(event.format, truncated: event.isTruncated)
        if case .failure(let error) = event.record {
            router.unknownMessages.warning(
                "message is not an audit record; delivered as format unknown",
                metadata: ["peer": "\(peer)", "error": "\(error)", "code": "\(error.code.rawValue)"]
            )
        }
        let (clusterIndex, decision) = table.judge(&event, senderAddress: senderAddress)
        decisions[clusterIndex].add(decision)
        events += 1
        guard decision.kept else { return }
        json.removeAll(keepingCapacity: true)
        raw.removeAll(keepingCapacity: true)
        var full = false
        for sink in table.sinksOfCluster[clusterIndex] {
            if table.sinkWantsJSON[sink] {
                if json.isEmpty { encoder.encode(event, into: &json) }
                sinkBatches[sink].append(json)
            } else {
                if raw.isEmpty { EventRawEncoder.encode(event, into: &raw) }
                sinkBatches[sink].append(raw)
            }
            full = full || sinkBatches[sink].byteCount >= Self.maxBatchBytes
        }
        if full { flush() }
    }

    mutating func flush() {
        guard let table, events > 0 else { return }
        router.metrics.count(formats)
        for (index, tally) in decisions.enumerated() where !tally.isEmpty {
            table.metrics[index].count(tally)
        }
        for (index, sink) in table.sinks.enumerated() where !sinkBatches[index].isEmpty {
            try? sink.deliver(sinkBatches[index])
            sinkBatches[index].removeAll(keepingCapacity: true)
        }
        self.table = nil
        events = 0
        formats.reset()
    }

    /// The routing table for this batch, taken once when the batch starts.
    private mutating func snapshot() -> RoutingTable {
        if let table { return table }
        let table = router.current
        self.table = table
        if sinkBatches.count != table.sinks.count {
            sinkBatches = Array(repeating: EventBatch(), count: table.sinks.count)
        }
        decisions = Array(repeating: DecisionTally(), count: table.clusters.all.count)
        return table
    }
}
