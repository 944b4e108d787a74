import FuzzSupport
import SieveAudit
import SieveEvent

/// The input is a capture file as `auditsieve parse` reads it: syslog frames or bare records (JSON,
/// XML across lines, CSV with quoted LFs, MariaDB lines, the filter's pretty JSON). The record splitter
/// must always move forward and stay in the input; every message becomes an event whose JSON line
/// must be valid.
let parser = AuditParser()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCaptureFiles(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = fuzzInput(data, size)
    var offset = 0
    while let chunk = AuditRecordSplitter.nextChunk(in: input, from: offset) {
        fuzzCheck(
            chunk.next > offset && chunk.next <= input.count, "chunk \(chunk) after offset \(offset) of \(input.count)")
        fuzzCheck(
            chunk.range.lowerBound >= offset && chunk.range.upperBound <= chunk.next,
            "chunk \(chunk) outside \(offset)..<\(chunk.next)"
        )
        _ = parser.parse(chunk, in: input)
        offset = chunk.next
    }
    for (index, message) in MessageSplitter.split(Array(input)).enumerated() where !message.dropped {
        var event = AuditEvent(
            input: message, peer: "192.0.2.7:514", receivedAt: EventTime(seconds: 1_700_000_000, microseconds: 0),
            parser: parser
        )
        event.inputIndex = index
        EventCheck.check(event)
    }
    return 0
}
