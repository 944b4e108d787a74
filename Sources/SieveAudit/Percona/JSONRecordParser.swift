#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Parses `{"audit_record":{"name":"Query",…,"status":0,…}}` byte by byte: strict JSON for this
/// one shape, with whitespace allowed between tokens.
struct JSONRecordParser {
    private var cursor: ByteCursor
    private var builder: PerconaRecordBuilder

    init(_ message: UnsafeRawBufferPointer) {
        cursor = ByteCursor(message)
        // The record's storage starts as a copy of the message: plain values and numbers are
        // marked where they lie in it (same offsets as in the message), escaped ones appended.
        builder = PerconaRecordBuilder(format: .perconaJSON, copying: message, room: Self.unescapingRoom(message))
    }

    /// The most room for unescaped values a record reserves (beyond it, growing is rare and amortized).
    static let maxUnescapingRoom = 16 * 1024

    /// Room after the copy for the values to unescape: none without a backslash (the exact fit
    /// measured faster for plain records than room for every one: 522 against 583–756 ns, likely
    /// glibc's per-thread cache size, not checked); otherwise as much again as the message, up to
    /// `maxUnescapingRoom` (a value is no longer unescaped than as written), so that appending
    /// never regrows the storage, which cost every record with an escape an allocation and a copy.
    private static func unescapingRoom(_ message: UnsafeRawBufferPointer) -> Int {
        guard let base = message.baseAddress, memchr(base, 0x5C, message.count) != nil else { return 0 }
        return min(message.count, maxUnescapingRoom)
    }

    /// Where the recognizer `{"audit_record"` (whitespace allowed after `{`) ends, if it is there.
    static func openerEnd(_ message: UnsafeRawBufferPointer) -> Int? {
        var cursor = ByteCursor(message)
        cursor.skipWhitespace(rsyslogEscapes: false)
        guard cursor.match("{") == .matched else { return nil }
        cursor.skipWhitespace(rsyslogEscapes: false)
        guard cursor.match("\"audit_record\"") == .matched else { return nil }
        return cursor.position
    }

