import Foundation

/// How much disk a cluster's queues need to ride out an outage, for `auditsieve plan`: the raw
/// need (rate × event size × outage), then each factor, then the settings to write: the cluster's
/// `spool.max_bytes` for auditsieve (zstd-compressed, one copy per sink, since every sink of the
/// cluster has its own queue in the shared bound) and `queue.maxDiskSpace` for each rsyslog sender
/// (uncompressed), with rsyslog's unit suffixes (lower case = powers of 1024). The senders forward
/// every audit record, before auditsieve filters, as syslog frames: their need is sized from the
/// received rate and frame size when those are known.
public struct QueuePlan: Sendable, Equatable {
    public var name: String
    public var eventsPerSecond: Double
    public var eventBytes: Double
    public var outageSeconds: Double
    /// zstd ratio of the spool on audit JSON (`spool inspect` shows the real one).
    public var compression: Double
    /// Multiplier for bursts and for growth until the next review.
    public var headroom: Double
    /// rsyslog senders sharing the rate (each needs its share in its own disk queue).
    public var senders: Int
    /// Sinks of the cluster that may be down together (each holds its own copy in the spool).
    public var sinks: Int
    /// What the senders forward: records per second before filtering, and bytes per syslog frame
    /// (`nil`: the same as `eventsPerSecond` and `eventBytes`).
    public var senderRecordsPerSecond: Double?
    public var senderRecordBytes: Double?

    /// Measured on the real sample records with zstd -1 (3.4–8:1, BENCHMARKS.md): the low end.
    public static let defaultCompression = 3.4
    public static let defaultHeadroom = 1.5

    public init(
        name: String = "cluster", eventsPerSecond: Double, eventBytes: Double, outageSeconds: Double,
        compression: Double = QueuePlan.defaultCompression, headroom: Double = QueuePlan.defaultHeadroom,
        senders: Int = 1,
        sinks: Int = 1, senderRecordsPerSecond: Double? = nil, senderRecordBytes: Double? = nil
    ) {
        self.name = name
        self.eventsPerSecond = eventsPerSecond
        self.eventBytes = eventBytes
        self.outageSeconds = outageSeconds
        self.compression = compression
        self.headroom = headroom
        self.senders = max(1, senders)
        self.sinks = max(1, sinks)
        self.senderRecordsPerSecond = senderRecordsPerSecond
        self.senderRecordBytes = senderRecordBytes
    }

    public var rawBytes: Double { eventsPerSecond * eventBytes * outageSeconds }
    public var compressedBytes: Double { rawBytes / compression }
    public var allSinksBytes: Double { compressedBytes * Double(sinks) }
    public var spoolBytes: Double { allSinksBytes * headroom }
    /// What the senders would queue in all, uncompressed.
    public var senderRawBytes: Double {
        (senderRecordsPerSecond ?? eventsPerSecond) * (senderRecordBytes ?? eventBytes) * outageSeconds
    }
    public var senderBytes: Double { senderRawBytes / Double(senders) * headroom }
    private var sendersDiffer: Bool { senderRecordsPerSecond != nil || senderRecordBytes != nil }

    /// `spool.max_bytes` rounded up to a whole GiB (MiB below 1 GiB), as the config writes sizes.
    public var spoolSetting: String {
        Self.roundedUp(spoolBytes, units: [("GiB", 1 << 30), ("MiB", 1 << 20)], minimum: 64 << 10)
    }

    /// `queue.maxDiskSpace` rounded up, with rsyslog's binary lower-case suffixes (`g`, `m`).
    public var rsyslogSetting: String {
        Self.roundedUp(senderBytes, units: [("g", 1 << 30), ("m", 1 << 20)], minimum: 1 << 20)
    }

    public func render() -> String {
        var lines: [String] = []
        lines.append(
            "\(name): \(Self.grouped(eventsPerSecond)) events/s × \(Self.grouped(eventBytes)) B × \(Self.duration(outageSeconds)) outage"
        )
        lines.append(
            "  raw need               \(Self.both(rawBytes))   (\(Self.grouped(eventsPerSecond)) × \(Self.grouped(eventBytes)) × \(Self.grouped(outageSeconds)) s)"
        )
        lines.append(
            "  ÷ compression \(Self.decimal(compression)):1    \(Self.both(compressedBytes))   (zstd on audit JSON in the spool; `auditsieve spool inspect` shows yours)"
        )
        if sinks > 1 {
            lines.append(
                "  × \(sinks) sinks            \(Self.both(allSinksBytes))   (each sink's queue keeps its own copy; all down at once)"
            )
        }
        lines.append("  × headroom \(Self.decimal(headroom))         \(Self.both(spoolBytes))")
        lines.append("  auditsieve:  clusters: - name: \(name) … spool: {max_bytes: \(spoolSetting)}")
        let share = senders == 1 ? "the sender" : "each of \(senders) senders"
        if sendersDiffer {
            let rate = senderRecordsPerSecond ?? eventsPerSecond
            let bytes = senderRecordBytes ?? eventBytes
            lines.append(
                "  senders forward every record, before filtering: \(Self.grouped(rate.rounded())) records/s × \(Self.grouped(bytes.rounded())) B × \(Self.duration(outageSeconds)) = \(Self.both(senderRawBytes))"
            )
        }
        let raw = sendersDiffer ? "that" : "raw"
        lines.append(
            "  rsyslog (\(share), uncompressed: \(raw)\(senders == 1 ? "" : " ÷ \(senders)") × headroom \(Self.decimal(headroom)) = \(Self.both(senderBytes))):"
        )
        lines.append("               queue.maxDiskSpace=\"\(rsyslogSetting)\"")
        return lines.joined(separator: "\n") + "\n"
    }

    static func both(_ bytes: Double) -> String {
        "\(unit(bytes, base: 1000, names: ["B", "kB", "MB", "GB", "TB", "PB"])) = \(unit(bytes, base: 1024, names: ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]))"
    }

    static func unit(_ bytes: Double, base: Double, names: [String]) -> String {
        var value = bytes
        var index = 0
        while value >= base && index < names.count - 1 {
            value /= base
            index += 1
        }
        return String(format: "%.1f %@", value, names[index])
    }

    static func roundedUp(_ bytes: Double, units: [(String, Int)], minimum: Int) -> String {
        let bytes = max(bytes, Double(minimum))
        for (suffix, size) in units where bytes >= Double(size) || suffix == units.last!.0 {
            return "\(Int((bytes / Double(size)).rounded(.up)))\(suffix)"
        }
        return "\(Int(bytes))"
    }

    static func grouped(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e15 {
            let formatter = NumberFormatter()
            formatter.numberStyle = .decimal
            formatter.groupingSeparator = ","
            formatter.usesGroupingSeparator = true
            formatter.maximumFractionDigits = 0
            return formatter.string(from: NSNumber(value: value)) ?? "\(Int(value))"
        }
        return String(format: "%.1f", value)
    }

    static func decimal(_ value: Double) -> String {
        value == value.rounded() ? String(format: "%.0f", value) : String(format: "%g", value)
    }

    static func duration(_ seconds: Double) -> String {
        if seconds.truncatingRemainder(dividingBy: 86_400) == 0 { return "\(Int(seconds / 86_400))d" }
        if seconds.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Int(seconds / 3600))h" }
        if seconds.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(seconds / 60))m" }
        return "\(Int(seconds))s"
    }
}
