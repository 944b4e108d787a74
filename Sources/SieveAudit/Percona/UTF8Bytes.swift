/// UTF-8 helpers for decoded escapes and for values cut short by the sender.
enum UTF8Bytes {
    /// Appends the UTF-8 encoding of `scalar` (a valid Unicode scalar value).
    static func append(_ scalar: UInt32, to record: inout AuditRecord) {
        switch scalar {
        case 0..<0x80:
            record.append(UInt8(scalar))
        case 0x80..<0x800:
            record.append(UInt8(0xC0 | scalar >> 6))
            record.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            record.append(UInt8(0xE0 | scalar >> 12))
            record.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            record.append(UInt8(0x80 | scalar & 0x3F))
        default:
            record.append(UInt8(0xF0 | scalar >> 18))
            record.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            record.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            record.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// How many bytes at the end of `bytes[range]` are a multi-byte character the cut went
    /// through: a lead byte followed by fewer continuation bytes than it announces. A value cut
    /// short keeps only whole characters.
    static func incompleteSuffixLength(in bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int {
        var index = range.upperBound - 1
        var continuations = 0
        while index >= range.lowerBound, continuations < 3, bytes[index] & 0xC0 == 0x80 {
            continuations += 1
            index -= 1
        }
        guard index >= range.lowerBound else { return 0 }
        let lead = bytes[index]
        let length =
            switch lead {
            case 0xC0..<0xE0: 2
            case 0xE0..<0xF0: 3
            case 0xF0..<0xF8: 4
            default: 0
            }
        return continuations + 1 < length ? continuations + 1 : 0
    }
}