    mutating func parse() throws(AuditParseError) -> AuditRecord {
        guard let start = Self.openerEnd(cursor.bytes) else {
            throw AuditParseError(.notAnAuditRecord, format: nil, offset: 0, "not a Percona JSON audit record")
        }
        cursor.position = start
        guard try token(":", "':' after \"audit_record\""), try token("{", "'{' opening the fields") else {
            return try builder.truncatedBetweenFields(at: cursor.position)
        }
        cursor.skipWhitespace(rsyslogEscapes: false)
        if cursor.current == UInt8(ascii: "}") {
            cursor.advance()
        } else {
            while true {
                if let cut = try member() { return try builder.truncated(at: cut) }
                cursor.skipWhitespace(rsyslogEscapes: false)
                guard let byte = cursor.current else { return try builder.truncatedBetweenFields(at: cursor.position) }
                guard byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") else {
                    throw unexpected(byte, expecting: "',' or '}' after a value")
                }
                cursor.advance()
                if byte == UInt8(ascii: "}") { break }
            }
        }
        guard try token("}", "'}' closing the record") else {
            return try builder.truncatedBetweenFields(at: cursor.position)
        }
        let closed = cursor.position
        cursor.skipWhitespace(rsyslogEscapes: true)
        if !cursor.isAtEnd {
            throw builder.error(.trailingData, at: cursor.position, "unexpected bytes after the end of the record")
        }
        return try builder.complete(at: closed)
    }

    /// One `"key": value` pair. Returns where the message ended when it ends inside it.
    private mutating func member() throws(AuditParseError) -> RecordCut? {
        cursor.skipWhitespace(rsyslogEscapes: false)
        guard let byte = cursor.current else { return .betweenFields(at: cursor.position) }
        guard byte == UInt8(ascii: "\"") else { throw unexpected(byte, expecting: "a key in double quotes") }
        let keyOffset = cursor.position
        let field: AuditField
        if let (known, end) = Self.knownKey(cursor.bytes, at: keyOffset) {
            field = known
            cursor.position = end
        } else {
            guard let key = try JSONStringDecoder.skip(&cursor) else {
                return .betweenFields(at: cursor.position)
            }
            guard let found = AuditField.byJSONKey(cursor.slice(key)) else {
                throw builder.error(.fields, at: keyOffset, "unknown key \"\(DiagnosticText.text(cursor.slice(key)))\"")
            }
            field = found
        }
        cursor.skipWhitespace(rsyslogEscapes: false)
        guard let colon = cursor.current else { return .inside(field, at: cursor.position) }
        guard colon == UInt8(ascii: ":") else { throw unexpected(colon, expecting: "':' after the key") }
        cursor.advance()
        cursor.skipWhitespace(rsyslogEscapes: false)
        guard let first = cursor.current else { return .inside(field, at: cursor.position) }
        if first == UInt8(ascii: "\"") {
            if let plain = JSONStringDecoder.plain(&cursor) {
                try builder.mark(field, plain, at: keyOffset)
                return nil
            }
            try builder.begin(field, at: keyOffset)
            guard try JSONStringDecoder.decode(&cursor, into: &builder.record) else {
                return .inside(field, at: cursor.position)
            }
            builder.end(field)
            return nil
        }
        guard first == UInt8(ascii: "-") || BareInteger.isDigit(first) else {
            throw unexpected(first, expecting: "a string or an integer as the value of \(builder.label(field))")
        }
        let digits = BareInteger.scan(&cursor)
        guard !cursor.isAtEnd else { return .inside(field, at: cursor.position) }
        guard let digits else {
            throw builder.error(.syntax, at: cursor.position, "'-' not followed by digits in \(builder.label(field))")
        }
        try builder.mark(field, digits, at: keyOffset)
        return nil
    }

    /// The field whose key is the string opening at `quote`, and where the string ends, read with
    /// two 8-byte loads: the first quote among the 16 bytes after the opening one ends the key
    /// (a field's name has no backslash, so a name that matches is the whole key). `nil` when the
    /// message has fewer than 17 bytes left or no field matches: `skip` then reads the key byte by
    /// byte, for the same result or the same error.
    @inline(__always)
    private static func knownKey(_ bytes: UnsafeRawBufferPointer, at quote: Int) -> (AuditField, Int)? {
        guard quote + 17 <= bytes.count else { return nil }
        let low = bytes.loadUnaligned(fromByteOffset: quote + 1, as: UInt64.self)
        let high = bytes.loadUnaligned(fromByteOffset: quote + 9, as: UInt64.self)
        let length: Int
        if let index = firstQuote(low) {
            length = index
        } else if let index = firstQuote(high) {
            length = 8 + index
        } else {
            return nil
        }
        guard let field = AuditField.perconaField(jsonKey: PackedFieldName(low: low, high: high, count: length))
        else { return nil }
        return (field, quote + 1 + length + 1)
    }

    /// The index of the first `"` among the eight bytes of `word` (little-endian), if any: the
    /// zero-byte test is exact for the lowest zero byte.
    @inline(__always)
    private static func firstQuote(_ word: UInt64) -> Int? {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quotes = word ^ (ones &* 0x22)
        let found = (quotes &- ones) & ~quotes & (ones &* 0x80)
        return found == 0 ? nil : found.trailingZeroBitCount / 8
    }

    /// Skips whitespace and the expected one-byte token; `false` when the message ends first.
    private mutating func token(_ expected: Unicode.Scalar, _ description: String) throws(AuditParseError) -> Bool {
        cursor.skipWhitespace(rsyslogEscapes: false)
        guard let byte = cursor.current else { return false }
        guard byte == UInt8(ascii: expected) else { throw unexpected(byte, expecting: description) }
        cursor.advance()
        return true
    }

    private func unexpected(_ byte: UInt8, expecting what: String) -> AuditParseError {
        builder.error(.syntax, at: cursor.position, "expected \(what), found \(DiagnosticText.byte(byte))")
    }
}
