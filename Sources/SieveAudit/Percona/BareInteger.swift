/// An unquoted integer value (`"status":0` in JSON, `,0,` in CSV), kept as its digits.
enum BareInteger {
    static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    /// Moves past `-?[0-9]*` at the cursor and returns its range, `nil` when no digit follows.
    /// The caller decides whether the message ending right after it means the number was cut.
    static func scan(_ cursor: inout ByteCursor) -> Range<Int>? {
        let start = cursor.position
        if cursor.current == UInt8(ascii: "-") { cursor.advance() }
        let digitsStart = cursor.position
        while let byte = cursor.current, isDigit(byte) { cursor.advance() }
        return cursor.position > digitsStart ? start..<cursor.position : nil
    }
}
