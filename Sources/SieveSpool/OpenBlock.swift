/// Events appended since the last block was written out, kept uncompressed in memory.
///
/// `encode` turns them into one self-describing block (see `BlockHeader`); `decodeEvents` is its
/// inverse. A block holds at most `SpoolConfiguration.blockBytes` of payload unless a single event
/// is larger, in which case that event is alone in its block.
struct OpenBlock {
    private(set) var payload: [UInt8] = []
    private(set) var eventCount = 0
    private(set) var firstEventTime: Int64 = 0

    var isEmpty: Bool { eventCount == 0 }

    /// Bytes this block will occupy on disk at most, counting its payload uncompressed: the
    /// admission check uses it so the byte bound holds before the block is compressed.
    var reservedBytes: Int { isEmpty ? 0 : BlockHeader.size + payload.count }

    mutating func append(_ event: some Collection<UInt8>, time: Int64) {
        if isEmpty {
            firstEventTime = time
            payload.reserveCapacity(64 << 10)
        }
        let length = UInt32(event.count)
        withUnsafeBytes(of: length.littleEndian) { payload.append(contentsOf: $0) }
        payload.append(contentsOf: event)
        eventCount += 1
    }

    mutating func reset() {
        payload.removeAll(keepingCapacity: true)
        eventCount = 0
        firstEventTime = 0
    }

    /// The events, oldest first (at most `limit`), as `append` took them.
    func events(limit: Int = .max) -> [[UInt8]] {
        var result: [[UInt8]] = []
        result.reserveCapacity(min(limit, eventCount))
        payload.withUnsafeBytes { raw in
            var position = 0
            while position < raw.count, result.count < limit {
                let length = Int(raw.loadLittleEndian(at: position) as UInt32)
                position += BlockHeader.eventFraming
                result.append(Array(raw[position..<(position + length)]))
                position += length
            }
        }
        return result
    }

    /// Removes the `count` oldest events (a reader took them without the block ever being written).
    /// The block keeps its first event's time: the age it reports can only be older than the truth.
    mutating func removeFirst(_ count: Int) {
        guard count > 0 else { return }
        guard count < eventCount else {
            reset()
            return
        }
        var position = 0
        payload.withUnsafeBytes { raw in
            for _ in 0..<count {
                position += BlockHeader.eventFraming + Int(raw.loadLittleEndian(at: position) as UInt32)
            }
        }
        payload.removeFirst(position)
        eventCount -= count
    }

    /// Removes the newest event (an append whose write-out failed takes back its own event only).
    mutating func removeLast() {
        guard eventCount > 1 else {
            reset()
            return
        }
        var position = 0
        var last = 0
        payload.withUnsafeBytes { raw in
            while position < raw.count {
                last = position
                position += BlockHeader.eventFraming + Int(raw.loadLittleEndian(at: position) as UInt32)
            }
        }
        payload.removeLast(payload.count - last)
        eventCount -= 1
    }

    /// The block as written to disk: header, then the zstd-compressed payload.
    func encode(with codec: ZstdCodec) throws -> [UInt8] {
        var block = [UInt8](repeating: 0, count: BlockHeader.size)
        block.reserveCapacity(BlockHeader.size + payload.count / 2)
        _ = try payload.withUnsafeBytes { try codec.compress($0, appendingTo: &block) }
        var header = BlockHeader(
            length: UInt32(block.count), checksum: 0, uncompressedLength: UInt32(payload.count),
            eventCount: UInt32(eventCount), firstEventTime: firstEventTime)
        header.store(into: &block)
        header.checksum = block.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[8...])) }
        header.store(into: &block)
        return block
    }

    /// The events of a block whose header already verified. Throws when the payload does not
    /// decompress or its framing disagrees with the header.
    static func decodeEvents(
        of header: BlockHeader, in bytes: UnsafeRawBufferPointer, at offset: Int, codec: ZstdCodec
    ) throws -> [[UInt8]] {
        let frame = UnsafeRawBufferPointer(rebasing: bytes[(offset + BlockHeader.size)..<(offset + Int(header.length))])
        let payload = try codec.decompress(frame, expectedLength: Int(header.uncompressedLength))
        var events: [[UInt8]] = []
        events.reserveCapacity(Int(header.eventCount))
        try payload.withUnsafeBytes { raw in
            var position = 0
            while position < raw.count {
                guard raw.count - position >= BlockHeader.eventFraming else { break }
                let length = Int(raw.loadLittleEndian(at: position) as UInt32)
                position += BlockHeader.eventFraming
                guard length <= raw.count - position else { break }
                events.append(Array(raw[position..<(position + length)]))
                position += length
            }
            guard position == raw.count, events.count == Int(header.eventCount) else {
                throw SpoolError.compression(reason: "payload framing disagrees with the block header")
            }
        }
        return events
    }
}
