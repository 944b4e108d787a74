/// What a `json` sink's line must be, whatever the input: one line (no control byte but the final LF),
/// valid UTF-8, and one JSON object whose members have distinct names (a SIEM takes the first or the
/// last of a duplicate; either way a field is lost).
public enum EventLineCheck {
    /// `allowDuplicateNames`: for the one known exception (see `EventCheck`).
    public static func check(_ line: [UInt8], allowDuplicateNames: Bool = false) {
        fuzzCheck(line.last == 0x0A, "an event line does not end with LF: \(show(line))")
        let body = line.dropLast()
        fuzzCheck(!body.contains { $0 < 0x20 }, "an event line holds a control byte: \(show(line))")
        fuzzCheck(String(validating: body, as: UTF8.self) != nil, "an event line is not UTF-8: \(show(line))")
        var parser = StrictJSON(Array(body), allowDuplicateNames: allowDuplicateNames)
        let error = parser.validateObject()
        fuzzCheck(error == nil, "an event line is not one JSON object (\(error ?? "")): \(show(line))")
    }

    static func show(_ line: [UInt8]) -> String {
        String(decoding: line.prefix(2048), as: UTF8.self).debugDescription
    }
}
