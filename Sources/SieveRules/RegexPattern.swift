import CPCRE2

/// A PCRE2 regular expression, compiled once (with JIT when the platform has it) and searched for
/// anywhere in a subject (unanchored: a pattern anchors itself with `^…$`). Among the table rules
/// only `re:` patterns use it (in clusters and `/tail` filters); plain patterns never touch a regex.
/// `re:` redaction uses it too.
///
/// Every match runs under a match limit and a depth limit: the subjects (table names) are chosen
/// by database users, and a pattern that backtracks exponentially on a crafted name must not stall
/// the thread that matches it. A match that reaches a limit answers `.limitExceeded`; the caller
/// decides what that means (rules: the tables could not be read, so `keep_unparsed` decides; a
/// `/tail` filter: no match). Legitimate patterns over names of a few hundred bytes stay far
/// below the limits.
public final class RegexPattern: @unchecked Sendable {
    public enum Outcome: Sendable, Equatable {
        case match
        case noMatch
        /// PCRE2 gave up: the match, depth, heap or JIT stack limit was reached.
        case limitExceeded
    }

    /// Backtracking steps a match may take (PCRE2's own default is 10,000,000).
    public static let matchLimit: UInt32 = 20_000
    /// Nested backtracking depth (the interpreter only; JIT is bounded by `matchLimit`).
    public static let depthLimit: UInt32 = 1_000

    public let source: String
    private let code: OpaquePointer
    /// Holds the limits; read-only after `init`, so matches on several threads may share it.
    private let context: OpaquePointer

    /// Throws a message with PCRE2's reason and the offset in the pattern. `invalidUTF8Subjects`:
    /// the subjects are bytes as senders wrote them (`firstMatch(in:from:)`), where an invalid
    /// UTF-8 sequence never matches instead of failing the whole search.
    public init(_ source: String, caseSensitive: Bool, invalidUTF8Subjects: Bool = false) throws(RulesError) {
        self.source = source
        var errorCode: Int32 = 0
        var errorOffset = 0
        let options =
            UInt32(PCRE2_UTF) | (caseSensitive ? 0 : UInt32(PCRE2_CASELESS))
            | (invalidUTF8Subjects ? UInt32(PCRE2_MATCH_INVALID_UTF) : 0)
        let compiled = source.withCString { pointer in
            pointer.withMemoryRebound(to: UInt8.self, capacity: source.utf8.count) {
                pcre2_compile_8($0, source.utf8.count, options, &errorCode, &errorOffset, nil)
            }
        }
        guard let compiled else {
            var message = [UInt8](repeating: 0, count: 256)
            let length = pcre2_get_error_message_8(errorCode, &message, message.count)
            let reason = String(decoding: message.prefix(max(0, Int(length))), as: UTF8.self)
            throw RulesError.badPattern("re:\(source)", "\(reason) at offset \(errorOffset)")
        }
        guard let context = pcre2_match_context_create_8(nil) else {
            pcre2_code_free_8(compiled)
            throw RulesError.badPattern("re:\(source)", "out of memory for its match context")
        }
        pcre2_set_match_limit_8(context, Self.matchLimit)
        pcre2_set_depth_limit_8(context, Self.depthLimit)
        code = compiled
        self.context = context
        _ = pcre2_jit_compile_8(code, UInt32(PCRE2_JIT_COMPLETE))
    }

    deinit {
        pcre2_match_context_free_8(context)
        pcre2_code_free_8(code)
    }

    /// Whether the expression matches somewhere in `subject` (anchor it with `^…$` to match whole).
    public func match(_ subject: String) -> Outcome {
        guard let data = pcre2_match_data_create_from_pattern_8(code, nil) else { return .noMatch }
        defer { pcre2_match_data_free_8(data) }
        let result =
            subject.utf8.withContiguousStorageIfAvailable { bytes in
                pcre2_match_8(code, bytes.baseAddress, bytes.count, 0, 0, data, context)
            }
            ?? Array(subject.utf8).withUnsafeBufferPointer { bytes in
                pcre2_match_8(code, bytes.baseAddress, bytes.count, 0, 0, data, context)
            }
        if result >= 0 { return .match }
        switch result {
        case PCRE2_ERROR_MATCHLIMIT, PCRE2_ERROR_DEPTHLIMIT, PCRE2_ERROR_HEAPLIMIT, PCRE2_ERROR_JIT_STACKLIMIT:
            return .limitExceeded
        default:
            return .noMatch
        }
    }

    /// `match(subject) == .match`.
    public func matches(_ subject: String) -> Bool { match(subject) == .match }

    public enum Search: Sendable, Equatable {
        /// Where the leftmost match at or after the start lies (possibly empty).
        case match(Range<Int>)
        case noMatch
        /// PCRE2 gave up (a limit, or any other error): nothing can be said about the rest.
        case limitExceeded
    }

    /// The leftmost match in `subject` starting at or after byte `start`, under the same limits as
    /// `match(_:)`. Compile with `invalidUTF8Subjects` for bytes that may not be UTF-8; `start`
    /// must be at a character boundary.
    public func firstMatch(in subject: UnsafeRawBufferPointer, from start: Int) -> Search {
        guard let data = pcre2_match_data_create_from_pattern_8(code, nil) else { return .limitExceeded }
        defer { pcre2_match_data_free_8(data) }
        // A subject of no bytes still needs an address.
        let result = withUnsafePointer(to: UInt8(0)) { empty in
            let base = subject.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? empty
            return pcre2_match_8(code, base, subject.count, start, 0, data, context)
        }
        if result == PCRE2_ERROR_NOMATCH { return .noMatch }
        guard result >= 0, let vector = pcre2_get_ovector_pointer_8(data) else { return .limitExceeded }
        return .match(vector[0]..<max(vector[0], vector[1]))
    }
}
