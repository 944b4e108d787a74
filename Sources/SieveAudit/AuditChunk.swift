/// One record's bytes in a file of bare records, as `AuditRecordSplitter` found them.
public struct AuditChunk: Sendable, Equatable {
    /// The record's bytes, without the LF that ends its last line.
    public var range: Range<Int>
    /// Where to look for the next record.
    public var next: Int
    /// The record was not closed before a new record (or a comment line) began, or, for JSON,
    /// before the end of its line while more input follows. A record cut by the end of the input
    /// is not unclosed: the parser reports it truncated.
    public var unclosed: Bool

    public init(range: Range<Int>, next: Int, unclosed: Bool) {
        self.range = range
        self.next = next
        self.unclosed = unclosed
    }
}
