extension UInt8 {
    /// `[0-9A-Za-z_$]` or any byte of a UTF-8 multibyte sequence (identifiers may hold U+0080–U+FFFF).
    @inline(__always)
    var isIdentifierByte: Bool {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "_"), UInt8(ascii: "$"), 0x80...0xFF:
            true
        default:
            false
        }
    }

    @inline(__always)
    var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }

    @inline(__always)
    var isHexDigit: Bool {
        isDigit || (self | 0x20 >= UInt8(ascii: "a") && self | 0x20 <= UInt8(ascii: "f"))
    }

    /// ASCII case-insensitive equality.
    @inline(__always)
    func equalsIgnoringCase(_ other: UInt8) -> Bool {
        if self == other { return true }
        let folded = self | 0x20
        return folded == other | 0x20 && folded >= UInt8(ascii: "a") && folded <= UInt8(ascii: "z")
    }
}
