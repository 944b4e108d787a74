import SieveAudit

/// Writes bytes as the contents of a JSON string: `"` and `\` escaped, control bytes as `\n`,
/// `\t`, `\r`, `\b`, `\f` or `\u00XX`, valid UTF-8 copied as is, and each byte of an invalid
/// UTF-8 sequence replaced by U+FFFD (JSON text must be UTF-8; the `raw` encoding keeps the
/// original bytes for evidence).
///
/// Runs of plain bytes are copied in bulk; only escapes and non-ASCII are looked at one by one.
public enum JSONStringWriter {
    private static let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]
    private static let hex: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Writes `"…"` with the escaped bytes inside.
    @inlinable
    public static func writeQuoted<Out: EventOutput>(_ bytes: UnsafeRawBufferPointer, into out: inout Out) {
        out.write(UInt8(ascii: "\""))
        write(bytes, into: &out)
        out.write(UInt8(ascii: "\""))
    }

    public static func writeQuoted<Out: EventOutput>(_ bytes: some Collection<UInt8>, into out: inout Out) {
        out.write(UInt8(ascii: "\""))
        let done: Void? = bytes.withContiguousStorageIfAvailable { write(UnsafeRawBufferPointer($0), into: &out) }
        if done == nil {
            Array(bytes).withUnsafeBytes { write($0, into: &out) }
        }
        out.write(UInt8(ascii: "\""))
    }

    public static func writeQuoted<Out: EventOutput>(_ string: String, into out: inout Out) {
        var string = string
        string.withUTF8 { writeQuoted(UnsafeRawBufferPointer($0), into: &out) }
    }

    public static func write<Out: EventOutput>(_ bytes: UnsafeRawBufferPointer, into out: inout Out) {
        let count = bytes.count
        var runStart = 0
        var index = 0
        while index < count {
            // Eight plain ASCII bytes at a time; a word that may hold a byte to escape or a
            // non-ASCII byte is walked byte by byte.
            if index + 8 <= count {
                let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                if word & 0x8080_8080_8080_8080 == 0 && !JSONStringDecoder.mayEndRun(word) {
                    index += 8
                    continue
                }
            }
            let byte = bytes[index]
            if byte >= 0x20 && byte < 0x80 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                index += 1
                continue
            }
            if byte >= 0x80 {
                let length = validSequenceLength(bytes, at: index)
                if length > 0 {
                    index += length
                    continue
                }
            }
            if runStart < index { out.write(UnsafeRawBufferPointer(rebasing: bytes[runStart..<index])) }
            writeEscape(byte, into: &out)
            index += 1
            runStart = index
        }
        if runStart < count { out.write(UnsafeRawBufferPointer(rebasing: bytes[runStart..<count])) }
    }

    private static func writeEscape<Out: EventOutput>(_ byte: UInt8, into out: inout Out) {
        switch byte {
        case UInt8(ascii: "\""): out.write("\\\"")
        case UInt8(ascii: "\\"): out.write("\\\\")
        case 0x0A: out.write("\\n")
        case 0x0D: out.write("\\r")
        case 0x09: out.write("\\t")
        case 0x08: out.write("\\b")
        case 0x0C: out.write("\\f")
        case ..<0x20:
            out.write("\\u00")
            out.write(hex[Int(byte >> 4)])
            out.write(hex[Int(byte & 0xF)])
        default:
            out.write(replacement)
        }
    }

    /// The length of the well-formed UTF-8 sequence starting at `index`, or 0 if it is not one
    /// (overlong forms, surrogates and code points above U+10FFFF are not well-formed).
    @inline(__always)
    static func validSequenceLength(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Int {
        let first = bytes[index]
        let remaining = bytes.count - index
        @inline(__always) func isContinuation(_ offset: Int) -> Bool { bytes[index + offset] & 0xC0 == 0x80 }
        switch first {
        case 0xC2...0xDF:
            return remaining >= 2 && isContinuation(1) ? 2 : 0
        case 0xE0...0xEF:
            guard remaining >= 3, isContinuation(1), isContinuation(2) else { return 0 }
            let second = bytes[index + 1]
            if first == 0xE0 && second < 0xA0 { return 0 }
            if first == 0xED && second > 0x9F { return 0 }
            return 3
        case 0xF0...0xF4:
            guard remaining >= 4, isContinuation(1), isContinuation(2), isContinuation(3) else { return 0 }
            let second = bytes[index + 1]
            if first == 0xF0 && second < 0x90 { return 0 }
            if first == 0xF4 && second > 0x8F { return 0 }
            return 4
        default:
            return 0
        }
    }
}
