/// Renders message bytes for error reasons; the only place a parser makes strings.
enum DiagnosticText {
    /// `'x'` for a printable ASCII byte, `0x0A` otherwise.
    static func byte(_ byte: UInt8) -> String {
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(UnicodeScalar(byte)))'" }
        return "0x" + hex(byte)
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }

    /// The bytes as text, shortened to `limit` bytes with an ellipsis.
    static func text(_ bytes: some Collection<UInt8>, limit: Int = 40) -> String {
        let shown = String(decoding: bytes.prefix(limit), as: UTF8.self)
        return bytes.count > limit ? shown + "…" : shown
    }
}
