import NIOCore

/// Reads the syslog header of one framed message: RFC 5424, RFC 3164 as rsyslog forwards it, or the
/// `<PRI>TIMESTAMP TAG: MSG` that glibc `syslog(3)` writes to `/dev/log`.
///
/// Parsing never fails: whatever cannot be read as a header is MSG. Without a valid `<PRI>` (`<0>` to
/// `<191>`, no leading zeros) the header format is `.none` and the whole message, untrimmed, is MSG.
/// `<PRI>` followed by `VERSION SP` (`[1-9][0-9]{0,2}`) is RFC 5424; any other `<PRI>` is RFC 3164.
/// MSG has its leading spaces trimmed. The ranges index into the parsed bytes, so nothing is allocated.
public enum SyslogHeaderParser {
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> SyslogMessage {
        var cursor = ByteCursor(bytes)
        guard let priority = self.priority(&cursor) else {
            return SyslogMessage(headerFormat: .none, msg: 0..<bytes.count)
        }
        var message = SyslogMessage(
            headerFormat: .rfc3164, facility: priority / 8, severity: priority % 8, msg: bytes.count..<bytes.count
        )
        if self.hasVersion(cursor) {
            self.parseRFC5424(&cursor, into: &message)
        } else {
            self.parseRFC3164(&cursor, into: &message)
        }
        return message
    }

    public static func parse(_ bytes: [UInt8]) -> SyslogMessage {
        bytes.withUnsafeBytes { self.parse($0) }
    }

    /// Ranges index into the readable bytes (0 is the reader index).
    public static func parse(_ buffer: ByteBuffer) -> SyslogMessage {
        buffer.withUnsafeReadableBytes { self.parse($0) }
    }

    /// Reads `<PRI>`; leaves the cursor alone and returns `nil` when it is not valid.
    private static func priority(_ cursor: inout ByteCursor) -> Int? {
        var probe = cursor
        guard probe.consume(UInt8(ascii: "<")), let first = probe.peek().flatMap(ASCII.digitValue) else {
            return nil
        }
        probe.index += 1
        var value = first
        var digits = 1
        while let digit = probe.peek().flatMap(ASCII.digitValue) {
            guard first != 0, digits < 3 else {
                return nil
            }
            value = value * 10 + digit
            digits += 1
            probe.index += 1
        }
        guard probe.consume(UInt8(ascii: ">")), value <= 191 else {
            return nil
        }
        cursor = probe
        return value
    }

    /// Whether RFC 5424's `VERSION SP` comes next.
    private static func hasVersion(_ cursor: ByteCursor) -> Bool {
        guard let first = cursor.peek(), (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(first) else {
            return false
        }
        var offset = 1
        while offset < 3, let byte = cursor.peek(offset), ASCII.digitValue(byte) != nil {
            offset += 1
        }
        return cursor.peek(offset) == ASCII.space
    }

    /// MSG: from the cursor on, without leading spaces or a byte order mark.
    static func messageBody(_ cursor: inout ByteCursor) -> Range<Int> {
        cursor.skipSpaces()
        cursor.consumeByteOrderMark()
        cursor.skipSpaces()
        return cursor.rest
    }
}
