import CPCRE2

/// A PCRE2 regular expression, compiled once (with JIT when the platform has it) and matched
/// against whole subjects. Only `re:` table patterns use it; plain patterns never touch a regex.
public final class RegexPattern: @unchecked Sendable {
    public let source: String
    private let code: OpaquePointer

    /// Throws a message with PCRE2's reason and the offset in the pattern.
    public init(_ source: String, caseSensitive: Bool) throws(RulesError) {
        self.source = source
        var errorCode: Int32 = 0
        var errorOffset = 0
        let options = UInt32(PCRE2_UTF) | (caseSensitive ? 0 : UInt32(PCRE2_CASELESS))
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
        code = compiled
        _ = pcre2_jit_compile_8(code, UInt32(PCRE2_JIT_COMPLETE))
    }

    deinit { pcre2_code_free_8(code) }

    /// Whether the expression matches somewhere in `subject` (anchor it with `^…$` to match whole).
    public func matches(_ subject: String) -> Bool {
        guard let data = pcre2_match_data_create_from_pattern_8(code, nil) else { return false }
        defer { pcre2_match_data_free_8(data) }
        let result = subject.utf8.withContiguousStorageIfAvailable { bytes in
            pcre2_match_8(code, bytes.baseAddress, bytes.count, 0, 0, data, nil)
        } ?? Array(subject.utf8).withUnsafeBufferPointer { bytes in
            pcre2_match_8(code, bytes.baseAddress, bytes.count, 0, 0, data, nil)
        }
        return result >= 0
    }
}
