/// Copies one JSON value from the cursor into `out` without whitespace (and without rsyslog's
/// `#011`/`#012`/`#015` between tokens): strings byte for byte with their escapes, numbers and
/// literals as written, objects and arrays recursively. The result is valid JSON for the event:
/// an escape JSON does not have, or a scalar that is no number nor `true`/`false`/`null`, is a
/// syntax error, and each byte of an invalid UTF-8 sequence in a string becomes U+FFFD (as the event
/// encoder writes fields).
enum JSONValueCopier {
    /// Deeper nesting is refused: the filter's records nest three levels at most.
    static let maximumDepth = 32

    /// False when the message ends inside the value (what was copied is then incomplete).
    static func copy(_ cursor: inout ByteCursor, into out: inout [UInt8], depth: Int = 0) throws(AuditParseError)
        -> Bool
    {
        guard depth < maximumDepth else {
            throw syntax(at: cursor.position, "values nested deeper than \(maximumDepth)")
        }
        cursor.skipWhitespace(rsyslogEscapes: true)
        guard let byte = cursor.current else { return false }
        switch byte {
        case UInt8(ascii: "\""):
            guard let content = try JSONStringDecoder.skip(&cursor) else { return false }
            try copyString(cursor.bytes, content, into: &out)
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
                guard next == UInt8(ascii: ",") else {
                    throw syntax(at: cursor.position - 1, "expected ',' or '\(Character(UnicodeScalar(close)))'")
                }
            }
        default:
            // A number or true/false/null.
            let start = cursor.position
            while let current = cursor.current, isScalarByte(current) { cursor.advance() }
            guard cursor.position > start else { throw syntax(at: start, "expected a value") }
            if cursor.isAtEnd { return false }
            let scalar = cursor.slice(start..<cursor.position)
            guard isLiteral(scalar) || isNumber(scalar) else { throw syntax(at: start, "expected a value") }
            out.append(contentsOf: scalar)
            return true
        }
    }

    /// `"content"` (a string's bytes between its quotes, a member name's too), its escapes checked and
    /// its invalid UTF-8 replaced.
    static func copyString<Bytes: RandomAccessCollection<UInt8>>(
        _ bytes: Bytes, _ content: Range<Int>, into out: inout [UInt8]
    ) throws(AuditParseError) where Bytes.Index == Int {
        out.append(UInt8(ascii: "\""))
        var index = content.lowerBound
        while index < content.upperBound {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\") {
                let length = escapeLength(bytes, at: index, end: content.upperBound)
                guard length > 0 else { throw syntax(at: index, "invalid escape in string") }
                out.append(contentsOf: bytes[index..<(index + length)])
                index += length
            } else if byte < 0x80 {
                out.append(byte)
                index += 1
            } else {
                var scalarBytes = bytes[index..<content.upperBound].makeIterator()
                var parser = Unicode.UTF8.ForwardParser()
                if case .valid(let encoded) = parser.parseScalar(from: &scalarBytes) {
                    out.append(contentsOf: encoded)
                    index += encoded.count
                } else {
                    out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                    index += 1
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The length of the JSON escape at `index` (2, or 6 for `\uXXXX`); 0 when it is none.
    private static func escapeLength<Bytes: RandomAccessCollection<UInt8>>(
        _ bytes: Bytes, at index: Int, end: Int
    ) -> Int where Bytes.Index == Int {
        guard index + 1 < end else { return 0 }
        switch bytes[index + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return 2
        case UInt8(ascii: "u"):
            guard index + 6 <= end,
                bytes[(index + 2)..<(index + 6)].allSatisfy({ JSONStringDecoder.hexValue($0) != nil })
            else { return 0 }
            return 6
        default:
            return 0
        }
    }

    private static func isLiteral(_ scalar: UnsafeRawBufferPointer) -> Bool {
        scalar.elementsEqual("true".utf8) || scalar.elementsEqual("false".utf8) || scalar.elementsEqual("null".utf8)
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    private static func isNumber(_ scalar: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        func digits() -> Int {
            let start = index
            while index < scalar.count, BareInteger.isDigit(scalar[index]) { index += 1 }
            return index - start
        }
        if index < scalar.count, scalar[index] == UInt8(ascii: "-") { index += 1 }
        let integerStart = index
        let integerDigits = digits()
        guard integerDigits > 0, integerDigits == 1 || scalar[integerStart] != UInt8(ascii: "0") else { return false }
        if index < scalar.count, scalar[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return false }
        }
        if index < scalar.count, scalar[index] == UInt8(ascii: "e") || scalar[index] == UInt8(ascii: "E") {
            index += 1
            if index < scalar.count, scalar[index] == UInt8(ascii: "+") || scalar[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard digits() > 0 else { return false }
        }
        return index == scalar.count
    }

    static func isScalarByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "-"),
            UInt8(ascii: "+"),
            UInt8(ascii: "."), UInt8(ascii: "E"):
            true
        default: false
        }
    }

    static func syntax(at offset: Int, _ reason: String) -> AuditParseError {
        AuditParseError(.syntax, format: .auditFilterJSON, offset: offset, reason)
    }
}
