import SieveEvent

/// Frames an event for a syslog downstream: a header (RFC 5424 or RFC 3164) around the event's
/// bytes, then octet counting (`LEN SP MSG`) or an LF terminator. The octet count is computed from
/// the bytes actually written, after any cut to `maxMessageBytes`, so a receiver never loses its
/// framing on our account (journalpump#193).
public struct SyslogFrameEncoder: Sendable {
    public enum Header: String, Sendable, CaseIterable {
        case rfc5424, rfc3164
    }

    public enum Framing: String, Sendable, CaseIterable {
        case octetCounted = "octet-counted"
        case lf
    }

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
        var body = headerBytes(time)
        var payload = message[...]
        // A trailing line break (encoded events end in LF) is never part of the message.
        while payload.last == 0x0A || payload.last == 0x0D { payload = payload.dropLast() }
        body.append(contentsOf: payload)
        if framing == .lf {
            // An LF inside the message would split it at the receiver: send it as rsyslog does.
            body = Self.escapingLineBreaks(body)
        }
        if maxMessageBytes > 0 && body.count > maxMessageBytes { body.removeLast(body.count - maxMessageBytes) }
        switch framing {
        case .octetCounted:
            out.append(contentsOf: "\(body.count) ".utf8)
            out.append(contentsOf: body)
        case .lf:
            out.append(contentsOf: body)
            out.append(0x0A)
        }
    }

    private func headerBytes(_ time: EventTime) -> [UInt8] {
        var formatter = RFC3339Formatter()
        switch header {
        case .rfc5424:
            var text: [UInt8] = Array("<\(priority)>1 ".utf8)
            formatter.write(time, into: &text)
            text.append(contentsOf: " \(hostname) \(appName) - - - ".utf8)
            return text
        case .rfc3164:
            let stamp = formatter.string(time)  // 2026-11-22T03:04:05.123456Z: RFC 3339 is accepted by rsyslog in 3164
            return Array("<\(priority)>\(stamp) \(hostname) \(appName): ".utf8)
        }
    }

    private static func escapingLineBreaks(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(0x0A) || bytes.contains(0x0D) else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        for byte in bytes {
            switch byte {
            case 0x0A: out.append(contentsOf: Array("#012".utf8))
            case 0x0D: out.append(contentsOf: Array("#015".utf8))
            default: out.append(byte)
            }
        }
        return out
    }
}
