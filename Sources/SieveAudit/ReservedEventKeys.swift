/// Keys auditsieve writes into every event itself (docs/EVENT.md). A record member kept under its
/// own name (the audit log filter's JSON members, XML elements and attributes) that has one of
/// these names is kept as `record_NAME`, so a record cannot forge the receiver's own fields.
enum ReservedEventKeys {
    static let keys: Set<[UInt8]> = Set(
        [
            "format", "truncated", "truncated_field", "warnings", "message_truncated", "redacted", "tables",
            "tables_status",
            "tables_source", "table_records", "routines", "matched_tables", "cluster", "decision", "decision_reason",
            "syslog",
            "peer", "peer_certificate", "received_at",
        ].map { Array($0.utf8) })

    /// `key`, or `record_key` when the event writes `key` itself.
    static func safe(_ key: [UInt8]) -> [UInt8] {
        keys.contains(key) ? Array("record_".utf8) + key : key
    }

    static func safe(_ key: String) -> String {
        String(decoding: safe(Array(key.utf8)), as: UTF8.self)
    }
}
