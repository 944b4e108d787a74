import NIOCore
import SieveAudit

extension AuditEvent {
    /// The event of a message read from a capture file (`auditsieve parse`). A bare record that was
    /// not closed before the next record or comment is an `unclosed` failure naming its dialect.
    public init(input: InputMessage, peer: String, receivedAt: EventTime, parser: AuditParser) {
        self.init(
            message: input.bytes, peer: peer, receivedAt: receivedAt, oversizeTruncated: input.oversizeTruncated,
            parser: parser
        )
        guard input.unclosed else { return }
        record = input.bytes.withUnsafeReadableBytes { bytes in
            let chunk = AuditChunk(range: 0..<bytes.count, next: bytes.count, unclosed: true)
            return parser.parse(chunk, in: bytes)
        }
    }
}
