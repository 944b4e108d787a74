/// Where the reader stands: `eventsConsumed` events of the block at `blockOffset` in segment
/// `segmentID` are acknowledged, and so is everything before it.
///
/// Stored as the 28-byte file `read-position` (`"ASRP"`, u64 segment id, u64 offset, u32 events,
/// u32 CRC-32C of the first 24 bytes), replaced with write + rename. It is only a hint: recovery
/// trusts the segments. A position naming a missing segment is ignored (that segment was fully
/// acknowledged and deleted); segments older than the one it names are fully acknowledged; an
/// offset that is not a block boundary, or a bad checksum, means "start at the oldest segment"
/// (duplicates rather than loss).
struct ReadPosition: Equatable, Sendable {
    static let encodedSize = 28
    private static let magic: [UInt8] = Array("ASRP".utf8)

    var segmentID: UInt64
    var blockOffset: Int
    var eventsConsumed: Int

    func encoded() -> [UInt8] {
        var bytes = ReadPosition.magic + [UInt8](repeating: 0, count: ReadPosition.encodedSize - 4)
        bytes.withUnsafeMutableBytes { raw in
            raw.storeLittleEndian(segmentID, at: 4)
            raw.storeLittleEndian(UInt64(blockOffset), at: 12)
            raw.storeLittleEndian(UInt32(eventsConsumed), at: 20)
            raw.storeLittleEndian(CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<24])), at: 24)
        }
        return bytes
    }

    /// Decodes a position file, or nil when it is short, foreign or fails its checksum.
    init?(decoding bytes: [UInt8]) {
        guard bytes.count == ReadPosition.encodedSize, bytes.prefix(4).elementsEqual(ReadPosition.magic) else {
            return nil
        }
        let decoded: (UInt64, UInt64, UInt32)? = bytes.withUnsafeBytes { raw in
            guard CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<24])) == raw.loadLittleEndian(at: 24) else {
                return nil
            }
            return (raw.loadLittleEndian(at: 4), raw.loadLittleEndian(at: 12), raw.loadLittleEndian(at: 20))
        }
        guard let (segment, offset, events) = decoded, offset <= UInt64(Int.max) else { return nil }
        self.init(segmentID: segment, blockOffset: Int(offset), eventsConsumed: Int(events))
    }

    init(segmentID: UInt64, blockOffset: Int, eventsConsumed: Int) {
        self.segmentID = segmentID
        self.blockOffset = blockOffset
        self.eventsConsumed = eventsConsumed
    }
}
