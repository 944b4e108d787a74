/// The 24-byte header in front of every block of events. All integers are little-endian.
///
/// ```
/// offset 0  u32  length               whole block, header included
///        4  u32  checksum             CRC-32C of bytes 8 ..< length
///        8  u32  uncompressedLength   of the event payload
///       12  u32  eventCount           ≥ 1
///       16  i64  firstEventTime       milliseconds since 1970, when the first event was appended
///       24  …    payload              one zstd frame of (u32 length, bytes) per event
/// ```
/// Do not add, remove or reorder fields: segments written by older versions must stay readable.
/// A block is self-describing, so recovery never needs any other file to read it.
struct BlockHeader: Equatable, Sendable {
    static let size = 24
    /// Bytes of framing per event inside the uncompressed payload.
    static let eventFraming = 4
    /// Upper bound on a block's length; a header claiming more is corrupt (a single event larger
    /// than this is rejected by `SpoolQueue.append`).
    static let maximumLength = 64 << 20

    var length: UInt32
    var checksum: UInt32
    var uncompressedLength: UInt32
    var eventCount: UInt32
    var firstEventTime: Int64

    /// Reads a header at `offset`, or nil when fewer than `size` bytes remain.
    init?(_ bytes: UnsafeRawBufferPointer, at offset: Int) {
        guard offset >= 0, bytes.count - offset >= BlockHeader.size else { return nil }
        length = bytes.loadLittleEndian(at: offset)
        checksum = bytes.loadLittleEndian(at: offset + 4)
        uncompressedLength = bytes.loadLittleEndian(at: offset + 8)
        eventCount = bytes.loadLittleEndian(at: offset + 12)
        firstEventTime = Int64(bitPattern: bytes.loadLittleEndian(at: offset + 16) as UInt64)
    }

    init(length: UInt32, checksum: UInt32, uncompressedLength: UInt32, eventCount: UInt32, firstEventTime: Int64) {
        self.length = length
        self.checksum = checksum
        self.uncompressedLength = uncompressedLength
        self.eventCount = eventCount
        self.firstEventTime = firstEventTime
    }

    /// Field checks that need no payload: they let a scan reject garbage without a checksum.
    var isPlausible: Bool {
        Int(length) > BlockHeader.size && Int(length) <= BlockHeader.maximumLength && eventCount > 0
            && UInt64(uncompressedLength) >= UInt64(eventCount) * UInt64(BlockHeader.eventFraming)
            && Int(uncompressedLength) <= BlockHeader.maximumLength
    }

    /// True when the block at `offset` lies wholly inside `bytes` and its checksum matches.
    func verifies(in bytes: UnsafeRawBufferPointer, at offset: Int) -> Bool {
        guard isPlausible, offset + Int(length) <= bytes.count else { return false }
        let covered = UnsafeRawBufferPointer(rebasing: bytes[(offset + 8)..<(offset + Int(length))])
        return CRC32C.checksum(covered) == checksum
    }

    /// Writes the header into the first `size` bytes of `block`.
    func store(into block: inout [UInt8]) {
        block.withUnsafeMutableBytes { raw in
            raw.storeLittleEndian(length, at: 0)
            raw.storeLittleEndian(checksum, at: 4)
            raw.storeLittleEndian(uncompressedLength, at: 8)
            raw.storeLittleEndian(eventCount, at: 12)
            raw.storeLittleEndian(UInt64(bitPattern: firstEventTime), at: 16)
        }
    }
}

extension UnsafeRawBufferPointer {
    func loadLittleEndian<T: FixedWidthInteger>(at offset: Int) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}

extension UnsafeMutableRawBufferPointer {
    func storeLittleEndian<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
    }
}
