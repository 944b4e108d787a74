/// Copies one JSON value from the cursor into `out` without whitespace (and without rsyslog's
/// `#011`/`#012`/`#015` between tokens): strings byte for byte with their escapes, numbers and
/// literals as written, objects and arrays recursively. The result is valid JSON for the event.
enum JSONValueCopier {
    /// Deeper nesting is refused: the filter's records nest three levels at most.
    static let maximumDepth = 32

    /// False when the message ends inside the value (what was copied is then incomplete).
    static func copy(_ cursor: inout ByteCursor, into out: inout [UInt8], depth: Int = 0) throws(AuditParseError) -> Bool {
        guard depth < maximumDepth else { throw syntax(at: cursor.position, "values nested deeper than \(maximumDepth)") }
        cursor.skipWhitespace(rsyslogEscapes: true)
        guard let byte = cursor.current else { return false }
        switch byte {
        case UInt8(ascii: "\""):
            let start = cursor.position
            guard try JSONStringDecoder.skip(&cursor) != nil else { return false }
            out.append(contentsOf: cursor.slice(start..<cursor.position))
            return true
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close: UInt8 = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            out.append(byte)
            cursor.advance()
            cursor.skipWhitespace(rsyslogEscapes: true)
            if cursor.current == close {
                out.append(close)
                cursor.advance()
                return true
            }
            while true {
                if byte == UInt8(ascii: "{") {
                    cursor.skipWhitespace(rsyslogEscapes: true)
                    guard let quote = cursor.current else { return false }
                    guard quote == UInt8(ascii: "\"") else { throw syntax(at: cursor.position, "expected a key") }
                    guard try copy(&cursor, into: &out, depth: depth + 1) else { return false }
                    cursor.skipWhitespace(rsyslogEscapes: true)
                    guard let colon = cursor.current else { return false }
                    guard colon == UInt8(ascii: ":") else { throw syntax(at: cursor.position, "expected ':'") }
                    out.append(colon)
                    cursor.advance()
                }
                guard try copy(&cursor, into: &out, depth: depth + 1) else { return false }
                cursor.skipWhitespace(rsyslogEscapes: true)
                guard let next = cursor.current else { return false }
                cursor.advance()
                out.append(next)
                if next == close { return true }
                guard next == UInt8(ascii: ",") else { throw syntax(at: cursor.position - 1, "expected ',' or '\(Character(UnicodeScalar(close)))'") }
            }
        default:
            // A number or true/false/null.
            let start = cursor.position
            while let current = cursor.current, isScalarByte(current) { cursor.advance() }
            guard cursor.position > start else { throw syntax(at: start, "expected a value") }
            if cursor.isAtEnd { return false }
            out.append(contentsOf: cursor.slice(start..<cursor.position))
            return true
        }
    }

    static func isScalarByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "-"), UInt8(ascii: "+"),
            UInt8(ascii: "."), UInt8(ascii: "E"):
            true
        default: false
        }
    }

    static func syntax(at offset: Int, _ reason: String) -> AuditParseError {
        AuditParseError(.syntax, format: .auditFilterJSON, offset: offset, reason)
    }
}
