import SieveEvent
import SieveSinkConfig

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Frames an event for a syslog downstream: a header (RFC 5424 or RFC 3164) around the event's
/// bytes, then octet counting (`LEN SP MSG`) or an LF terminator. The octet count is computed from
/// the bytes actually written, after any cut to `maxMessageBytes`, so a receiver never loses its
/// framing on our account (journalpump#193).
public struct SyslogFrameEncoder: Sendable {
    public typealias Header = SyslogSinkHeader
    public typealias Framing = SyslogSinkFraming

    public var header: Header
    public var framing: Framing
    /// `<PRI>`: facility and severity of what we send (default user.info, 14).
    public var priority: Int
    public var hostname: String
    public var appName: String
    /// Header plus message are cut to this many bytes (0: no limit).
    public var maxMessageBytes: Int

    public init(
        header: Header = .rfc5424, framing: Framing = .octetCounted, priority: Int = 14, hostname: String,
        appName: String = "auditsieve", maxMessageBytes: Int = 0
    ) {
        self.header = header
        self.framing = framing
        self.priority = priority
        self.hostname = hostname
        self.appName = appName
        self.maxMessageBytes = maxMessageBytes
    }

    /// Appends one frame for `message` (an encoded event, its trailing LF dropped) sent at `time`.
    public func encode(_ message: some BidirectionalCollection<UInt8>, at time: EventTime, into out: inout [UInt8]) {
        encode(message, header: header(at: time), into: &out)
    }

    /// The header for frames sent at `time` (with LF framing, line breaks in it already escaped).
    /// A batch computes it once and passes it to `encode(_:header:into:)` for each of its events.
    public func header(at time: EventTime) -> [UInt8] {
        var formatter = RFC3339Formatter()
        var text: [UInt8] = Array("<\(priority)>".utf8)
        switch header {
        case .rfc5424:
            text.append(contentsOf: "1 ".utf8)
            formatter.write(time, into: &text)
            text.append(contentsOf: " \(hostname) \(appName) - - - ".utf8)
        case .rfc3164:
            // 2026-11-22T03:04:05.123456Z: RFC 3339 is accepted by rsyslog in 3164.
            formatter.write(time, into: &text)
            text.append(contentsOf: " \(hostname) \(appName): ".utf8)
        }
        return framing == .lf ? Self.escapingLineBreaks(text) : text
    }

    /// Appends one frame: `header` (from `header(at:)`), then `message`, written straight into
    /// `out` without an intermediate buffer.
    public func encode(_ message: some BidirectionalCollection<UInt8>, header: [UInt8], into out: inout [UInt8]) {
        var payload = message[...]
        // A trailing line break (encoded events end in LF) is never part of the message.
        while payload.last == 0x0A || payload.last == 0x0D { payload = payload.dropLast() }
        switch framing {
        case .octetCounted:
            var length = header.count + payload.count
            if maxMessageBytes > 0 { length = min(length, maxMessageBytes) }
            Self.appendDecimal(length, to: &out)
            out.append(0x20)
            let start = out.count
            out.append(contentsOf: header)
            out.append(contentsOf: payload)
            out.removeLast(out.count - start - length)
        case .lf:
            let start = out.count
            out.append(contentsOf: header)
            // An LF inside the message would split it at the receiver: send it as rsyslog does.
            if Self.hasLineBreak(payload) {
                Self.appendEscapingLineBreaks(payload, to: &out)
            } else {
                out.append(contentsOf: payload)
            }
            if maxMessageBytes > 0 && out.count - start > maxMessageBytes {
                out.removeLast(out.count - start - maxMessageBytes)
            }
            out.append(0x0A)
        }
    }

    /// Whether `bytes` hold an LF or CR (memchr on contiguous storage).
    private static func hasLineBreak(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.withContiguousStorageIfAvailable { buffer -> Bool in
            guard let base = buffer.baseAddress, buffer.count > 0 else { return false }
            return memchr(base, 0x0A, buffer.count) != nil || memchr(base, 0x0D, buffer.count) != nil
        } ?? bytes.contains { $0 == 0x0A || $0 == 0x0D }
    }

    private static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        repeat {
            out.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        } while divisor > 0
    }

    private static func appendEscapingLineBreaks(_ bytes: some Sequence<UInt8>, to out: inout [UInt8]) {
        for byte in bytes {
            switch byte {
            case 0x0A: out.append(contentsOf: [0x23, 0x30, 0x31, 0x32])  // #012
            case 0x0D: out.append(contentsOf: [0x23, 0x30, 0x31, 0x35])  // #015
            default: out.append(byte)
            }
        }
    }

    private static func escapingLineBreaks(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(0x0A) || bytes.contains(0x0D) else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        appendEscapingLineBreaks(bytes, to: &out)
        return out
    }
}
