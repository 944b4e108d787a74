import NIOCore

/// What the first bytes of a frame say about how it is delimited (RFC 6587).
///
/// The rules, per framing mode:
/// - `lf`: every frame is an LF frame.
/// - `auto`: `[1-9][0-9]{0,9} SP <` is an octet count; anything else is an LF frame, including lines that
///   start with digits (`2026-11-22 x`, `123 abc`, `12345678901 x`). Deciding needs at most 12 bytes.
/// - `octet-counted`: `[1-9][0-9]{0,9} SP` is an octet count (no `<` needed, so PRI-less senders can be
///   framed). A frame that does not start that way is read as an LF frame rather than closing the
///   connection: one odd sender line costs one odd message, not the stream.
///
/// A count of more than ten digits followed by `SP <` (`SP` alone in `octet-counted`) is `tooLarge`, not
/// an LF frame: a frame claiming 2^40 octets (`1099511627776 <14>…`) is a sender that means octet
/// counting with a count no limit allows, and the stream cannot be trusted after it. Runs of more than
/// ``maxDigits`` digits are beyond any integer count and are read as LF frames.
enum SyslogFrameStart: Equatable {
    /// Not enough bytes to decide yet.
    case needMoreBytes
    /// A frame that ends at LF.
    case lineFrame
    /// `LEN SP`: `headerBytes` (digits and SP) precede `length` message bytes.
    case octetCounted(length: Int, headerBytes: Int)
    /// A count of more than ten digits; `count` saturates at `Int.max`.
    case tooLarge(count: Int)

    /// The most digits an octet count may have (RFC 6587 sets no limit; 10 digits is ~10 GB).
    static let maxCountDigits = 10
    /// Longer digit runs are not counts at all.
    static let maxDigits = 20

    /// Looks at the readable bytes of `buffer` without consuming them.
    static func detect(in buffer: ByteBuffer, framing: SyslogFraming) -> SyslogFrameStart {
        if framing == .lf {
            return .lineFrame
        }
        // In place: a `readableBytesView` would retain the storage once per frame.
        return buffer.withUnsafeReadableBytes { detect(in: $0, framing: framing) }
    }

    private static func detect(in view: UnsafeRawBufferPointer, framing: SyslogFraming) -> SyslogFrameStart {
        var index = view.startIndex
        guard index < view.endIndex else {
            return .needMoreBytes
        }
        guard (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(view[index]) else {
            return .lineFrame
        }
        var count = 0
        var digits = 0
        while index < view.endIndex, let digit = ASCII.digitValue(view[index]) {
            digits += 1
            if digits > maxDigits {
                return .lineFrame
            }
            count = saturatingAppend(digit, to: count)
            index += 1
        }
        guard index < view.endIndex else {
            return .needMoreBytes
        }
        guard view[index] == ASCII.space else {
            return .lineFrame
        }
        if framing == .auto {
            guard index + 1 < view.endIndex else {
                return .needMoreBytes
            }
            guard view[index + 1] == UInt8(ascii: "<") else {
                return .lineFrame
            }
        }
        if digits > maxCountDigits {
            return .tooLarge(count: count)
        }
        return .octetCounted(length: count, headerBytes: digits + 1)
    }

    private static func saturatingAppend(_ digit: Int, to value: Int) -> Int {
        let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
        let (sum, overflow2) = shifted.addingReportingOverflow(digit)
        return overflow1 || overflow2 ? Int.max : sum
    }
}
