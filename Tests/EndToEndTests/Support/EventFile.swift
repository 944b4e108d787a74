import Foundation
import Testing

/// One event as written by a JSON sink.
typealias Event = [String: Any]

/// A JSON-lines file the server writes. Only complete lines (ending in LF) are read: a line being
/// written is not read half-way. A complete line that is not a JSON object is an error, always.
struct EventFile {
    let path: String

    func lines() -> [Substring] {
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { return [] }
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        lines.removeLast()  // after the last LF: empty, or a line still being written
        return lines
    }

    func events() throws -> [Event] {
        try lines().enumerated().map { index, line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw TestFailure("\(path) line \(index + 1) is not a JSON object: \(line.prefix(300))")
            }
            return object
        }
    }

    /// The events that carry a `record` field, by that field (a record id appears at most once in
    /// a test's input; seeing it twice is reported by `expectUnique`).
    func eventsByRecord() throws -> [String: Event] {
        var byRecord: [String: Event] = [:]
        for event in try events() {
            if let record = event["record"] as? String { byRecord[record] = event }
        }
        return byRecord
    }

    /// Waits until events with all of `records` are in the file; returns them by record id.
    func waitForRecords(
        _ records: [String], timeout: Duration = .seconds(20), diagnostics: () -> String = { "" }
    ) async throws -> [String: Event] {
        var seen: [String: Event] = [:]
        return try await eventually(
            "\(records.count) record(s) in \(path) (\(records.filter { seen[$0] == nil }.prefix(5)) still missing)",
            timeout: timeout, diagnostics: diagnostics
        ) {
            seen = try eventsByRecord()
            return records.allSatisfy { seen[$0] != nil } ? seen : nil
        }
    }
}

/// Expects every record id to occur exactly once among the events.
func expectUnique(_ events: [Event], records: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    var counts: [String: Int] = [:]
    for event in events {
        if let record = event["record"] as? String { counts[record, default: 0] += 1 }
    }
    let missing = records.filter { counts[$0] == nil }
    let duplicated = records.filter { (counts[$0] ?? 0) > 1 }
    #expect(
        missing.isEmpty, "missing records: \(missing.prefix(10)) (\(missing.count) in all)",
        sourceLocation: sourceLocation)
    #expect(duplicated.isEmpty, "duplicated records: \(duplicated.prefix(10))", sourceLocation: sourceLocation)
}

/// A field value as it appears in an event: JSON text or a JSON integer.
enum FieldValue: Sendable, Equatable, CustomStringConvertible, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case text(String)
    case number(Int)

    init(stringLiteral value: String) { self = .text(value) }
    init(integerLiteral value: Int) { self = .number(value) }

    init?(_ any: Any?) {
        switch any {
        case let value as String: self = .text(value)
        case let value as Int: self = .number(value)
        default: return nil
        }
    }

    var description: String {
        switch self {
        case .text(let text): text.debugDescription
        case .number(let number): "\(number)"
        }
    }
}

/// Keys an event has besides the record's own fields: the envelope, and what `serve` adds after
/// table extraction and the cluster rules (absent from `auditsieve parse` output).
let envelopeKeys: Set<String> = [
    "format", "truncated", "syslog", "peer", "received_at",
    "tables", "tables_status", "tables_source", "routines", "matched_tables", "cluster", "decision", "decision_reason",
]

/// Expects the event to hold exactly these record fields (compared value by value) and nothing
/// else but `envelopeKeys` and `extraKeys` (so no stray `warnings`, `truncated_field`, `error`).
func expectFields(
    _ event: Event, _ fields: [(String, FieldValue)], extraKeys: Set<String> = [],
    _ label: String = "", sourceLocation: SourceLocation = #_sourceLocation
) {
    for (key, expected) in fields {
        let actual = FieldValue(event[key])
        #expect(actual == expected, "\(label) field \(key)", sourceLocation: sourceLocation)
    }
    let unexpected = Set(event.keys).subtracting(fields.map(\.0)).subtracting(envelopeKeys).subtracting(extraKeys)
    #expect(unexpected.isEmpty, "\(label) unexpected keys \(unexpected.sorted())", sourceLocation: sourceLocation)
}

extension Dictionary where Key == String, Value == Any {
    func string(_ key: String) -> String? { self[key] as? String }
    func int(_ key: String) -> Int? { FieldValue(self[key]).flatMap { if case .number(let n) = $0 { n } else { nil } } }
    func bool(_ key: String) -> Bool? { self[key] as? Bool }
    var syslog: [String: Any] { self["syslog"] as? [String: Any] ?? [:] }
}
