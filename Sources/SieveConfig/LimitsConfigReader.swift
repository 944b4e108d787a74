import Yams

/// Reads the top-level `limits:` section.
enum LimitsConfigReader {
    static func read(_ node: Node, reader: ConfigReader) -> LimitsConfig? {
        let keys = [
            "buffered_bytes", "max_tracked_hosts", "gap_max_jump", "table_record_hold", "table_records_held",
            "table_records_held_bytes",
        ]
        guard let section = reader.section(node, "limits", allowed: keys) else { return nil }
        var limits = LimitsConfig()
        limits.line = section.line
        if let n = section["buffered_bytes"],
            let v = reader.size(n, "limits: buffered_bytes", range: (1 << 20)...(64 << 30))
        {
            limits.bufferedBytes = v
        }
        if let n = section["max_tracked_hosts"],
            let v = reader.int(n, "limits: max_tracked_hosts", range: 1...1_000_000)
        {
            limits.maxTrackedHosts = v
        }
        if let n = section["gap_max_jump"],
            let v = reader.int(
                n, "limits: gap_max_jump", range: (Int(LimitsConfig.recordReorderWindow) + 1)...(1 << 40))
        {
            limits.gapMaxJump = UInt64(v)
        }
        if let n = section["table_record_hold"],
            let v = reader.durationMilliseconds(n, "limits: table_record_hold", minimum: 0, maximum: 600_000)
        {
            limits.tableRecordHoldMilliseconds = v
        }
        if let n = section["table_records_held"],
            let v = reader.int(n, "limits: table_records_held", range: 0...1_000_000)
        {
            limits.tableRecordsHeld = v
        }
        if let n = section["table_records_held_bytes"],
            let v = reader.size(n, "limits: table_records_held_bytes", range: 0...(16 << 30))
        {
            limits.tableRecordsHeldBytes = v
        }
        return limits
    }
}
