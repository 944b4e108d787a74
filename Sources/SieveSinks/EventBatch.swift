/// Encoded events, back to back, with where each ends: what queues hold and sinks write. Each
/// event ends in LF (JSON encoding) or is the raw message plus LF, which may itself contain line
/// breaks, so boundaries are kept explicitly rather than found by scanning.
public struct EventBatch: Sendable, Equatable {
    public private(set) var bytes: [UInt8] = []
    /// `ends[i]` is the offset just past event `i`.
    public private(set) var ends: [Int] = []

    public init() {}

    public init(events: [[UInt8]]) {
        for event in events { append(event) }
    }

    public var count: Int { ends.count }
    public var isEmpty: Bool { ends.isEmpty }
    public var byteCount: Int { bytes.count }

    public mutating func append(_ event: some Collection<UInt8>) {
        bytes.append(contentsOf: event)
        ends.append(bytes.count)
    }

    /// Appends one event that `write` appends straight to the batch's bytes (an encoder writing
    /// into the output buffer, with no copy of its own).
    public mutating func appendEvent(_ write: (inout [UInt8]) -> Void) {
        write(&bytes)
        ends.append(bytes.count)
    }

    /// Appends the events of another batch.
    public mutating func append(contentsOf other: EventBatch) {
        let base = bytes.count
        bytes.append(contentsOf: other.bytes)
        ends.append(contentsOf: other.ends.lazy.map { $0 + base })
    }

    /// The bytes of event `index`.
    public func event(_ index: Int) -> ArraySlice<UInt8> {
        bytes[(index == 0 ? 0 : ends[index - 1])..<ends[index]]
    }

    /// Bytes of the first `count` events.
    public func byteCount(ofFirst count: Int) -> Int { count == 0 ? 0 : ends[count - 1] }

    /// A batch of events `range` of this one.
    public func slice(_ range: Range<Int>) -> EventBatch {
        var out = EventBatch()
        guard !range.isEmpty else { return out }
        let start = range.lowerBound == 0 ? 0 : ends[range.lowerBound - 1]
        out.bytes = Array(bytes[start..<ends[range.upperBound - 1]])
        out.ends = ends[range].map { $0 - start }
        return out
    }

    public mutating func removeAll(keepingCapacity: Bool = true) {
        bytes.removeAll(keepingCapacity: keepingCapacity)
        ends.removeAll(keepingCapacity: keepingCapacity)
    }
}
