/// The result of checking every block of one segment file, used by recovery and the inspector.
///
/// A scan never trusts a length it has not verified: after a block fails, it looks for the next
/// offset where a complete block passes its checksum (a zstd frame magic pre-filters candidates).
/// Bad bytes followed by a good block are corruption; bad bytes up to the end of the file are a
/// torn tail (an interrupted write), which is expected after a crash and is not corruption.
struct SegmentScan: Sendable {
    struct Block: Sendable, Equatable {
        var offset: Int
        var header: BlockHeader
        var end: Int { offset + Int(header.length) }
    }

    private static let zstdMagic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]

    var fileSize: Int
    var headerValid: Bool
    var blocks: [Block] = []
    /// Bad byte ranges that a good block follows.
    var corruptRanges: [Range<Int>] = []
    /// Bytes after the last good block with no good block after them.
    var tornTail: Range<Int>?

    var eventCount: Int { blocks.reduce(0) { $0 + Int($1.header.eventCount) } }
    /// Where the segment ends once its torn tail is cut off.
    var validEnd: Int { blocks.last?.end ?? min(fileSize, SegmentFormat.headerSize) }
    /// A segment with a bad header or a corrupt range; a torn tail alone does not count.
    var isCorrupt: Bool { !corruptRanges.isEmpty || (!headerValid && fileSize >= SegmentFormat.headerSize) }
    var corruptByteCount: Int {
        corruptRanges.reduce(0) { $0 + $1.count }
            + (headerValid || fileSize < SegmentFormat.headerSize ? 0 : SegmentFormat.headerSize)
    }

    init(_ bytes: UnsafeRawBufferPointer) {
        fileSize = bytes.count
        headerValid = SegmentFormat.hasValidHeader(bytes)
        guard bytes.count > SegmentFormat.headerSize else {
            if bytes.count < SegmentFormat.headerSize && bytes.count > 0 { tornTail = 0..<bytes.count }
            return
        }
        var position = SegmentFormat.headerSize
        while position < bytes.count {
            if let header = BlockHeader(bytes, at: position), header.verifies(in: bytes, at: position) {
                blocks.append(Block(offset: position, header: header))
                position += Int(header.length)
                continue
            }
            guard let next = SegmentScan.nextGoodBlock(in: bytes, after: position) else {
                tornTail = position..<bytes.count
                break
            }
            corruptRanges.append(position..<next)
            position = next
        }
    }

    private static func nextGoodBlock(in bytes: UnsafeRawBufferPointer, after position: Int) -> Int? {
        var candidate = position + 1
        while candidate + BlockHeader.size + zstdMagic.count <= bytes.count {
            let frame = candidate + BlockHeader.size
            if bytes[frame] == zstdMagic[0] && bytes[frame + 1] == zstdMagic[1] && bytes[frame + 2] == zstdMagic[2]
                && bytes[frame + 3] == zstdMagic[3],
                let header = BlockHeader(bytes, at: candidate), header.verifies(in: bytes, at: candidate)
            {
                return candidate
            }
            candidate += 1
        }
        return nil
    }
}
