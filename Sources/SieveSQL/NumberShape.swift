/// Where a number literal ends. Identifiers may begin with a digit, so a run of identifier bytes is a
/// number only when it has a number's shape: `123`, `1e5`, `1e+5`, `0x1F`, `0b101`, `1.5`, `.5`.
enum NumberShape {
    /// Whether the identifier run `start..<end` (first byte a digit) is a number rather than a name.
    static func isNumber(_ text: UnsafePointer<UInt8>, start: Int, end: Int, count: Int) -> Bool {
        var cursor = start
        while cursor < end && text[cursor].isDigit { cursor += 1 }
        if cursor == end { return true }
        if cursor == start + 1 && text[start] == UInt8(ascii: "0") && end - start > 2 {
            let marker = text[cursor] | 0x20
            if marker == UInt8(ascii: "x") { return (cursor + 1..<end).allSatisfy { text[$0].isHexDigit } }
            if marker == UInt8(ascii: "b") {
                return (cursor + 1..<end).allSatisfy { text[$0] == UInt8(ascii: "0") || text[$0] == UInt8(ascii: "1") }
            }
        }
        guard text[cursor] | 0x20 == UInt8(ascii: "e") else { return false }
        cursor += 1
        if cursor == end {
            return end + 1 < count && (text[end] == UInt8(ascii: "+") || text[end] == UInt8(ascii: "-"))
                && text[end + 1].isDigit
        }
        while cursor < end && text[cursor].isDigit { cursor += 1 }
        return cursor == end
    }

    /// The end of the number literal starting at `start` (a digit, or `.` before a digit).
    static func end(_ text: UnsafePointer<UInt8>, start: Int, count: Int) -> Int {
        var cursor = start
        if text[cursor] == UInt8(ascii: "0") && cursor + 1 < count
            && (text[cursor + 1] | 0x20 == UInt8(ascii: "x")
                || text[cursor + 1] | 0x20 == UInt8(ascii: "b"))
            && cursor + 2 < count && text[cursor + 2].isHexDigit
        {
            cursor += 2
            while cursor < count && text[cursor].isIdentifierByte { cursor += 1 }
            return cursor
        }
        while cursor < count && text[cursor].isDigit { cursor += 1 }
        if cursor < count && text[cursor] == UInt8(ascii: ".") {
            cursor += 1
            while cursor < count && text[cursor].isDigit { cursor += 1 }
        }
        if cursor < count && text[cursor] | 0x20 == UInt8(ascii: "e") {
            var exponent = cursor + 1
            if exponent < count && (text[exponent] == UInt8(ascii: "+") || text[exponent] == UInt8(ascii: "-")) {
                exponent += 1
            }
            if exponent < count && text[exponent].isDigit {
                cursor = exponent
                while cursor < count && text[cursor].isDigit { cursor += 1 }
            }
        }
        return cursor
    }
}
