import Foundation
import NIOCore
import SieveAudit
import SieveEvent
import Testing

/// The files under `Fixtures/` (provenance in `Fixtures/SOURCES.md`).
enum Fixture {
    static func bytes(_ name: String, subdirectory: String = "Fixtures") throws -> [UInt8] {
        let url = try #require(
            Bundle.module.url(forResource: name, withExtension: nil, subdirectory: subdirectory),
            "missing fixture \(subdirectory)/\(name)")
        return try [UInt8](Data(contentsOf: url))
    }
}

/// A JSON value that keeps object keys in the order they appear and numbers as their text, so that
/// tests can check key order and "a number, not a string" (JSONSerialization keeps neither).
/// Strict enough for the encoder's output: one value, no trailing bytes, escapes checked.
indirect enum OrderedJSON: Equatable, CustomStringConvertible {
    case object([(String, OrderedJSON)])
    case array([OrderedJSON])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    static func == (lhs: OrderedJSON, rhs: OrderedJSON) -> Bool {
        switch (lhs, rhs) {
        case (.object(let a), .object(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.array(let a), .array(let b)): a == b
        case (.string(let a), .string(let b)): Array(a.utf8) == Array(b.utf8)
        case (.number(let a), .number(let b)): a == b
        case (.bool(let a), .bool(let b)): a == b
        case (.null, .null): true
        default: false
        }
    }

    var description: String {
        switch self {
        case .object(let pairs): "{" + pairs.map { "\($0.0): \($0.1)" }.joined(separator: ", ") + "}"
        case .array(let values): "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .string(let text): "\"\(text)\""
        case .number(let text): text
        case .bool(let value): "\(value)"
        case .null: "null"
        }
    }

    var keys: [String] {
        if case .object(let pairs) = self { return pairs.map(\.0) }
        return []
    }

    subscript(key: String) -> OrderedJSON? {
        if case .object(let pairs) = self { return pairs.first { $0.0 == key }?.1 }
        return nil
    }

    var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    struct ParseError: Error, CustomStringConvertible {
        var offset: Int
        var reason: String
        var description: String { "\(reason) at byte \(offset)" }
    }

    /// Parses one JSON value filling `bytes` (a trailing LF is allowed).
    static func parse(_ bytes: some Collection<UInt8>) throws -> OrderedJSON {
        var parser = Parser(bytes: Array(bytes))
        let value = try parser.value()
        if parser.index < parser.bytes.count, parser.bytes[parser.index] == 0x0A { parser.index += 1 }
        guard parser.index == parser.bytes.count else { throw parser.error("trailing bytes") }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        func error(_ reason: String) -> ParseError { ParseError(offset: index, reason: reason) }

        mutating func expect(_ byte: UInt8) throws {
            guard index < bytes.count, bytes[index] == byte else {
                throw error("expected '\(Character(UnicodeScalar(byte)))'")
            }
            index += 1
        }

        mutating func value() throws -> OrderedJSON {
            guard index < bytes.count else { throw error("unexpected end") }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var pairs: [(String, OrderedJSON)] = []
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .object(pairs)
                }
                while true {
                    let key = try string()
                    try expect(UInt8(ascii: ":"))
                    pairs.append((key, try value()))
                    guard index < bytes.count else { throw error("unexpected end in object") }
                    if bytes[index] == UInt8(ascii: "}") {
                        index += 1
                        return .object(pairs)
                    }
                    try expect(UInt8(ascii: ","))
                }
            case UInt8(ascii: "["):
                index += 1
                var values: [OrderedJSON] = []
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(values)
                }
                while true {
                    values.append(try value())
                    guard index < bytes.count else { throw error("unexpected end in array") }
                    if bytes[index] == UInt8(ascii: "]") {
                        index += 1
                        return .array(values)
                    }
                    try expect(UInt8(ascii: ","))
                }
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "t"):
                try literal("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try literal("false")
                return .bool(false)
            case UInt8(ascii: "n"):
                try literal("null")
                return .null
            default:
                return .number(try number())
            }
        }

        mutating func literal(_ text: String) throws {
            for byte in text.utf8 { try expect(byte) }
        }

        mutating func number() throws -> String {
            let start = index
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            let digits = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index > digits else { throw error("expected a value") }
            if index - digits > 1, bytes[digits] == UInt8(ascii: "0") { throw error("leading zero") }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        mutating func string() throws -> String {
            try expect(UInt8(ascii: "\""))
            var scalars = String.UnicodeScalarView()
            var raw: [UInt8] = []
            func flush() throws {
                guard !raw.isEmpty else { return }
                guard let text = String(validating: raw, as: UTF8.self) else { throw error("invalid UTF-8") }
                scalars.append(contentsOf: text.unicodeScalars)
                raw.removeAll()
            }
            while true {
                guard index < bytes.count else { throw error("unterminated string") }
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    try flush()
                    return String(scalars)
                case UInt8(ascii: "\\"):
                    try flush()
                    guard index < bytes.count else { throw error("unterminated escape") }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""): scalars.append("\"")
                    case UInt8(ascii: "\\"): scalars.append("\\")
                    case UInt8(ascii: "/"): scalars.append("/")
                    case UInt8(ascii: "b"): scalars.append("\u{08}")
                    case UInt8(ascii: "f"): scalars.append("\u{0C}")
                    case UInt8(ascii: "n"): scalars.append("\n")
                    case UInt8(ascii: "r"): scalars.append("\r")
                    case UInt8(ascii: "t"): scalars.append("\t")
                    case UInt8(ascii: "u"):
                        guard index + 4 <= bytes.count,
                            let unit = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16),
                            let scalar = Unicode.Scalar(unit)
                        else { throw error("bad \\u escape") }
                        index += 4
                        scalars.append(scalar)
                    default:
                        throw error("bad escape")
                    }
                case 0x00..<0x20:
                    throw error("raw control character in string")
                default:
                    raw.append(byte)
                }
            }
        }
    }
}

