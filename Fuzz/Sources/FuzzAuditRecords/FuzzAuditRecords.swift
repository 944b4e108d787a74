import FuzzSupport
import NIOCore
import SieveAudit
import SieveEvent
import SieveSQL
import SieveSyslog

/// The input is one syslog message as framed (a bare record is a message without header). Its MSG
/// goes to every dialect that recognizes it (not only the first, which the parser would pick), and
/// each record is checked; then the event a listener makes of the message is given its tables under
/// two sets of SQL options and encoded as JSON, which must be one valid line.
let parser = AuditParser()
let optionSets = [SQLOptions(), SQLOptions(sqlMode: "ANSI,NO_BACKSLASH_ESCAPES", serverVersion: 50744)]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAuditRecords(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = fuzzInput(data, size)
    let header = SyslogHeaderParser.parse(input)
    let msg = UnsafeRawBufferPointer(rebasing: input[header.msg])
    for dialect in AuditParser.all where dialect.recognizes(msg) {
        if case .success(let record) = dialect.parse(msg) {
            RecordCheck.check(record, from: dialect)
        }
    }
    let event = AuditEvent(
        message: ByteBuffer(bytes: input), peer: "192.0.2.7:514",
        receivedAt: EventTime(seconds: 1_700_000_000, microseconds: 5),
        parser: parser
    )
    for options in optionSets {
        EventCheck.check(event, options: options)
    }
    return 0
}
