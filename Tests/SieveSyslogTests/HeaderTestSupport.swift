import SieveSyslog

/// A parsed header with its ranges turned into text, so that tests compare what a reader sees.
struct Header: Equatable, CustomStringConvertible {
    var format: SyslogMessage.HeaderFormat
    var facility: Int? = nil
    var severity: Int? = nil
    var timestamp: String? = nil
    var hostname: String? = nil
    var appName: String? = nil
    var procID: String? = nil
    var msgID: String? = nil
    var structuredData: String? = nil
    var msg: String

    var description: String {
        "\(format) \(facility.map(String.init) ?? "-")/\(severity.map(String.init) ?? "-") ts=\(timestamp ?? "nil") "
            + "host=\(hostname ?? "nil") app=\(appName ?? "nil") pid=\(procID ?? "nil") msgid=\(msgID ?? "nil") "
            + "sd=\(structuredData ?? "nil") msg=\(msg)"
    }
}

/// The text of `range` in `bytes`, or `nil`.
func text(_ range: Range<Int>?, in bytes: [UInt8]) -> String? {
    range.map { String(decoding: bytes[$0], as: UTF8.self) }
}

/// Parses `input` and reads every range back as text.
func header(_ input: String) -> Header {
    header(Array(input.utf8))
}

func header(_ bytes: [UInt8]) -> Header {
    let parsed = SyslogHeaderParser.parse(bytes)
    return Header(
        format: parsed.headerFormat, facility: parsed.facility, severity: parsed.severity,
        timestamp: text(parsed.timestamp, in: bytes), hostname: text(parsed.hostname, in: bytes),
        appName: text(parsed.appName, in: bytes), procID: text(parsed.procID, in: bytes),
        msgID: text(parsed.msgID, in: bytes), structuredData: text(parsed.structuredData, in: bytes),
        msg: text(parsed.msg, in: bytes)!
    )
}
