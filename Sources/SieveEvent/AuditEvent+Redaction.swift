import NIOCore
import SieveAudit

extension AuditEvent {
    /// The text a sink's redaction reads: the record's `sqltext`, or the MSG of a message that is
    /// not an audit record (its `raw`); `nil` when the record has no SQL (connection records).
    public func withRedactableText<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result? {
        switch record {
        case .success(let record):
            guard let range = record.range(of: .sqltext) else { return nil }
            return record.storage.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[range])) }
        case .failure:
            return message.withUnsafeReadableBytes { body(UnsafeRawBufferPointer(rebasing: $0[header.msg])) }
        }
    }

    /// Puts `text` where `withRedactableText` read from, in this copy of the event only.
    public mutating func replaceRedactableText(with text: [UInt8]) {
        switch record {
        case .success(var record):
            guard record.has(.sqltext) else { return }
            record.set(.sqltext, text)
            self.record = .success(record)
        case .failure:
            // MSG runs to the end of the message; the header's parts before it keep their offsets.
            var rebuilt = ByteBuffer()
            rebuilt.reserveCapacity(header.msg.lowerBound + text.count)
            message.withUnsafeReadableBytes {
                rebuilt.writeBytes(UnsafeRawBufferPointer(rebasing: $0[..<header.msg.lowerBound]))
            }
            rebuilt.writeBytes(text)
            message = rebuilt
            header.msg = header.msg.lowerBound..<header.msg.lowerBound + text.count
        }
    }
}