/// Parses `bytes` with Foundation, which is what a consumer of the events would use.
func foundationJSON(_ bytes: some Collection<UInt8>) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
}

/// The fields of each record kind, in template order (docs/EVENT.md "Record fields").
enum Template {
    static let general = [
        "name", "record", "timestamp", "command_class", "connection_id", "status", "sqltext", "user", "host",
        "os_user", "ip", "db",
    ]
    static let connection = [
        "name", "record", "timestamp", "connection_id", "status", "user", "priv_user", "os_login", "proxy_user",
        "host", "ip", "db",
    ]
    static let audit = ["name", "record", "timestamp", "mysql_version", "startup_options", "os_version"]

    static func fields(forName name: String) -> [String] {
        switch name {
        case "Connect", "Quit", "Change user": connection
        case "Audit", "NoAudit": audit
        default: general
        }
    }
}

/// Checks one encoded event against docs/EVENT.md: the documented keys and no others, in the
/// documented order (the order of the schema table), values of the documented types. Returns the
/// problems found (empty when the line is right).
func eventShapeProblems(_ line: [UInt8]) -> [String] {
    var problems: [String] = []
    guard line.last == 0x0A, line.dropLast().allSatisfy({ $0 != 0x0A }) else {
        return ["an event is one line ending in LF"]
    }
    do {
        _ = try foundationJSON(line)
    } catch {
        problems.append("JSONSerialization rejects the line: \(error)")
    }
    let event: OrderedJSON
    do {
        event = try OrderedJSON.parse(line)
    } catch {
        return problems + ["not JSON: \(error)"]
    }
    guard case .object(let pairs) = event else { return problems + ["not a JSON object"] }
    let keys = pairs.map(\.0)
    guard keys.first == "format", let format = event["format"]?.string else {
        return problems + ["first key must be format, a string"]
    }
    var expected: [String] = ["format"]
    if format == "unknown" {
        expected += ["truncated", "error", "raw"]
        if event["truncated"] != .bool(false) { problems.append("an unknown event has truncated false") }
        if event["error"]?.string?.isEmpty ?? true { problems.append("an unknown event has a non-empty error") }
        if event["raw"]?.string == nil { problems.append("raw is a string") }
    } else if format == "audit-filter-json" || format == "audit-filter-new-xml" || format == "audit-filter-old-xml" {
        // No template: the record's keys as it had them, then the envelope.
        guard case .bool? = event["truncated"], let end = keys.firstIndex(of: "truncated") else {
            return problems + ["truncated is a bool"]
        }
        expected += keys[1..<end]
        for key in ["id", "connection_id", "status"] where keys.contains(key) {
            if case .number? = event[key] { continue }
            if case .array(let list)? = event["warnings"],
                list.contains(.string("\(key) is not a number; kept as text"))
            {
                continue
            }
            problems.append("\(key) is a number")
        }
        expected.append("truncated")
        if keys.contains("truncated_field") { expected.append("truncated_field") }
        if keys.contains("warnings") { expected.append("warnings") }
        if keys.contains("message_truncated") { expected.append("message_truncated") }
    } else if format == "mariadb-audit" {
        problems += mariadbShapeProblems(event, keys: keys, expected: &expected)
    } else {
        guard ["percona-json", "percona-new-xml", "percona-old-xml", "percona-csv"].contains(format) else {
            return problems + ["unknown format \(format)"]
        }
        guard case .bool(let truncated)? = event["truncated"] else { return problems + ["truncated is a bool"] }
        var template: [String] = []
        if let name = event["name"]?.string { template = Template.fields(forName: name) }
        let fields = truncated ? template.filter { keys.contains($0) } : template
        expected += fields
        for field in fields where !["connection_id", "status"].contains(field) {
            if event[field]?.string == nil { problems.append("\(field) is a string") }
        }
        var warnings: [String] = []
        if case .array(let list)? = event["warnings"] {
            warnings = list.compactMap(\.string)
            if warnings.count != list.count || warnings.isEmpty {
                problems.append("warnings is a non-empty array of strings")
            }
        }
        for field in ["connection_id", "status"] where fields.contains(field) {
            switch event[field] {
            case .number?:
                if warnings.contains("\(field) is not a number; kept as text") {
                    problems.append("\(field) is a number but has a warning")
                }
            case .string?:
                if !warnings.contains("\(field) is not a number; kept as text") {
                    problems.append("\(field) is text without its warning")
                }
            default:
                problems.append("\(field) is a number (or text with a warning)")
            }
        }
        expected.append("truncated")
        if truncated, keys.contains("truncated_field") {
            expected.append("truncated_field")
            if let cut = event["truncated_field"]?.string {
                if !template.contains(cut) { problems.append("truncated_field \(cut) is not a template field") }
            } else {
                problems.append("truncated_field is a string")
            }
        }
        if !truncated && keys.contains("truncated_field") { problems.append("truncated_field only when truncated") }
        if keys.contains("warnings") { expected.append("warnings") }
        if keys.contains("message_truncated") { expected.append("message_truncated") }
    }
    if format == "unknown", keys.contains("message_truncated") { expected.append("message_truncated") }
    if keys.contains("message_truncated"), event["message_truncated"] != .bool(true) {
        problems.append("message_truncated is present only as true")
    }
    if keys.contains("redacted") {
        expected.append("redacted")
        let valid =
            if case .array(let kinds)? = event["redacted"] {
                !kinds.isEmpty && kinds.allSatisfy { $0.string != nil }
            } else { false }
        if !valid { problems.append("redacted is a non-empty array of strings") }
    }
    expected += ["syslog", "peer", "received_at"]
    if keys != expected { problems.append("keys \(keys), expected \(expected)") }

    if case .object(let header)? = event["syslog"] {
        let headerKeys = header.map(\.0)
        let withPRI = ["facility", "severity", "timestamp", "hostname", "app_name"]
        let withoutPRI = ["timestamp", "hostname", "app_name"]
        if headerKeys != withPRI && headerKeys != withoutPRI { problems.append("syslog keys \(headerKeys)") }
        for (key, value) in header {
            switch key {
            case "facility", "severity":
                guard case .number(let digits) = value, let number = Int(digits),
                    number >= 0, number <= (key == "facility" ? 23 : 7)
                else {
                    problems.append("syslog.\(key) is an integer in range")
                    continue
                }
            default:
                if value.string == nil { problems.append("syslog.\(key) is a string") }
            }
        }
    } else {
        problems.append("syslog is an object")
    }
    if event["peer"]?.string == nil { problems.append("peer is a string") }
    if let received = event["received_at"]?.string {
        if received.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$"#, options: .regularExpression) == nil {
            problems.append("received_at \(received) is RFC 3339 UTC with microseconds")
        }
    } else {
        problems.append("received_at is a string")
    }
    return problems
}

