/// rsyslog's on-receive escaping of control characters: `#` and three octal digits (`#012` for LF).
/// `#` itself is never escaped, so the text `#012` is ambiguous; each dialect decides where an
/// escape can occur (docs/FORMATS.md §5.2).
enum RsyslogEscape {
    enum Scan: Equatable {
        /// A complete escape standing for this byte (always four bytes long).
        case escape(UInt8)
        /// The message ends inside something that could still become an escape.
        case cut
        case none
    }

    /// A control character `#000`…`#037` at `index` (which holds `#`).
    static func control(in bytes: UnsafeRawBufferPointer, at index: Int) -> Scan {
        var value: UInt8 = 0
        for offset in 1...3 {
            let at = index + offset
            if at >= bytes.count { return .cut }
            let digit = bytes[at] &- UInt8(ascii: "0")
            let limit: UInt8 = offset == 1 ? 0 : offset == 2 ? 3 : 7
            if digit > limit { return .none }
            value = value << 3 | digit
        }
        return .escape(value)
    }

    /// One of the whitespace escapes `#011` (TAB), `#012` (LF), `#015` (CR) at `index`.
    static func whitespace(in bytes: UnsafeRawBufferPointer, at index: Int) -> Scan {
        switch control(in: bytes, at: index) {
        case .escape(let byte) where byte == 0x09 || byte == 0x0A || byte == 0x0D:
            .escape(byte)
        case .cut:
            // `#`, `#0`, `#01` can still become one of them; `#00`, `#02`, `#03` cannot.
            index + 2 >= bytes.count || bytes[index + 2] == UInt8(ascii: "1") ? .cut : .none
        default:
            .none
        }
    }
}
