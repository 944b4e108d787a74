import NIOCore
import SieveAudit
import SieveEvent
import SieveRules
import SieveSQL

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
    private var sinkBytes: [[UInt8]] = []
    private var sinkEvents: [Int] = []
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
                sinkBytes[sink].append(contentsOf: json)
            } else {
                if raw.isEmpty { EventRawEncoder.encode(event, into: &raw) }
                sinkBytes[sink].append(contentsOf: raw)
            }
            sinkEvents[sink] += 1
            full = full || sinkBytes[sink].count >= Self.maxBatchBytes
        }
        if full { flush() }
    }

    mutating func flush() {
        guard let table, events > 0 else { return }
        router.metrics.count(formats)
        for (index, tally) in decisions.enumerated() where !tally.isEmpty {
            table.metrics[index].count(tally)
        }
        for (index, sink) in table.sinks.enumerated() where sinkEvents[index] > 0 {
            sink.append(sinkBytes[index], events: sinkEvents[index])
            sinkBytes[index].removeAll(keepingCapacity: true)
            sinkEvents[index] = 0
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
        if sinkBytes.count != table.sinks.count {
            sinkBytes = Array(repeating: [], count: table.sinks.count)
            sinkEvents = Array(repeating: 0, count: table.sinks.count)
        }
        decisions = Array(repeating: DecisionTally(), count: table.clusters.all.count)
        return table
    }
}
