/// RFC 3164 as it arrives here: `<PRI>TIMESTAMP [HOSTNAME] TAG: MSG`.
///
/// - TIMESTAMP is `Mmm dd hh:mm:ss` (day padded with a space or a zero) or rsyslog's RFC 3339 form
///   (`2026-11-22T01:28:43.816561+00:00`), followed by a space or the end.
/// - TAG is a token ending in `:`, as `name:` or `name[pid]:`; `appName` is `name`, `procID` is `pid`.
/// - The first token after the timestamp is TAG when it ends in `:` (glibc `syslog(3)` writes no HOSTNAME),
///   and HOSTNAME otherwise. After HOSTNAME, a token that is not a TAG is no tag at all: it starts MSG
///   (`<14>Nov 22 01:30:19 vm hello world` has no app name and MSG `hello world`).
/// - Without a timestamp nothing is taken for HOSTNAME; a leading TAG is still read.
extension SyslogHeaderParser {
    static func parseRFC3164(_ cursor: inout ByteCursor, into message: inout SyslogMessage) {
        if let timestamp = self.rfc3164Timestamp(cursor) ?? self.rfc3339Timestamp(cursor) {
            message.timestamp = timestamp
            cursor.index = timestamp.upperBound
            _ = cursor.consume(ASCII.space)
            if !self.readTag(&cursor, into: &message) {
                var probe = cursor
                let hostname = probe.token()
                if !hostname.isEmpty {
                    message.hostname = hostname
                    _ = probe.consume(ASCII.space)
                    cursor = probe
                    _ = self.readTag(&cursor, into: &message)
                }
            }
        } else {
            _ = self.readTag(&cursor, into: &message)
        }
        message.msg = self.messageBody(&cursor)
    }

    /// Reads a `name:` or `name[pid]:` token and the space after it; leaves the cursor alone otherwise.
    private static func readTag(_ cursor: inout ByteCursor, into message: inout SyslogMessage) -> Bool {
        var probe = cursor
        let token = probe.token()
        let bytes = cursor.bytes
        guard token.count >= 2, bytes[token.upperBound - 1] == UInt8(ascii: ":") else {
            return false
        }
        var name = token.lowerBound..<(token.upperBound - 1)
        if bytes[name.upperBound - 1] == UInt8(ascii: "]"),
            let open = name.dropLast().lastIndex(where: { bytes[$0] == UInt8(ascii: "[") }),
            open > name.lowerBound
        {
            message.procID = (open + 1)..<(name.upperBound - 1)
            name = name.lowerBound..<open
        }
        message.appName = name
        _ = probe.consume(ASCII.space)
        cursor = probe
        return true
    }

    /// `Mmm dd hh:mm:ss` or `Mmm  d hh:mm:ss` at the cursor.
    private static func rfc3164Timestamp(_ cursor: ByteCursor) -> Range<Int>? {
        let length = 15
        guard cursor.index + length <= cursor.bytes.count, self.endsToken(cursor, at: length) else {
            return nil
        }
        let b = UnsafeRawBufferPointer(rebasing: cursor.bytes[cursor.index..<(cursor.index + length)])
        let isDigit = { (offset: Int) in ASCII.digitValue(b[offset]) != nil }
        guard self.isMonth(b[0], b[1], b[2]), b[3] == ASCII.space,
            b[4] == ASCII.space || isDigit(4), isDigit(5), b[6] == ASCII.space,
            isDigit(7), isDigit(8), b[9] == UInt8(ascii: ":"), isDigit(10), isDigit(11),
            b[12] == UInt8(ascii: ":"), isDigit(13), isDigit(14)
        else {
            return nil
        }
        return cursor.index..<(cursor.index + length)
    }

    /// A token at the cursor that starts like an RFC 3339 date-time: `dddd-dd-ddT`.
    private static func rfc3339Timestamp(_ cursor: ByteCursor) -> Range<Int>? {
        let pattern: StaticString = "dddd-dd-ddT"
        let matches = pattern.withUTF8Buffer { pattern in
            pattern.indices.allSatisfy { offset in
                guard let byte = cursor.peek(offset) else {
                    return false
                }
                return pattern[offset] == UInt8(ascii: "d") ? ASCII.digitValue(byte) != nil : byte == pattern[offset]
            }
        }
        guard matches else {
            return nil
        }
        var probe = cursor
        return probe.token()
    }

    private static func endsToken(_ cursor: ByteCursor, at offset: Int) -> Bool {
        cursor.peek(offset).map { $0 == ASCII.space } ?? true
    }

    private static func isMonth(_ first: UInt8, _ second: UInt8, _ third: UInt8) -> Bool {
        let months: StaticString = "JanFebMarAprMayJunJulAugSepOctNovDec"
        return months.withUTF8Buffer { months in
            stride(from: 0, to: months.count, by: 3).contains { start in
                months[start] == first && months[start + 1] == second && months[start + 2] == third
            }
        }
    }
}
