/// XML entity and character references: `&lt; &gt; &amp; &quot; &apos; &#N; &#xH;`. The plugin
/// writes `&#1;`…`&#31;` for control characters, which strict XML parsers reject; here they decode
/// to the byte (docs/FORMATS.md §2.6).
enum XMLEntity {
    enum Scan: Equatable {
        /// The reference stands for this scalar and is `length` bytes long.
        case scalar(UInt32, length: Int)
        /// The message ends inside something that can still become a reference.
        case cut
        case invalid(String)
    }

    private static let named: [(name: StaticString, scalar: UInt32)] = [
        ("lt;", 0x3C), ("gt;", 0x3E), ("amp;", 0x26), ("quot;", 0x22), ("apos;", 0x27),
    ]

    /// Reads the reference whose `&` is at `index`.
    static func scan(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Scan {
        guard index + 1 < bytes.count else { return .cut }
        if bytes[index + 1] == UInt8(ascii: "#") { return numeric(bytes, at: index) }
        var cursor = ByteCursor(bytes, at: index + 1)
        var sawCut = false
        for entity in named {
            switch cursor.match(entity.name) {
            case .matched: return .scalar(entity.scalar, length: entity.name.utf8CodeUnitCount + 1)
            case .cut: sawCut = true
            case .mismatch: break
            }
        }
        return sawCut ? .cut : .invalid("unknown entity or bare '&' (use &amp;)")
    }

    /// `&#N;` or `&#xH;`.
    private static func numeric(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Scan {
        var at = index + 2
        let hex = at < bytes.count && bytes[at] == UInt8(ascii: "x")
        if hex { at += 1 }
        var value: UInt32 = 0
        var digits = 0
        while true {
            guard at < bytes.count else { return .cut }
            let byte = bytes[at]
            if byte == UInt8(ascii: ";") { break }
            let digit: UInt8? = hex ? JSONStringDecoder.hexValue(byte) : (BareInteger.isDigit(byte) ? byte - 0x30 : nil)
            guard let digit else { return .invalid("malformed character reference") }
            value = value * (hex ? 16 : 10) + UInt32(digit)
            digits += 1
            if value > 0x10FFFF { return .invalid("character reference beyond U+10FFFF") }
            at += 1
        }
        guard digits > 0 else { return .invalid("empty character reference") }
        guard value != 0, !(0xD800..<0xE000).contains(value) else {
            return .invalid("character reference to U+\(String(value, radix: 16, uppercase: true)) is not a character")
        }
        return .scalar(value, length: at + 1 - index)
    }
}
