import NIOCore
import SieveAudit
import SieveSQL
import SieveSyslog

/// Writes an event as one flat JSON object and an LF (the schema is docs/EVENT.md).
///
/// Works on bytes end to end: field values are copied from the record's storage with JSON
/// escaping; no field value becomes a `String` (only the small numbers `facility` and `severity`,
/// and a warning when a numeric field holds text). Not thread-safe: each connection owns one encoder.
public struct EventJSONEncoder: Sendable {
    private var clock = RFC3339Formatter()

    public init() {}

    public mutating func encode(_ event: AuditEvent, into out: inout [UInt8]) {
        // Written into capacity reserved at the end of `out`, with plain stores: room for the
        // record and the message as they are, and the keys (an event needing more, with many
        // escapes, is written again into four times as much).
        let estimate = (event.isParsed ? event.parsed.storage.count : 0) + event.message.readableBytes + 1024
        out.appendReserving(estimate) { encode(event, into: &$0) }
    }

    /// Writes the event to any output (`ReservedOutput` on the hot path).
    public mutating func encode<Out: EventOutput>(_ event: AuditEvent, into out: inout Out) {
        out.write(UInt8(ascii: "{"))
        key("format", into: &out, first: true)
        JSONStringWriter.writeQuoted(event.format.rawValue, into: &out)
        if let error = event.parseError {
            key("truncated", into: &out)
            out.write(Self.falseBytes)
            key("error", into: &out)
            JSONStringWriter.writeQuoted(error.description, into: &out)
            key("raw", into: &out)
            event.message.withUnsafeReadableBytes { bytes in
                JSONStringWriter.writeQuoted(UnsafeRawBufferPointer(rebasing: bytes[event.header.msg]), into: &out)
            }
        } else {
            writeRecord(event.parsed, into: &out)
        }
        if event.oversizeTruncated {
            key("message_truncated", into: &out)
            out.write(Self.trueBytes)
        }
        if !event.redacted.isEmpty {
            key("redacted", into: &out)
            out.write(UInt8(ascii: "["))
            for (index, kind) in event.redacted.enumerated() {
                if index > 0 { out.write(UInt8(ascii: ",")) }
                JSONStringWriter.writeQuoted(kind, into: &out)
            }
            out.write(UInt8(ascii: "]"))
        }
        writeTables(event, into: &out)
        writeSyslog(event, into: &out)
        key("peer", into: &out)
        JSONStringWriter.writeQuoted(event.peer, into: &out)
        if let certificate = event.peerCertificate {
            key("peer_certificate", into: &out)
            JSONStringWriter.writeQuoted(certificate, into: &out)
        }
        key("received_at", into: &out)
        out.write(UInt8(ascii: "\""))
        clock.write(event.receivedAt, into: &out)
        out.write(UInt8(ascii: "\""))
        out.write(UInt8(ascii: "}"))
        out.write(UInt8(ascii: "\n"))
    }

