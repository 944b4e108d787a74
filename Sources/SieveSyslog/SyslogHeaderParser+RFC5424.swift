/// RFC 5424: `<PRI>VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD [SP MSG]`.
///
/// A `-` (or a missing field at the end of a short message) is `nil`. STRUCTURED-DATA is one or more
/// `[id param="value"]` elements, with `\"`, `\\` and `\]` escaped inside values. Structured data that does
/// not start with `-` or `[`, or never closes, is not taken as structured data: MSG starts there, so a
/// truncated message loses nothing.
extension SyslogHeaderParser {
    static func parseRFC5424(_ cursor: inout ByteCursor, into message: inout SyslogMessage) {
        message.headerFormat = .rfc5424
        _ = cursor.token()  // VERSION
        _ = cursor.consume(ASCII.space)
        message.timestamp = self.field(&cursor)
        message.hostname = self.field(&cursor)
        message.appName = self.field(&cursor)
        message.procID = self.field(&cursor)
        message.msgID = self.field(&cursor)
        if cursor.peek() == UInt8(ascii: "-"), cursor.peek(1) == ASCII.space || cursor.peek(1) == nil {
            cursor.index += 1
            _ = cursor.consume(ASCII.space)
        } else if let end = self.structuredDataEnd(cursor) {
            message.structuredData = cursor.index..<end
            cursor.index = end
            _ = cursor.consume(ASCII.space)
        }
        message.msg = self.messageBody(&cursor)
    }

    /// One header field and the space after it; `nil` for `-` or nothing.
    private static func field(_ cursor: inout ByteCursor) -> Range<Int>? {
        let token = cursor.token()
        _ = cursor.consume(ASCII.space)
        if token.isEmpty || (token.count == 1 && cursor.bytes[token.lowerBound] == UInt8(ascii: "-")) {
            return nil
        }
        return token
    }

    /// Where the structured data elements starting at the cursor end, or `nil` if there are none or the
    /// last one never closes.
    private static func structuredDataEnd(_ cursor: ByteCursor) -> Int? {
        let bytes = cursor.bytes
        var index = cursor.index
        guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else {
            return nil
        }
        while index < bytes.count, bytes[index] == UInt8(ascii: "[") {
            index += 1
            var inValue = false
            while true {
                guard index < bytes.count else {
                    return nil
                }
                let byte = bytes[index]
                index += 1
                if inValue {
                    if byte == UInt8(ascii: "\\") {
                        index += 1
                    } else if byte == UInt8(ascii: "\"") {
                        inValue = false
                    }
                } else if byte == UInt8(ascii: "\"") {
                    inValue = true
                } else if byte == UInt8(ascii: "]") {
                    break
                }
            }
        }
        return index
    }
}
