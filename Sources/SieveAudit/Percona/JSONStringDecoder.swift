/// Undoes JSON string escaping (`\" \\ \/ \b \f \n \r \t \uXXXX`) straight into a record.
/// rsyslog's `#ooo` escapes are left alone: plugin JSON has no structural LF, so a `#012` inside a
/// string is text the user typed (docs/FORMATS.md §5.2).
package enum JSONStringDecoder {
    /// Appends the unescaped value of the string whose opening quote is at the cursor and moves past
    /// the closing quote. Returns `false` when the message ends inside the string; a partial escape
    /// or a partial UTF-8 character at the cut is dropped.
    static func decode(_ cursor: inout ByteCursor, into record: inout AuditRecord) throws(AuditParseError) -> Bool {
        let bytes = cursor.bytes
        var index = cursor.position + 1
        while true {
            let runStart = index
            index = plainRunEnd(bytes, from: index)
            if index == bytes.count {
                let keep = index - UTF8Bytes.incompleteSuffixLength(in: bytes, runStart..<index)
                record.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<keep]))
                cursor.position = index
                return false
            }
            if index > runStart { record.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<index])) }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                cursor.position = index + 1
                return true
            }
            if byte < 0x20 {
                throw syntax(at: index, "unescaped control character 0x\(DiagnosticText.hex(byte)) in string")
            }
            guard let length = try unescape(bytes, at: index, into: &record) else {
                cursor.position = bytes.count
                return false
            }
            index += length
        }
    }

    /// The range of the raw content of the string whose opening quote is at the cursor, when it
    /// holds no escape and no control byte and closes before the message ends (nearly every value):
    /// its raw bytes are then its value, and the cursor moves past the closing quote. `nil`, with
    /// the cursor where it was, otherwise: `decode` then reads the string.
    @inline(__always)
    static func plain(_ cursor: inout ByteCursor) -> Range<Int>? {
        let bytes = cursor.bytes
        let start = cursor.position + 1
        let end = plainRunEnd(bytes, from: start)
        guard end < bytes.count, bytes[end] == UInt8(ascii: "\"") else { return nil }
        cursor.position = end + 1
        return start..<end
    }

    /// Where the run of plain bytes from `index` ends: at the first quote, backslash or control
    /// byte, or at the end of the message. Eight plain bytes at a time; a word that may hold a stop
    /// is walked byte by byte.
    @inline(__always)
    private static func plainRunEnd(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var index = start
        while index < bytes.count {
            if index + 8 <= bytes.count, !mayEndRun(bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
                index += 8
                continue
            }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { return index }
            index += 1
        }
        return index
    }

    /// Whether any of the eight bytes of `word` may be a quote, a backslash or a control character
    /// (below 0x20): never false when one is (the SWAR zero-byte and less-than tests have no false
    /// negatives), sometimes true when none is.
    /// The event encoder's string writer uses it too: inlinable, or that module calls it for every
    /// eight bytes it writes (a call per word was 1.1 % of the receiver's samples without rules).
    @inlinable @inline(__always)
    package static func mayEndRun(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let zeroInQuote = (quote &- ones) & ~quote
        let zeroInBackslash = (backslash &- ones) & ~backslash
        let belowSpace = (word &- ones &* 0x20) & ~word
        return (zeroInQuote | zeroInBackslash | belowSpace) & highs != 0
    }

    /// Moves past the string at the cursor without decoding it and returns the range of its raw
    /// content, or `nil` when the message ends inside it. Used for keys.
    static func skip(_ cursor: inout ByteCursor) throws(AuditParseError) -> Range<Int>? {
        let bytes = cursor.bytes
        let start = cursor.position + 1
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                cursor.position = index + 1
                return start..<index
            }
            if byte < 0x20 {
                throw syntax(at: index, "unescaped control character 0x\(DiagnosticText.hex(byte)) in string")
            }
            index += byte == UInt8(ascii: "\\") ? 2 : 1
        }
        cursor.position = bytes.count
        return nil
    }

    /// Decodes the escape whose backslash is at `index`; returns its length, `nil` when the message
    /// ends inside it.
    private static func unescape(
        _ bytes: UnsafeRawBufferPointer, at index: Int, into record: inout AuditRecord
    ) throws(AuditParseError) -> Int? {
        guard index + 1 < bytes.count else { return nil }
        let simple: UInt8? =
            switch bytes[index + 1] {
            case UInt8(ascii: "\""): 0x22
            case UInt8(ascii: "\\"): 0x5C
            case UInt8(ascii: "/"): 0x2F
            case UInt8(ascii: "b"): 0x08
            case UInt8(ascii: "f"): 0x0C
            case UInt8(ascii: "n"): 0x0A
            case UInt8(ascii: "r"): 0x0D
            case UInt8(ascii: "t"): 0x09
            default: nil
            }
        if let simple {
            record.append(simple)
            return 2
        }
        guard bytes[index + 1] == UInt8(ascii: "u") else {
            throw syntax(at: index, "invalid escape: backslash followed by \(DiagnosticText.byte(bytes[index + 1]))")
        }
        guard let unit = try hex4(bytes, at: index + 2) else { return nil }
        switch unit {
        case 0xD800..<0xDC00:
            // A high surrogate must be followed by `\u` and a low one; otherwise it stands alone.
            let next = index + 6
            if next < bytes.count, bytes[next] == UInt8(ascii: "\\") {
                guard next + 1 < bytes.count else { return nil }
                if bytes[next + 1] == UInt8(ascii: "u") {
                    guard let low = try hex4(bytes, at: next + 2) else { return nil }
                    if (0xDC00..<0xE000).contains(low) {
                        UTF8Bytes.append(0x10000 + (unit - 0xD800) << 10 + (low - 0xDC00), to: &record)
                        return 12
                    }
                }
            } else if next >= bytes.count {
                return nil
            }
            UTF8Bytes.append(0xFFFD, to: &record)
        case 0xDC00..<0xE000:
            UTF8Bytes.append(0xFFFD, to: &record)
        default:
            UTF8Bytes.append(unit, to: &record)
        }
        return 6
    }

    /// Four hex digits at `index`; `nil` when the message ends before them.
    private static func hex4(_ bytes: UnsafeRawBufferPointer, at index: Int) throws(AuditParseError) -> UInt32? {
        var value: UInt32 = 0
        for at in index..<index + 4 {
            guard at < bytes.count else { return nil }
            guard let digit = hexValue(bytes[at]) else {
                throw syntax(at: index - 2, "invalid \\u escape: \(DiagnosticText.byte(bytes[at])) is not a hex digit")
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func syntax(at offset: Int, _ reason: String) -> AuditParseError {
        AuditParseError(.syntax, format: .perconaJSON, offset: offset, reason)
    }
}
