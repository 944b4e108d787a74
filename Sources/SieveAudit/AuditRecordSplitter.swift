/// Splits a file of bare records (no syslog framing; what `auditsieve parse` reads) into one chunk
/// per record. Blank lines and `#### ` comment lines between records are skipped.
///
/// - `<AUDIT_RECORD>` (NEW) runs to the end of the line holding `</AUDIT_RECORD>`;
/// - `<AUDIT_RECORD` (OLD) to the end of the line holding the first `/>` outside double quotes;
/// - `"` (CSV) across LFs while inside quotes, to the first LF outside them;
/// - anything else (JSON, other text) is one line.
///
/// An XML record interrupted by a line starting a new record or a comment is cut before that line
/// and marked unclosed; so is a JSON line whose braces do not balance while more input follows.
public enum AuditRecordSplitter {
    public static func nextChunk(in bytes: UnsafeRawBufferPointer, from offset: Int) -> AuditChunk? {
        var lineStart = offset
        while lineStart < bytes.count {
            let lineEnd = endOfLine(bytes, from: lineStart)
            let first = firstNonBlank(bytes, from: lineStart, to: lineEnd)
            if first == lineEnd || isComment(bytes, at: first) {
                lineStart = lineEnd + 1
                continue
            }
            if hasPrefix(bytes, at: first, "<AUDIT_RECORD>") {
                return xmlChunk(bytes, start: first, lineEnd: lineEnd) { line, _ in
                    contains(bytes, line, "</AUDIT_RECORD>")
                }
            }
            if hasPrefix(bytes, at: first, "<AUDIT_RECORD") {
                return xmlChunk(bytes, start: first, lineEnd: lineEnd) { line, inQuotes in
                    closesOldRecord(bytes, line, inQuotes: &inQuotes)
                }
            }
            if bytes[first] == UInt8(ascii: "\"") { return csvChunk(bytes, start: first) }
            let content = first..<trimmedEnd(bytes, first, lineEnd)
            // The audit log filter's JSON file: `[` and `]` lines are its framing, not records.
            if content.count == 1, bytes[first] == UInt8(ascii: "[") || bytes[first] == UInt8(ascii: "]") {
                lineStart = lineEnd + 1
                continue
            }
            // Its pretty records: a line `{` to the line `}` (or `},`) at the same indentation.
            if content.count == 1, bytes[first] == UInt8(ascii: "{") {
                return prettyJSONChunk(bytes, start: first, indent: first - lineStart, lineEnd: lineEnd)
            }
            let unclosed =
                bytes[first] == UInt8(ascii: "{") && !bracesBalance(bytes, first..<lineEnd)
                && hasMoreInput(bytes, after: lineEnd)
            return AuditChunk(range: first..<lineEnd, next: min(lineEnd + 1, bytes.count), unclosed: unclosed)
        }
        return nil
    }

    /// Lines from `start` until one for which `closes` is true; the closure sees each line and a
    /// quote state it may carry from line to line.
    private static func xmlChunk(
        _ bytes: UnsafeRawBufferPointer, start: Int, lineEnd firstLineEnd: Int,
        closes: (Range<Int>, inout Bool) -> Bool
    ) -> AuditChunk {
        var line = start..<firstLineEnd
        var inQuotes = false
        while true {
            if closes(line, &inQuotes) || line.upperBound + 1 >= bytes.count {
                return AuditChunk(
                    range: start..<line.upperBound, next: min(line.upperBound + 1, bytes.count), unclosed: false)
            }
            let nextStart = line.upperBound + 1
            let nextEnd = endOfLine(bytes, from: nextStart)
            let first = firstNonBlank(bytes, from: nextStart, to: nextEnd)
            if first < nextEnd && (isComment(bytes, at: first) || hasPrefix(bytes, at: first, "<AUDIT_RECORD")) {
                return AuditChunk(range: start..<line.upperBound, next: nextStart, unclosed: true)
            }
            line = nextStart..<nextEnd
        }
    }

    private static func trimmedEnd(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Int {
        var end = end
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 || bytes[end - 1] == 0x0D { end -= 1 }
        return end
    }

    private static func prettyJSONChunk(_ bytes: UnsafeRawBufferPointer, start: Int, indent: Int, lineEnd: Int)
        -> AuditChunk
    {
        var lineStart = lineEnd + 1
        while lineStart < bytes.count {
            let end = endOfLine(bytes, from: lineStart)
            let first = firstNonBlank(bytes, from: lineStart, to: end)
            let content = first..<trimmedEnd(bytes, first, end)
            if first < end, first - lineStart == indent, bytes[first] == UInt8(ascii: "}"),
                content.count == 1 || (content.count == 2 && bytes[first + 1] == UInt8(ascii: ","))
            {
                return AuditChunk(range: start..<content.upperBound, next: min(end + 1, bytes.count), unclosed: false)
            }
            if first < end && isComment(bytes, at: first) {
                return AuditChunk(range: start..<lineStart - 1, next: lineStart, unclosed: true)
            }
            lineStart = end + 1
        }
        return AuditChunk(range: start..<bytes.count, next: bytes.count, unclosed: true)
    }

    private static func csvChunk(_ bytes: UnsafeRawBufferPointer, start: Int) -> AuditChunk {
        var inQuotes = false
        var index = start
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""): inQuotes.toggle()
            case 0x0A where !inQuotes: return AuditChunk(range: start..<index, next: index + 1, unclosed: false)
            default: break
            }
            index += 1
        }
        return AuditChunk(range: start..<index, next: index, unclosed: false)
    }

    private static func closesOldRecord(_ bytes: UnsafeRawBufferPointer, _ line: Range<Int>, inQuotes: inout Bool)
        -> Bool
    {
        for index in line {
            if bytes[index] == UInt8(ascii: "\"") {
                inQuotes.toggle()
            } else if !inQuotes, bytes[index] == UInt8(ascii: "/"), index + 1 < line.upperBound,
                bytes[index + 1] == UInt8(ascii: ">")
            {
                return true
            }
        }
        return false
    }

    /// `{` and `}` outside JSON strings balance over the range.
    private static func bracesBalance(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        var depth = 0
        var inString = false
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = bytes[index]
            if inString {
                if byte == UInt8(ascii: "\\") { index += 1 } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "{") {
                depth += 1
            } else if byte == UInt8(ascii: "}") {
                depth -= 1
            }
            index += 1
        }
        return depth <= 0
    }

    private static func hasMoreInput(_ bytes: UnsafeRawBufferPointer, after index: Int) -> Bool {
        var cursor = ByteCursor(bytes, at: index)
        cursor.skipWhitespace(rsyslogEscapes: false)
        return !cursor.isAtEnd
    }

    private static func endOfLine(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var index = start
        while index < bytes.count, bytes[index] != 0x0A { index += 1 }
        return index
    }

    private static func firstNonBlank(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Int {
        var index = start
        while index < end, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0D { index += 1 }
        return index
    }

    private static func isComment(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Bool {
        hasPrefix(bytes, at: index, "#### ")
    }

    private static func hasPrefix(_ bytes: UnsafeRawBufferPointer, at index: Int, _ literal: StaticString) -> Bool {
        var cursor = ByteCursor(bytes, at: index)
        return cursor.match(literal) == .matched
    }

    private static func contains(_ bytes: UnsafeRawBufferPointer, _ line: Range<Int>, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard line.count >= count else { return false }
        for index in line.lowerBound...(line.upperBound - count) where hasPrefix(bytes, at: index, literal) {
            return true
        }
        return false
    }
}
