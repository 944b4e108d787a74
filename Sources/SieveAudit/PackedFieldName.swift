/// A field name of at most 16 bytes held as two little-endian words (zero-padded) and its length,
/// so the parsers recognise a name by comparing integers (`AuditField+PackedNames.swift`).
struct PackedFieldName: Sendable {
    private(set) var words: (UInt64, UInt64) = (0, 0)
    let count: Int

    /// Nil when `bytes` is longer than any field name can be.
    @inline(__always)
    init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count <= 16 else { return nil }
        count = bytes.count
        // Byte by byte (at most 16): no call, and nothing read past the name.
        var low: UInt64 = 0
        var high: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            if index < 8 {
                low |= UInt64(byte) << (8 * UInt64(index))
            } else {
                high |= UInt64(byte) << (8 * UInt64(index - 8))
            }
        }
        words = (low, high)
    }

    /// The name of `count` bytes whose little-endian words, possibly followed by other bytes, are
    /// `low` and `high` (`count` ≤ 16).
    @inline(__always)
    init(low: UInt64, high: UInt64, count: Int) {
        self.count = count
        @inline(__always) func prefix(_ word: UInt64, _ bytes: Int) -> UInt64 {
            bytes >= 8 ? word : bytes <= 0 ? 0 : word & ((1 << (8 * UInt64(bytes))) - 1)
        }
        words = (prefix(low, count), prefix(high, count - 8))
    }
}
