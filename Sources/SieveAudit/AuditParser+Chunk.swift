extension AuditParser {
    /// Parses one chunk of a bare-record file. An unclosed chunk is an `.unclosed` failure: the
    /// record stopped before its end and something else followed, so it was not merely cut.
    public func parse(_ chunk: AuditChunk, in bytes: UnsafeRawBufferPointer) -> Result<AuditRecord, AuditParseError> {
        let message = UnsafeRawBufferPointer(rebasing: bytes[chunk.range])
        guard chunk.unclosed else { return parse(message) }
        let format = dialects.first { $0.recognizes(message) }?.format
        let reason =
            format == .perconaJSON
            ? "record is not closed at the end of its line" : "record is not closed before the next record or comment"
        return .failure(AuditParseError(.unclosed, format: format, offset: message.count, reason))
    }
}
