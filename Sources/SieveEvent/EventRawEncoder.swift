import NIOCore

/// Writes the original syslog message byte for byte, then LF (`encoding: raw`).
public enum EventRawEncoder {
    public static func encode(_ event: AuditEvent, into out: inout [UInt8]) {
        event.message.withUnsafeReadableBytes { out.append(contentsOf: $0) }
        out.append(UInt8(ascii: "\n"))
    }
}