/// Builds the event of one framed message as a listener does.
func event(
    _ message: [UInt8], peer: String = "10.1.2.3:40112",
    receivedAt: EventTime = EventTime(seconds: 1_795_000_000, microseconds: 512_345), oversizeTruncated: Bool = false
) -> AuditEvent {
    AuditEvent(
        message: ByteBuffer(bytes: message), peer: peer, receivedAt: receivedAt, oversizeTruncated: oversizeTruncated,
        parser: AuditParser())
}

func event(
    _ message: String, peer: String = "10.1.2.3:40112",
    receivedAt: EventTime = EventTime(seconds: 1_795_000_000, microseconds: 512_345), oversizeTruncated: Bool = false
) -> AuditEvent {
    event(Array(message.utf8), peer: peer, receivedAt: receivedAt, oversizeTruncated: oversizeTruncated)
}

func encodeJSON(_ event: AuditEvent) -> [UInt8] {
    var encoder = EventJSONEncoder()
    return encoder.encode(event)
}

extension Array where Element == UInt8 {
    var text: String { String(decoding: self, as: UTF8.self) }
}

/// docs/EVENT.md, "MariaDB server_audit": the line's fields in its order, numbers as numbers.
private func mariadbShapeProblems(_ event: OrderedJSON, keys: [String], expected: inout [String]) -> [String] {
    var problems: [String] = []
    guard case .bool(let truncated)? = event["truncated"] else { return ["truncated is a bool"] }
    if keys.contains("timestamp") { expected.append("timestamp") }
    expected += ["serverhost", "user", "host", "connection_id", "query_id", "operation", "db"]
    let operation = event["operation"]?.string ?? ""
    switch operation {
    case "QUERY":
        expected.append("sqltext")
        if !truncated { expected.append("status") }
    case "CONNECT", "DISCONNECT", "FAILED_CONNECT", "CHANGEUSER", "PROXY_CONNECT":
        expected += ["object", "status"]
    case "READ", "WRITE", "CREATE", "DROP", "ALTER":
        expected.append("table")
    case "RENAME":
        expected.append("table")
        if keys.contains("new_db") { expected.append("new_db") }
        expected.append("new_table")
    default:
        problems.append("unknown operation '\(operation)'")
    }
    for key in ["connection_id", "query_id", "status"] where expected.contains(key) {
        if case .number? = event[key] { continue }
        problems.append("\(key) is a number")
    }
    for key in expected where !["connection_id", "query_id", "status"].contains(key) {
        if event[key]?.string == nil { problems.append("\(key) is a string") }
    }
    expected.append("truncated")
    if keys.contains("truncated_field") { expected.append("truncated_field") }
    if keys.contains("warnings") { expected.append("warnings") }
    if keys.contains("message_truncated") { expected.append("message_truncated") }
    return problems
}
