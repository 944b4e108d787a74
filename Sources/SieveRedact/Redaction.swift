import SieveEvent
import SieveSQL

/// What a sink (or `/tail`) masks in each event before it is encoded: a `redact:` list, applied in
/// its order to the record's `sqltext` (or, for a message that is not an audit record, to its
/// `raw` MSG). Everything else in the event is kept. Two sinks with equal lists share one encoding
/// of each event.
public struct Redaction: Sendable, Hashable {
    public let rules: [RedactionRule]

    public init(rules: [RedactionRule]) { self.rules = rules }

    /// Reads a `redact:` list; each entry at most once.
    public init(entries: [String]) throws(RedactionError) {
        var rules: [RedactionRule] = []
        for entry in entries {
            let rule = try RedactionRule(entry: entry)
            if rules.contains(rule) { throw RedactionError(entry: entry, reason: "listed twice") }
            rules.append(rule)
        }
        self.init(rules: rules)
    }

    public var entries: [String] { rules.map(\.name) }

    /// What `apply` did to one event.
    public struct Outcome: Sendable, Equatable {
        /// Searches that reached PCRE2's match limit (each made the whole text `?`).
        public var regexLimitHits = 0
    }

    /// Applies the rules in order to the event's text and lists in `redacted` those that changed
    /// something. Fail closed: a pattern that reaches the match limit replaces the whole text with
    /// `?` (the rules after it have nothing left to read).
    public func apply(to event: inout AuditEvent, options: SQLOptions) -> Outcome {
        var outcome = Outcome()
        var applied: [String] = []
        var replacement: [UInt8]?
        let read: Void? = event.withRedactableText { original in
            for rule in rules {
                let result =
                    if let current = replacement {
                        current.withUnsafeBytes { rule.apply(to: $0, options: options) }
                    } else {
                        rule.apply(to: original, options: options)
                    }
                switch result {
                case .unchanged:
                    continue
                case .replaced(let text):
                    replacement = text
                    applied.append(rule.name)
                case .limitExceeded:
                    replacement = [UInt8(ascii: "?")]
                    applied.append(rule.name)
                    outcome.regexLimitHits += 1
                    return
                }
            }
        }
        guard read != nil, let replacement else { return outcome }
        event.replaceRedactableText(with: replacement)
        event.redacted = applied
        return outcome
    }
}
