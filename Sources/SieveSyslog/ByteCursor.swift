/// A read position in a message that the header parser moves forward; it never reads past the end.
struct ByteCursor {
    let bytes: UnsafeRawBufferPointer
    var index: Int

    init(_ bytes: UnsafeRawBufferPointer, at index: Int = 0) {
        self.bytes = bytes
        self.index = index
    }

    var isAtEnd: Bool { self.index >= self.bytes.count }

    /// The byte `offset` past the position, or `nil` past the end.
    func peek(_ offset: Int = 0) -> UInt8? {
        let position = self.index + offset
        return position < self.bytes.count ? self.bytes[position] : nil
    }

    /// Moves past `byte` if it comes next.
    mutating func consume(_ byte: UInt8) -> Bool {
        guard self.peek() == byte else {
            return false
        }
        self.index += 1
        return true
    }

    /// Moves past a UTF-8 byte order mark if one comes next.
    mutating func consumeByteOrderMark() {
        if self.peek() == 0xEF, self.peek(1) == 0xBB, self.peek(2) == 0xBF {
            self.index += 3
        }
    }

    /// Moves past the bytes up to the next space or the end, and returns them.
    mutating func token() -> Range<Int> {
        let start = self.index
        while let byte = self.peek(), byte != ASCII.space {
            self.index += 1
        }
        return start..<self.index
    }

    mutating func skipSpaces() {
        while self.peek() == ASCII.space {
            self.index += 1
        }
    }

    /// The range from the position to the end.
    var rest: Range<Int> { min(self.index, self.bytes.count)..<self.bytes.count }
}
