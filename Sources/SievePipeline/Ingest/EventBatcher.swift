import NIOCore
import SieveAudit
import SieveEvent

/// Turns messages into encoded events and hands them to the router in batches: one lock per sink
/// per batch instead of per event. Owned by one channel; never shared.
struct EventBatcher {
    /// A batch is handed over at the end of each read burst, or once it holds this many bytes.
    static let maxBatchBytes = 256 * 1024

    private let router: EventRouter
    private let parser: AuditParser
    private var encoder = EventJSONEncoder()
    private var json: [UInt8] = []
    private var raw: [UInt8] = []
    private var events = 0
    private var tally = FormatTally()

    init(router: EventRouter, parser: AuditParser = AuditParser()) {
        self.router = router
        self.parser = parser
    }

    mutating func add(message: ByteBuffer, peer: String, oversizeTruncated: Bool) {
        let event = AuditEvent(
            message: message, peer: peer, receivedAt: .now(), oversizeTruncated: oversizeTruncated, parser: parser
        )
        tally.add(event.format, truncated: event.isTruncated)
        if case .failure(let error) = event.record {
            router.unknownMessages.warning(
                "message is not an audit record; delivered as format unknown",
                metadata: ["peer": "\(peer)", "error": "\(error)", "code": "\(error.code.rawValue)"]
            )
        }
        if router.needsJSON { encoder.encode(event, into: &json) }
        if router.needsRaw { EventRawEncoder.encode(event, into: &raw) }
        events += 1
        if json.count >= Self.maxBatchBytes || raw.count >= Self.maxBatchBytes { flush() }
    }

    mutating func flush() {
        guard events > 0 else { return }
        router.metrics.count(tally)
        router.deliver(json: json, raw: raw, events: events)
        json.removeAll(keepingCapacity: true)
        raw.removeAll(keepingCapacity: true)
        events = 0
        tally.reset()
    }
}
