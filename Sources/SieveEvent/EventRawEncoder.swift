import NIOCore

/// Writes the original syslog message byte for byte, then LF (`encoding: raw`). Clusters with a
/// raw sink deliver table records as events of their own (`table_records: separate`); should a
/// statement still carry joined records, their messages come first, in the order they came.
public enum EventRawEncoder {
    public static func encode(_ event: AuditEvent, into out: inout [UInt8]) {
        for tableRecord in event.tableRecords { encode(tableRecord, into: &out) }
        event.message.withUnsafeReadableBytes { out.append(contentsOf: $0) }
        out.append(UInt8(ascii: "\n"))
    }
}
