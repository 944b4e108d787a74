import SieveSinks
import Testing

@Suite("EventBatch")
struct EventBatchTests {
    @Test("an event written straight into the batch is the same as one appended from its own bytes")
    func appendEventMatchesAppend() {
        let events: [[UInt8]] = [Array("{\"a\":1}\n".utf8), [], Array("raw\nline\n".utf8), Array("{}\n".utf8)]
        var copied = EventBatch()
        var written = EventBatch()
        for event in events {
            copied.append(event)
            written.appendEvent { $0.append(contentsOf: event) }
        }
        #expect(written == copied)
        #expect(written.count == events.count)
        for (index, event) in events.enumerated() { #expect(Array(written.event(index)) == event) }
        #expect(written.slice(1..<3) == EventBatch(events: Array(events[1..<3])))
    }
}
