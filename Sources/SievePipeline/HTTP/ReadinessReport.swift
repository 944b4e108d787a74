import Foundation

/// The `/readyz` body: ready once every listener is bound (they are bound after the queues, and
/// so the spools, were opened and recovered).
struct ReadinessReport: Sendable, Encodable {
    struct Listener: Sendable, Encodable {
        /// As configured, e.g. `tcp://0.0.0.0:5514`.
        var listener: String
        /// As bound, e.g. `0.0.0.0:5514` (port 0 resolved).
        var address: String
    }

    var ready: Bool
    var listeners: [Listener]
    var spoolRecovered: Bool
    var sinks: [String]

    enum CodingKeys: String, CodingKey {
        case ready, listeners, sinks
        case spoolRecovered = "spool_recovered"
    }

    var json: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings and booleans only: encoding cannot fail.
        return Array((try? encoder.encode(self)) ?? Data("{}".utf8)) + [UInt8(ascii: "\n")]
    }
}