    public mutating func encode(_ event: AuditEvent) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(event.message.readableBytes * 2 + 256)
        encode(event, into: &out)
        return out
    }

    private func writeRecord<Out: EventOutput>(_ record: AuditRecord, into out: inout Out) {
        var numberWarnings: [String] = []
        let keys = JSONFieldKeys.shared
        keys.bytes.withUnsafeBufferPointer { keyBytes in
            record.storage.withUnsafeBytes { storage in
                for field in record.emittedFields {
                    out.write(keys.key(field, in: keyBytes))
                    guard let range = record.range(of: field) else {
                        out.write(UInt8(ascii: "\""))
                        out.write(UInt8(ascii: "\""))
                        continue
                    }
                    let value = UnsafeRawBufferPointer(rebasing: storage[range])
                    if field.isNumeric {
                        if Self.isInteger(value) {
                            out.write(value)
                            continue
                        }
                        numberWarnings.append("\(field.key) is not a number; kept as text")
                    }
                    JSONStringWriter.writeQuoted(value, into: &out)
                }
            }
        }
        for extra in record.extraFields {
            out.write(UInt8(ascii: ","))
            JSONStringWriter.writeQuoted(extra.key, into: &out)
            out.write(UInt8(ascii: ":"))
            record.storage.withUnsafeBytes {
                JSONStringWriter.writeQuoted(UnsafeRawBufferPointer(rebasing: $0[extra.range]), into: &out)
            }
        }
        out.write(record.extraJSON)
        key("truncated", into: &out)
        out.write(record.truncated ? Self.trueBytes : Self.falseBytes)
        if record.truncated, let field = record.truncatedField {
            key("truncated_field", into: &out)
            JSONStringWriter.writeQuoted(field.key, into: &out)
        }
        let warnings = numberWarnings.isEmpty ? record.warnings : record.warnings + numberWarnings
        if !warnings.isEmpty {
            key("warnings", into: &out)
            out.write(UInt8(ascii: "["))
            for (index, warning) in warnings.enumerated() {
                if index > 0 { out.write(UInt8(ascii: ",")) }
                JSONStringWriter.writeQuoted(warning, into: &out)
            }
            out.write(UInt8(ascii: "]"))
        }
    }

    /// `tables`, `tables_status`, `routines` (when any), then the rules' verdict when there is one.
    /// Events that never went through extraction or the rules (`auditsieve parse`) have neither.
    private func writeTables<Out: EventOutput>(_ event: AuditEvent, into out: inout Out) {
        guard event.tables != nil || event.verdict != nil else { return }
        key("tables", into: &out)
        TableListWriter.write(event.tables?.tables ?? [], into: &out)
        key("tables_status", into: &out)
        JSONStringWriter.writeQuoted(event.tables?.status.rawValue ?? "none", into: &out)
        if event.tables != nil {
            // Who named the tables: the server (MariaDB TABLE lines, the filter's table_access
            // records) or auditsieve reading the SQL.
            key("tables_source", into: &out)
            JSONStringWriter.writeQuoted(event.tablesFromServer ? "server" : "sql", into: &out)
        }
        if !event.tableRecords.isEmpty {
            key("table_records", into: &out)
            out.write(UInt8(ascii: "["))
            for (index, tableRecord) in event.tableRecords.enumerated() {
                if index > 0 { out.write(UInt8(ascii: ",")) }
                writeTableRecord(tableRecord, into: &out)
            }
            out.write(UInt8(ascii: "]"))
        }
        if let routines = event.tables?.routines, !routines.isEmpty {
            key("routines", into: &out)
            TableListWriter.write(routines, into: &out)
        }
        guard let verdict = event.verdict else { return }
        if !verdict.matchedTables.isEmpty {
            key("matched_tables", into: &out)
            TableListWriter.write(verdict.matchedTables, into: &out)
        }
        key("cluster", into: &out)
        JSONStringWriter.writeQuoted(verdict.cluster, into: &out)
        key("decision", into: &out)
        JSONStringWriter.writeQuoted(verdict.step, into: &out)
        key("decision_reason", into: &out)
        JSONStringWriter.writeQuoted(verdict.reason, into: &out)
    }

    /// A joined table record: what it says that its statement does not (which table, how it was
    /// used, its own number and time), as an object.
    private func writeTableRecord<Out: EventOutput>(_ event: AuditEvent, into out: inout Out) {
        out.write(UInt8(ascii: "{"))
        guard case .success(let record) = event.record else {
            out.write(UInt8(ascii: "}"))
            return
        }
        var first = true
        let keys = JSONFieldKeys.shared
        keys.bytes.withUnsafeBufferPointer { keyBytes in
            record.storage.withUnsafeBytes { storage in
                for field in Self.tableRecordFields {
                    guard let range = record.range(of: field) else { continue }
                    if !first { out.write(UInt8(ascii: ",")) }
                    first = false
                    out.write(UnsafeBufferPointer(rebasing: keys.key(field, in: keyBytes).dropFirst()))
                    let value = UnsafeRawBufferPointer(rebasing: storage[range])
                    if field.isNumeric && Self.isInteger(value) {
                        out.write(value)
                    } else {
                        JSONStringWriter.writeQuoted(value, into: &out)
                    }
                }
                for extra in record.extraFields where extra.key == "record_id" {
                    if !first { out.write(UInt8(ascii: ",")) }
                    first = false
                    JSONStringWriter.writeQuoted(extra.key, into: &out)
                    out.write(UInt8(ascii: ":"))
                    JSONStringWriter.writeQuoted(UnsafeRawBufferPointer(rebasing: storage[extra.range]), into: &out)
                }
            }
        }
        if record.truncated {
            key("truncated", into: &out, first: first)
            out.write(Self.trueBytes)
        }
        out.write(UInt8(ascii: "}"))
    }

    /// The fields of a joined table record that are its own, in this order, when it has them.
    private static let tableRecordFields: [AuditField] = [
        .id, .timestamp, .name, .event, .operation, .commandClass, .db, .table, .newDB, .newTable, .status,
    ]

    private func writeSyslog<Out: EventOutput>(_ event: AuditEvent, into out: inout Out) {
        let header = event.header
        key("syslog", into: &out)
        out.write(UInt8(ascii: "{"))
        let hasPriority = header.facility != nil && header.severity != nil
        if let facility = header.facility, let severity = header.severity {
            key("facility", into: &out, first: true)
            out.writeDecimal(facility)
            key("severity", into: &out)
            out.writeDecimal(severity)
        }
        // Calls, not a nested function: one capturing `out` and a `var first` made every access
        // to them an exclusivity check at run time.
        event.message.withUnsafeReadableBytes { bytes in
            writePart("timestamp", header.timestamp, of: bytes, into: &out, first: !hasPriority)
            writePart("hostname", header.hostname, of: bytes, into: &out)
            writePart("app_name", header.appName, of: bytes, into: &out)
        }
        out.write(UInt8(ascii: "}"))
    }

    /// `,"name":"…"` of one syslog header part (`""` when the header had none).
    @inline(__always)
    private func writePart<Out: EventOutput>(
        _ name: StaticString, _ range: Range<Int>?, of bytes: UnsafeRawBufferPointer, into out: inout Out,
        first: Bool = false
    ) {
        key(name, into: &out, first: first)
        if let range {
            JSONStringWriter.writeQuoted(UnsafeRawBufferPointer(rebasing: bytes[range]), into: &out)
        } else {
            out.write(Self.emptyString)
        }
    }

    /// Writes `,"name":` (no comma when `first`); the names are literals, copied as bytes.
    @inline(__always)
    private func key<Out: EventOutput>(_ name: StaticString, into out: inout Out, first: Bool = false) {
        if !first { out.write(UInt8(ascii: ",")) }
        out.write(UInt8(ascii: "\""))
        out.write(name)
        out.write(UInt8(ascii: "\""))
        out.write(UInt8(ascii: ":"))
    }

    /// `-?[0-9]{1,19}` without leading zeros: safe to write as a JSON number.
    static func isInteger(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var digits = bytes[...]
        if digits.first == UInt8(ascii: "-") { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.count <= 19 else { return false }
        if digits.count > 1 && digits.first == UInt8(ascii: "0") { return false }
        return digits.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    private static let trueBytes: [UInt8] = Array("true".utf8)
    private static let falseBytes: [UInt8] = Array("false".utf8)
    private static let emptyString: [UInt8] = [UInt8(ascii: "\""), UInt8(ascii: "\"")]
}
