import SieveRules
import SieveSQL

/// One entry of a `redact:` list, applied to a statement's text.
public enum RedactionRule: Sendable, Hashable {
    /// The secrets of the statements that set or carry a password become `'***'` (`SQLRedaction`).
    case passwords
    /// Every string and number literal becomes `?`.
    case literals
    /// Every match of an operator's PCRE2 pattern becomes `?`.
    case pattern(RegexPattern)

    /// What a rule did to a text.
    public enum Outcome: Sendable, Equatable {
        case unchanged
        case replaced([UInt8])
        /// The pattern reached PCRE2's match limit: what it would have matched is unknown.
        case limitExceeded
    }

    /// Reads an entry: `passwords`, `literals` or `re:PATTERN` (case-sensitive unless the pattern
    /// says `(?i)`).
    public init(entry: String) throws(RedactionError) {
        switch entry {
        case "passwords": self = .passwords
        case "literals": self = .literals
        default:
            guard entry.hasPrefix("re:") else {
                throw RedactionError(entry: entry, reason: "unknown; use passwords, literals or \"re:PATTERN\"")
            }
            let source = String(entry.dropFirst(3))
            guard !source.isEmpty else { throw RedactionError(entry: entry, reason: "the pattern after re: is empty") }
            do {
                self = .pattern(try RegexPattern(source, caseSensitive: true, invalidUTF8Subjects: true))
            } catch {
                let reason = if case .badPattern(_, let reason) = error { reason } else { "\(error)" }
                throw RedactionError(entry: entry, reason: "not a PCRE2 pattern: \(reason)")
            }
        }
    }

    /// The entry as written; what the event's `redacted` lists.
    public var name: String {
        switch self {
        case .passwords: "passwords"
        case .literals: "literals"
        case .pattern(let pattern): "re:\(pattern.source)"
        }
    }

    /// `text` (read with the cluster's SQL options) after this rule.
    public func apply(to text: UnsafeRawBufferPointer, options: SQLOptions) -> Outcome {
        switch self {
        case .passwords: SQLRedaction.maskingPasswords(in: text, options: options).map(Outcome.replaced) ?? .unchanged
        case .literals: SQLRedaction.maskingLiterals(in: text, options: options).map(Outcome.replaced) ?? .unchanged
        case .pattern(let pattern): Self.replacing(pattern, in: text)
        }
    }

    /// Every non-empty match replaced by `?`, searched left to right; each search is bounded by
    /// the pattern's match limit, and there is at most one search per match plus one.
    private static func replacing(_ pattern: RegexPattern, in text: UnsafeRawBufferPointer) -> Outcome {
        var out: [UInt8] = []
        var copied = 0
        var start = 0
        while start <= text.count {
            switch pattern.firstMatch(in: text, from: start) {
            case .noMatch:
                start = text.count + 1
            case .limitExceeded:
                return .limitExceeded
            case .match(let range) where range.isEmpty:
                // Nothing to replace; search on from the next character.
                start = range.lowerBound + 1
                while start < text.count && text[start] & 0xC0 == 0x80 { start += 1 }
            case .match(let range):
                out.append(contentsOf: text[copied..<range.lowerBound])
                out.append(UInt8(ascii: "?"))
                copied = range.upperBound
                start = range.upperBound
            }
        }
        guard !out.isEmpty else { return .unchanged }
        out.append(contentsOf: text[copied...])
        return .replaced(out)
    }

    public static func == (lhs: RedactionRule, rhs: RedactionRule) -> Bool { lhs.name == rhs.name }

    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}
