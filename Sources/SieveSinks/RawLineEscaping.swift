/// How a file or stdout sink with `encoding: raw` keeps one event per line, reversibly.
///
/// A message without line breaks (LF, CR, VT, FF: rsyslog escapes them as `#012` itself, so this
/// is nearly every message) is written as it came, then LF. A message holding one, or one that
/// happens to start with the marker, is written as `#escaped:` followed by the message with each
/// LF, CR, VT and FF written as `#012`, `#015`, `#013`, `#014` (rsyslog's own notation), and each
/// `#` that is followed by three octal digits written as `#043`; then LF. So a sender cannot make
/// one message look like two lines (a forged second record in the evidence file), and the exact
/// bytes come back: a line starting with `#escaped:` is decoded by dropping the marker and turning
/// every `#` followed by three octal digits into that byte; any other line is the message itself.
public enum RawLineEscaping {
    public static let marker: [UInt8] = Array("#escaped:".utf8)

    private static func breaksLine(_ byte: UInt8) -> Bool {
        byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }

    private static func isOctalDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "7") }

    /// Whether `message` must be escaped to stay on one line (or to stay unambiguous).
    public static func needsEscaping(_ message: some Collection<UInt8>) -> Bool {
        message.starts(with: marker) || message.contains(where: breaksLine)
    }

    /// Appends the line for `message` (its trailing LF not included): the message itself, or the
    /// marker and the escaped message.
    public static func appendLine(_ message: some Collection<UInt8>, to out: inout [UInt8]) {
        guard needsEscaping(message) else {
            out.append(contentsOf: message)
            return
        }
        out.append(contentsOf: marker)
        let bytes = Array(message)
        for index in bytes.indices {
            let byte = bytes[index]
            if breaksLine(byte) {
                out.append(contentsOf: [
                    UInt8(ascii: "#"), UInt8(ascii: "0") + byte / 64, UInt8(ascii: "0") + byte / 8 % 8,
                    UInt8(ascii: "0") + byte % 8,
                ])
            } else if byte == UInt8(ascii: "#"), bytes.count - index > 3,
                isOctalDigit(bytes[index + 1]), isOctalDigit(bytes[index + 2]), isOctalDigit(bytes[index + 3])
            {
                out.append(contentsOf: Array("#043".utf8))
            } else {
                out.append(byte)
            }
        }
    }

    /// The message a line (without its LF) was written for.
    public static func decode(_ line: some Collection<UInt8>) -> [UInt8] {
        guard line.starts(with: marker) else { return Array(line) }
        let bytes = Array(line.dropFirst(marker.count))
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "#"), bytes.count - index > 3,
                isOctalDigit(bytes[index + 1]), isOctalDigit(bytes[index + 2]), isOctalDigit(bytes[index + 3])
            {
                let value =
                    Int(bytes[index + 1] - 48) * 64 + Int(bytes[index + 2] - 48) * 8 + Int(bytes[index + 3] - 48)
                out.append(UInt8(truncatingIfNeeded: value))
                index += 4
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return out
    }
}
