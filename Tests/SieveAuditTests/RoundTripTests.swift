import SieveAudit
import Testing
import SieveTestSupport

/// Values escaped by a copy of the plugin's writer (docs/FORMATS.md §2.6), sent raw or through
/// rsyslog, read back equal, except for the losses the formats document.
@Suite("Escaping round trips")
struct RoundTripTests {
    static let names: [AuditRecordKind: [String]] = [
        .general: ["Query", "Execute", "Init DB", "Ping", "Field List"],
        .connection: ["Connect", "Quit", "Change user"],
        .audit: ["Audit", "NoAudit"],
    ]

    /// Values of the fields the plugin prints raw: they never hold quotes or control bytes.
    static func plainValue(_ field: AuditField, kind: AuditRecordKind, using random: inout SeededRandom) -> [UInt8] {
        let text =
            switch field {
            case .name: names[kind]!.randomElement(using: &random)!
            case .record: "\(Int.random(in: 1...99999, using: &random))_1970-01-01T00:00:00"
            case .timestamp: Bool.random(using: &random) ? "2021-06-30T16:19:00 UTC" : "2024-09-03T01:53:14Z"
            case .commandClass: "select"
            case .connectionID: "\(UInt64.random(in: 0...UInt64(UInt32.max), using: &random))"
            case .status: ["0", "1045", "1156", "-1"].randomElement(using: &random)!
            case .mysqlVersion: "8.0.27-18"
            case .startupOptions: "--basedir=/usr --port=3306"
            default: "x86_64-Linux"
            }
        return Array(text.utf8)
    }

    /// A value mixing raw bytes, markup, escapes-lookalikes and multi-byte UTF-8.
    static func randomValue(using random: inout SeededRandom) -> [UInt8] {
        let pieces: [String] = [
            "<", ">", "&", "\"", "'", "\\", "/", ",", "#012", "#011", "#0", "\"\"", "&amp;", "\\n", "é", "ก", "𦉘", "😀",
            "SELECT ", "`t`",
        ]
        var value: [UInt8] = []
        for _ in 0..<Int.random(in: 0...24, using: &random) {
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<3: value.append(UInt8.random(in: 0...255, using: &random))
            case 3..<5: value.append(UInt8.random(in: 0x20...0x7E, using: &random))
            case 5: value.append(UInt8.random(in: 0...0x1F, using: &random))
            default: value += Array(pieces.randomElement(using: &random)!.utf8)
            }
        }
        return value
    }

    static func roundTrip(
        _ kind: AuditRecordKind, _ values: [AuditField: [UInt8]],
        format: PluginEncoder.Format, transport: PluginEncoder.Transport
    ) throws {
        let message = PluginEncoder.message(kind, values, format: format, transport: transport)
        let record = try parse(message).get()
        #expect(record.kind == kind)
        #expect(!record.truncated)
        for field in kind.fields {
            let expected = PluginEncoder.expected(values[field]!, field: field, format: format, transport: transport)
            #expect(record.value(field).map(Array.init) == expected, "\(format) \(transport) \(field)")
        }
    }

    @Test("random values survive every format and transport", arguments: PluginEncoder.Format.allCases)
    func randomValues(format: PluginEncoder.Format) throws {
        var random = SeededRandom(seed: 0x5EED_0001)
        for _ in 0..<300 {
            let kind = [AuditRecordKind.general, .connection, .audit].randomElement(using: &random)!
            var values: [AuditField: [UInt8]] = [:]
            for field in kind.fields {
                values[field] =
                    PluginEncoder.escapedFields.contains(field)
                    ? Self.randomValue(using: &random) : Self.plainValue(field, kind: kind, using: &random)
            }
            for transport in PluginEncoder.Transport.allCases {
                try Self.roundTrip(kind, values, format: format, transport: transport)
            }
        }
    }

    @Test("all 256 byte values in SQL survive (XML turns NUL into '?')", arguments: PluginEncoder.Format.allCases)
    func allBytes(format: PluginEncoder.Format) throws {
        var random = SeededRandom(seed: 2)
        var values: [AuditField: [UInt8]] = [:]
        for field in AuditRecordKind.general.fields {
            values[field] = Self.plainValue(field, kind: .general, using: &random)
        }
        values[.sqltext] = (0...255).map { UInt8($0) }
        values[.user] = Array((0...255).map { UInt8($0) }.reversed())
        for transport in PluginEncoder.Transport.allCases {
            try Self.roundTrip(.general, values, format: format, transport: transport)
        }
    }

    @Test("documented loss: CSV cannot tell a typed #012 from an escaped LF; the other formats can")
    func csvLoss() throws {
        var random = SeededRandom(seed: 3)
        var values: [AuditField: [UInt8]] = [:]
        for field in AuditRecordKind.general.fields {
            values[field] = Self.plainValue(field, kind: .general, using: &random)
        }
        values[.sqltext] = Array("SELECT '#012' -- a\nb".utf8)
        for transport in PluginEncoder.Transport.allCases {
            let csv = try parse(PluginEncoder.message(.general, values, format: .csv, transport: transport)).get()
            #expect(csv.string(.sqltext) == "SELECT '\n' -- a\nb", "\(transport)")
            for format in [PluginEncoder.Format.json, .old, .new] {
                let record = try parse(PluginEncoder.message(.general, values, format: format, transport: transport))
                    .get()
                #expect(record.string(.sqltext) == "SELECT '#012' -- a\nb", "\(format) \(transport)")
            }
        }
    }
}
